package serverlab.labs.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import serverlab.labs.testing.FullLength;
import org.knowm.xchart.XYChart;
import serverlab.labs.charts.Charts;
import serverlab.servers.ServerOptions;
import tech.tablesaw.api.Table;

/**
 * Sweeps of parameters other than connections, on real in-process servers with small bounded
 * runs. The servers are chosen so that the shapes follow from the workload, not the machine's
 * speed: a pool of N threads serving {@code /sleep?ms=S} completes at most N × 1000/S requests/s.
 */
@ExtendWith(FullLength.class) // its assertions count the rows and lengths of a full-sized sweep
class ParameterSweepTest {

    private static Sweep small(String... architectures) {
        return Sweep.of(architectures).inProcess().warmup(Duration.ofMillis(200)).duration(Duration.ofSeconds(1))
                .exactDurations().sampleInterval(Duration.ofMillis(100)).liveChart(false);
    }

    private static double at(Table sweep, double value, String column) {
        return sweep.where(sweep.doubleColumn("value").isEqualTo(value)).row(0).getNumber(column);
    }

    /**
     * 4 threads × /sleep?ms=50 saturate at ~80 req/s. Offered 20 … 200 req/s in an open loop: the
     * achieved rate follows the offered one, then falls behind while latency shoots up (the backlog
     * grows for as long as the run lasts); the knee lies below the overloaded rates. Only bounds that
     * follow from the pool and the sleep are asserted, so the shape holds on a busy machine.
     */
    @Test
    void rateSweepDrawsTheHockeyStickAndFindsTheKnee() {
        Table sweep = small("thread-pool").rates(20, 40, 60, 120, 200).connectionsPerRun(4)
                .options(ServerOptions.defaults().withThreads(4)).paths("/sleep?ms=50").run();
        String table = sweep.print();
        assertEquals(5, sweep.rowCount(), table);
        assertEquals(List.of("rate"), sweep.stringColumn("parameter").unique().asList());
        assertEquals(List.of("open"), sweep.stringColumn("mode").unique().asList(), table);
        assertEquals(20, at(sweep, 20, "rps"), 3, "below capacity the server keeps up: " + table);
        assertTrue(at(sweep, 200, "rps") < 0.6 * 200, "above capacity it falls behind: " + table);
        // Past the knee requests queue: the 0.2 s warm-up alone leaves ≥ 24 requests queued at ≤ 80 req/s, so
        // every request of the window waits ≥ 0.3 s (a lower bound: a slower machine only makes it longer).
        assertTrue(at(sweep, 200, "p50_ms") >= 250, "past the knee latency shoots up: " + table);

        List<Knee> knees = Knee.find(sweep);
        assertEquals(1, knees.size(), table);
        assertTrue(knees.get(0).offeredRps() >= 20 && knees.get(0).offeredRps() <= 60, knees + "\n" + table);

        XYChart chart = Charts.latencyVsOfferedLoad(sweep);
        assertTrue(chart.getSeriesMap().keySet().stream().anyMatch(name -> name.startsWith("knee of thread-pool")),
                chart.getSeriesMap().keySet().toString());
        assertTrue(Charts.toPng(chart).length > 1000);
        assertEquals(1, Charts.throughputVsOfferedLoad(sweep).getSeriesMap().size());
    }

    /** Four keep-alive connections on a pool of 1 thread: one is served; with 4 threads, all four. */
    @Test
    void serverThreadsSweepChangesThePool() {
        Table sweep = small("thread-pool").serverThreads(1, 4).connectionsPerRun(4).paths("/sleep?ms=20").run();
        String table = sweep.print();
        assertEquals(List.of("server_threads"), sweep.stringColumn("parameter").unique().asList());
        assertTrue(at(sweep, 4, "rps") > 2.5 * at(sweep, 1, "rps"), table);
        assertEquals(4, sweep.intColumn("connections").get(0), table);
    }

    /** Any parameter through a lambda: here the handler's sleep, through the load's path. */
    @Test
    void anyParameterThroughALambda() {
        Table sweep = small("virtual-threads").connectionsPerRun(4)
                .parameter("sleep_ms", List.of(5, 40), (o, v) -> o, (t, v) -> t.path("/sleep?ms=" + v)).run();
        String table = sweep.print();
        assertEquals(List.of("sleep_ms"), sweep.stringColumn("parameter").unique().asList());
        assertTrue(at(sweep, 40, "p50_ms") >= 40, table);
        assertTrue(at(sweep, 5, "p50_ms") < 40, table);
        assertEquals("p50_ms vs sleep_ms", Charts.vsParameter(sweep, "p50_ms", "latency (ms)").getTitle());
    }

    /** Idle connections are held open during the run: each shows as file descriptors (both ends, in-process). */
    @Test
    void idleConnectionsSweepHoldsConnectionsOpen() {
        Table sweep = small("event-loop").idleConnections(0, 100).connectionsPerRun(2).run();
        String table = sweep.print();
        assertEquals(100, sweep.intColumn("idle_connections").get(1), table);
        assertEquals(0, sweep.longColumn("errors").get(1), table);
        assertTrue(at(sweep, 100, "fds") - at(sweep, 0, "fds") >= 100, table);
    }
}
