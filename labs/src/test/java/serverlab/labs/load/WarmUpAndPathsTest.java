package serverlab.labs.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import serverlab.labs.charts.Charts;
import serverlab.labs.testing.CountingHttpServer;
import serverlab.servers.Server;
import serverlab.servers.ServerOptions;
import serverlab.servers.Servers;
import tech.tablesaw.api.Row;
import tech.tablesaw.api.Table;

/** Warm-up as a run reports it; per-path percentiles of a mix. */
class WarmUpAndPathsTest {

    /**
     * Without a warm-up setting a run warms up until steady (bounded here to 2 s), reports each
     * window it watched, and measures after it. How long it takes depends on the machine, so only
     * what cannot vary is asserted; {@link SteadyWarmUpTest} checks the timing on a simulated clock.
     */
    @Test
    void runsWarmUpUntilSteadyByDefaultAndReportIt() throws Exception {
        try (var server = new CountingHttpServer()) {
            LoadResult byDefault = Load.closedLoop(server.url()).connections(2).duration(Duration.ofMillis(300))
                    .exactDurations().progress(false).run();
            assertTrue(byDefault.warmUp().untilSteady(), byDefault.summary());
            LoadResult r = Load.closedLoop(server.url()).connections(2)
                    .warmUpUntilSteady(Duration.ofMillis(250), 0.10, Duration.ofSeconds(2))
                    .duration(Duration.ofMillis(300)).exactDurations().progress(false).run();
            WarmUp w = r.warmUp();
            assertTrue(w.took().compareTo(Duration.ofMillis(250)) >= 0, "at least one window: " + w);
            assertTrue(w.series().rowCount() >= 1 && w.series().rowCount() <= w.took().toMillis() / 250, w.series().print());
            assertTrue(w.steady() || w.took().compareTo(Duration.ofSeconds(2)) >= 0, "steady, or stopped at the bound: " + w);
            assertTrue(r.summary().contains(w.steady() ? "warm-up: steady after" : "warm-up: NOT steady"), r.summary());
            assertTrue(r.requests() > 0, r.summary());
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
