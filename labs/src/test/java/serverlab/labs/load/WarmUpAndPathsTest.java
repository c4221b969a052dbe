package serverlab.labs.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import serverlab.labs.charts.Charts;
import serverlab.labs.testing.CountingHttpServer;
import serverlab.servers.Server;
import serverlab.servers.ServerOptions;
import serverlab.servers.Servers;
import tech.tablesaw.api.Row;
import tech.tablesaw.api.Table;

/** Warm-up until steady against a ramping and a steady server; per-path percentiles of a mix. */
class WarmUpAndPathsTest {

    private static final Duration MAX_WARM_UP = Duration.ofSeconds(10);

    /**
     * A climb like a JIT warming up: every response is held 8 ms at first, one ms less every 250 ms,
     * so throughput keeps rising for 2 s, then stays at the server's full speed.
     */
    private static CountingHttpServer.Behaviour rampingFor2Seconds() {
        AtomicLong first = new AtomicLong();
        return (n, now) -> {
            first.compareAndSet(0, now);
            return Math.max(0, 8 - (now - first.get()) / 250_000_000L);
        };
    }

    private static LoadResult warmUpAgainst(CountingHttpServer server) {
        // ±25%: wider than the default so a noisy shared machine still converges on the steady server
        return Load.closedLoop(server.url()).connections(4).threads(1)
                .warmUpUntilSteady(Duration.ofMillis(250), 0.25, MAX_WARM_UP)
                .duration(Duration.ofMillis(500)).exactDurations().progress(false).run();
    }

    /**
     * A server whose throughput climbs for 2 s ends the warm-up after the climb (lower bound: no
     * speed assumed); a steady server ends it sooner. Both converge, and the summary says so.
     */
    @Test
    void warmUpEndsWhenThroughputStopsChanging() throws Exception {
        LoadResult ramping;
        try (var server = new CountingHttpServer(rampingFor2Seconds())) {
            ramping = warmUpAgainst(server);
        }
        LoadResult steady;
        try (var server = new CountingHttpServer()) {
            steady = warmUpAgainst(server);
        }
        WarmUp r = ramping.warmUp();
        WarmUp s = steady.warmUp();
        assertTrue(r.untilSteady() && r.steady(), ramping.summary() + "\n" + r.series().print());
        assertTrue(r.took().compareTo(Duration.ofSeconds(2)) > 0, "ended during the climb: " + r.series().print());
        assertTrue(s.steady(), steady.summary() + "\n" + s.series().print());
        assertTrue(s.took().compareTo(r.took()) < 0, "steady " + s.took() + " vs ramping " + r.took());
        assertTrue(ramping.summary().contains("warm-up: steady after"), ramping.summary());
        assertEquals(r.series().rowCount(), (int) Math.round(r.took().toMillis() / 250.0), r.series().print());
    }

    /** A server that never settles: the warm-up stops at its bound and reports that it did not converge. */
    @Test
    void warmUpGivesUpAtItsBoundAndSaysSo() throws Exception {
        AtomicLong first = new AtomicLong();
        // alternately slow and fast every 250 ms: never four similar windows
        CountingHttpServer.Behaviour seesaw = (n, now) -> {
            first.compareAndSet(0, now);
            return ((now - first.get()) / 250_000_000L) % 2 == 0 ? 5 : 0;
        };
        try (var server = new CountingHttpServer(seesaw)) {
            LoadResult r = Load.closedLoop(server.url()).connections(4).threads(1)
                    .warmUpUntilSteady(Duration.ofMillis(250), 0.10, Duration.ofMillis(1500))
                    .duration(Duration.ofMillis(300)).exactDurations().progress(false).run();
            assertFalse(r.warmUp().steady(), r.warmUp().series().print());
            assertTrue(r.warmUp().took().compareTo(Duration.ofMillis(1500)) >= 0, r.summary());
            assertTrue(r.summary().contains("NOT steady"), r.summary());
        }
    }

    @Test
    void fixedWarmUpSaysItDidNotLook() throws Exception {
        try (var server = new CountingHttpServer()) {
            LoadResult r = Load.closedLoop(server.url()).connections(2).warmup(Duration.ofMillis(200))
                    .duration(Duration.ofMillis(300)).exactDurations().progress(false).run();
            assertFalse(r.warmUp().untilSteady());
            assertEquals(Duration.ofMillis(200), r.warmUp().took());
            assertTrue(r.summary().contains("warm-up: fixed 0.2 s"), r.summary());
        }
    }

    /** /hello and /sleep?ms=50 in one run: each path keeps its own percentiles. */
    @Test
    void perPathPercentilesKeepAFastAndASlowPathApart() {
        try (Server server = Servers.start("virtual-threads", ServerOptions.defaults())) {
            LoadResult r = Load.closedLoop(server).connections(8).mix(Map.of("/hello", 1.0, "/sleep?ms=50", 1.0))
                    .warmup(Duration.ofMillis(200)).duration(Duration.ofSeconds(1)).exactDurations().progress(false).run();
            assertEquals(0, r.totalErrors(), r.summary());
            Table paths = r.perPath();
            assertEquals(2, paths.rowCount(), paths.print());
            Row hello = null, sleep = null;
            for (Row row : paths) {
                if (row.getString("path").equals("/hello")) hello = paths.row(row.getRowNumber());
                else sleep = paths.row(row.getRowNumber());
            }
            assertEquals(r.requestsPerPath().get("/hello"), hello.getLong("count"));
            assertEquals(r.requestsPerPath().get("/sleep?ms=50"), sleep.getLong("count"));
            assertEquals(r.requests(), hello.getLong("count") + sleep.getLong("count"));
            assertTrue(sleep.getDouble("p50_ms") >= 50, paths.print());
            assertTrue(hello.getDouble("p50_ms") < 25, "/hello is not slowed to /sleep's 50 ms: " + paths.print());
            assertTrue(r.summary().contains("/sleep?ms=50: "), r.summary());
            assertEquals(2, Charts.latencyPercentilesByPath(r).getSeriesMap().size());
        }
    }
}
