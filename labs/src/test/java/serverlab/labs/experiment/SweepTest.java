package serverlab.labs.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import serverlab.labs.testing.FullLength;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.internal.chartpart.Chart;
import serverlab.labs.charts.Charts;
import serverlab.labs.load.Load;
import serverlab.labs.load.LoadResult;
import serverlab.servers.ServerOptions;
import serverlab.servers.Servers;
import tech.tablesaw.api.Row;
import tech.tablesaw.api.Table;

@ExtendWith(FullLength.class) // its assertions count the rows and lengths of a full-sized sweep
class SweepTest {

    /** One sweep shared by the tests below: it starts 4 child JVMs, so run it once. */
    private static Table sweep;
    private static List<String> architectures;

    @BeforeAll
    static void runSweep() {
        // The event loop is the interesting contrast to a pool; fall back to virtual threads
        // only while the servers module does not register it yet.
        architectures = List.of("thread-pool",
                Servers.names().contains("event-loop") ? "event-loop" : "virtual-threads");
        // 32 pool threads so the pool is not smaller than the 20 keep-alive connections.
        sweep = Sweep.of(architectures).connections(1, 20).paths("/hello")
                .options(ServerOptions.defaults().withThreads(32))
                // warm up until answers flow steadily: a cold child JVM on a busy machine can take longer than
                // any fixed warm-up to answer its first request (bounded to 5 s, ±50%, to keep the test short)
                .load(t -> t.warmUpUntilSteady(Duration.ofMillis(250), 0.5, Duration.ofSeconds(5)))
                .duration(Duration.ofSeconds(1))
                .sampleInterval(Duration.ofMillis(100)).liveChart(false).run();
    }

    @Test
    void sweepHasOneCompleteRowPerRun() {
        assertEquals(Sweep.COLUMNS, sweep.columnNames());
        assertEquals(4, sweep.rowCount(), sweep.print());
        for (Row row : sweep) {
            String where = row.getString("architecture") + " @ " + row.getInt("connections") + ": " + sweep.print();
            assertEquals("", row.getString("note"), where);
            assertTrue(row.getDouble("rps") > 0, where);
            assertEquals(0, row.getLong("errors"), where);
            assertTrue(row.getDouble("p99_ms") >= row.getDouble("p50_ms"), where);
            assertTrue(row.getDouble("rss_mb") > 10, "a JVM has more than 10 MB resident: " + where);
            assertTrue(row.getInt("threads") >= 2, where);
            assertTrue(row.getLong("cpu_ms") > 0, where);
            assertTrue(row.getInt("fds") >= 3, where);
        }
        assertEquals(architectures, sweep.stringColumn("architecture").unique().asList());
    }

    @Test
    void chartsRenderToPng() {
        for (Chart<?, ?> chart : List.of(Charts.throughputVsConcurrency(sweep), Charts.latencyPercentiles(sweep),
                Charts.latencyVsConcurrency(sweep, "p99_ms"), Charts.memoryPerConnection(sweep),
                Charts.bar(sweep.where(sweep.intColumn("connections").isEqualTo(20)), "architecture", "rps",
                        "Throughput at 20 connections", "requests/s"))) {
            byte[] png = Charts.toPng(chart);
            assertTrue(png.length > 1000, chart.getTitle());
            assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, java.util.Arrays.copyOf(png, 4));
            assertTrue(!chart.getTitle().isBlank());
        }
        assertEquals(2, Charts.throughputVsConcurrency(sweep).getSeriesMap().size(), "one line per architecture");
    }

    @Test
    void csvRoundTripKeepsEveryValueAndType(@TempDir Path dir) {
        Path file = Results.save(sweep, dir.resolve("results/sweep.csv"));
        Table loaded = Results.load(file);
        assertEquals(sweep.columnNames(), loaded.columnNames());
        assertEquals(sweep.rowCount(), loaded.rowCount());
        for (int c = 0; c < sweep.columnCount(); c++) {
            assertEquals(sweep.column(c).type(), loaded.column(c).type(), sweep.column(c).name());
            for (int r = 0; r < sweep.rowCount(); r++) {
                Object expected = sweep.column(c).get(r);
                Object actual = loaded.column(c).get(r);
                if (expected instanceof Double d) {
                    assertEquals(d, (Double) actual, Math.abs(d) * 1e-9, sweep.column(c).name());
                } else {
                    assertEquals(expected, actual, sweep.column(c).name());
                }
            }
        }
    }

    @Test
    void hostedServerRunsInItsOwnProcessAndCountsExactly() {
        try (HostedServer server = HostedServer.start("thread-pool", ServerOptions.defaults().withThreads(4))) {
            assertNotEquals(ProcessHandle.current().pid(), server.pid());
            LoadResult r = Load.closedLoop(server).connections(4).warmup(Duration.ZERO)
                    .duration(Duration.ofMillis(500)).exactDurations().run();
            assertEquals(0, r.totalErrors(), r.summary());
            assertEquals(r.requests(), server.stats().requests(), r.summary());
        }
    }
}
