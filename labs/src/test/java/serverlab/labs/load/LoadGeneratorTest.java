package serverlab.labs.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import serverlab.labs.testing.CountingHttpServer;
import serverlab.servers.Server;
import serverlab.servers.ServerOptions;
import serverlab.servers.Servers;

/**
 * The load generator against small test servers whose behaviour is known exactly.
 * Timing assertions use wide, stated tolerances: the machine is shared and noisy.
 */
class LoadGeneratorTest {

    private static long sum(tech.tablesaw.api.Table t, String column) {
        return (long) t.numberColumn(column).sum();
    }

    @Test
    void closedLoopCountsMatchTheServerExactlyWithHundredsOfConnections() throws Exception {
        try (var server = new CountingHttpServer()) {
            LoadResult r = Load.closedLoop(server.url()).connections(300).warmup(Duration.ZERO)
                    .duration(Duration.ofSeconds(2)).exactDurations().path("/hello").run();
            assertEquals(0, r.totalErrors(), r.summary());
            assertEquals(0, r.unfinished(), r.summary());
            assertTrue(r.requests() > 300, r.summary());
            // With no warm-up and a drain at the end, every request the server answered was measured.
            assertEquals(server.requests(), r.requests(), r.summary());
            assertEquals(r.requests(), sum(r.timeSeries(), "requests"));
            assertEquals(300, r.connections());
        }
    }

    /**
     * An iterative server serves one connection until it ends. Of two clients on two generator threads one is
     * served and one waits the whole run; the served one's thread drains at once, and if it closed its connection
     * then, the server would answer the waiting client during the other thread's drain (chapter 02's prefork pool
     * check saw 5 of 4 served that way).
     */
    @Test
    void aClientThatWaitedTheWholeRunStaysUnansweredWhileOtherThreadsDrain() throws Exception {
        try (Server iterative = Servers.start("iterative", ServerOptions.defaults())) {
            LoadResult r = Load.closedLoop(iterative).connections(2).threads(2).path("/hello").warmup(Duration.ZERO)
                    .duration(Duration.ofSeconds(1)).exactDurations().drain(Duration.ofMillis(1500))
                    .timeout(Duration.ofSeconds(5)).run();
            assertTrue(r.requests() > 0, r.summary());
            assertEquals(1, r.unanswered(), r.summary());
        }
    }

    @Test
    void pipelinedWeightedMixIsCountedPerPath() throws Exception {
        try (var server = new CountingHttpServer()) {
            LoadResult r = Load.closedLoop(server.url()).connections(8).pipeline(4).threads(1)
                    .mix(Map.of("/a", 3.0, "/b", 1.0)).warmup(Duration.ZERO)
                    .duration(Duration.ofSeconds(1)).exactDurations().run();
            assertEquals(0, r.totalErrors(), r.summary());
            assertEquals(server.requests(), r.requests());
            assertEquals(server.requests("/a"), r.requestsPerPath().get("/a"));
            assertEquals(server.requests("/b"), r.requestsPerPath().get("/b"));
            double shareOfA = (double) r.requestsPerPath().get("/a") / r.requests();
            assertTrue(shareOfA > 0.70 && shareOfA < 0.80, "weight 3:1 → ~75% /a, got " + shareOfA);
        }
    }

    @Test
    void openLoopSendsAtTheRequestedRate() throws Exception {
        try (var server = new CountingHttpServer()) {
            LoadResult r = Load.openLoop(server.url()).rate(1000).connections(20).warmup(Duration.ZERO)
                    .duration(Duration.ofSeconds(2)).exactDurations().run();
            assertEquals(0, r.totalErrors(), r.summary());
            // Constant rate: 2000 requests are due in 2 s; allow 5% for scheduling at the edges.
            assertTrue(Math.abs(r.requests() - 2000) <= 100, r.summary());
            assertEquals(server.requests(), r.requests() + r.unfinished(), r.summary());
            assertEquals(1000.0, r.offeredRate());
        }
    }

    @Test
    void poissonArrivalsAverageTheRequestedRate() throws Exception {
        try (var server = new CountingHttpServer()) {
            LoadResult r = Load.openLoop(server.url()).rate(2000).poisson().connections(20).warmup(Duration.ZERO)
                    .duration(Duration.ofSeconds(2)).exactDurations().run();
            // 4000 expected; a Poisson count has sd = sqrt(4000) ≈ 63, allow ±10%.
            assertTrue(Math.abs(r.requests() - 4000) <= 400, r.summary());
        }
    }

    /**
     * One request in 80 takes 50 ms more. (Exactly one in 100 would put p99 on the boundary
     * between fast and slow: 99% of requests are fast, so p99 would be a fast value.)
     */
    @Test
    void p99ReflectsOneSlowRequestInEighty() throws Exception {
        try (var server = new CountingHttpServer(CountingHttpServer.delayEvery(80, 50))) {
            LoadResult r = Load.closedLoop(server.url()).connections(10).warmup(Duration.ofMillis(300))
                    .duration(Duration.ofSeconds(3)).exactDurations().run();
            assertTrue(r.requests() > 1000, r.summary());
            assertTrue(r.p99Ms() >= 45 && r.p99Ms() <= 80, "p99 should be ~50 ms (45–80): " + r.summary());
            assertTrue(r.p50Ms() < 10, "p50 should be small (< 10 ms): " + r.summary());
            assertTrue(r.p90Ms() < 10, "p90 should be small (< 10 ms): " + r.summary());
        }
    }

    /**
     * The classic coordinated-omission demonstration: the server stalls for 1 s once.
     * The open loop keeps its schedule, so every request due during the stall waits and
     * shows it (at 400 req/s over 4 s, ~400 of 1600 requests fall in the stall, ~12% wait
     * over 500 ms). The closed loop stops sending while stalled: only its 10 in-flight
     * requests see the stall, far fewer than 1%, so its p99 stays low; only max shows it.
     */
    @Test
    void openLoopShowsAStallThatClosedLoopHides() throws Exception {
        LoadResult open;
        try (var server = new CountingHttpServer(CountingHttpServer.stallOnce(1000, 1000))) {
            open = Load.openLoop(server.url()).rate(400).connections(10).warmup(Duration.ZERO)
                    .duration(Duration.ofSeconds(4)).timeout(Duration.ofSeconds(3)).exactDurations().run();
        }
        LoadResult closed;
        try (var server = new CountingHttpServer(CountingHttpServer.stallOnce(1000, 1000))) {
            closed = Load.closedLoop(server.url()).connections(10).warmup(Duration.ZERO)
                    .duration(Duration.ofSeconds(4)).timeout(Duration.ofSeconds(3)).exactDurations().run();
        }
        assertEquals(0, open.totalErrors(), open.summary());
        assertEquals(0, closed.totalErrors(), closed.summary());
        assertTrue(open.p99Ms() >= 500, "open loop p99 must show the 1 s stall: " + open.summary());
        assertTrue(open.p90Ms() >= 300, "open loop p90 must show the stall too: " + open.summary());
        assertTrue(open.maxMs() >= 900, open.summary());
        assertTrue(closed.requests() > 2000, "need enough requests for p99 to exclude 10 stalled ones: " + closed.summary());
        assertTrue(closed.p99Ms() < 100, "closed loop p99 hides the stall: " + closed.summary());
        assertTrue(closed.maxMs() >= 900, "closed loop max still shows the stall: " + closed.summary());
        // The time series localises the stall: some second of the open-loop run has p99 ≥ 500 ms.
        assertTrue(open.timeSeries().doubleColumn("p99").max() >= 500, open.timeSeries().print());
    }

    @Test
    void errorsAreCountedByKind() throws Exception {
        int closedPort;
        try (var s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        LoadResult refused = Load.closedLoop("127.0.0.1:" + closedPort).connections(2).warmup(Duration.ZERO)
                .duration(Duration.ofMillis(500)).exactDurations().run();
        assertTrue(refused.errors(ErrorKind.CONNECT) > 0, refused.summary());
        assertEquals(0, refused.requests());

        try (var server = new CountingHttpServer()) {
            LoadResult missing = Load.closedLoop(server.url() + "/missing").connections(2).warmup(Duration.ZERO)
                    .duration(Duration.ofMillis(500)).exactDurations().run();
            assertEquals(missing.requests(), missing.errors(ErrorKind.NON_2XX), missing.summary());
            assertTrue(missing.requests() > 0);

            LoadResult hang = Load.closedLoop(server.url()).path("/hang").connections(2).warmup(Duration.ZERO)
                    .timeout(Duration.ofMillis(200)).duration(Duration.ofMillis(900)).exactDurations().run();
            assertTrue(hang.errors(ErrorKind.TIMEOUT) >= 2, hang.summary());
            assertEquals(0, hang.requests());

            long before = server.requests();
            LoadResult closing = Load.closedLoop(server.url()).path("/close").connections(2).warmup(Duration.ZERO)
                    .duration(Duration.ofMillis(500)).exactDurations().run();
            assertEquals(0, closing.totalErrors(), "Connection: close is not an error: " + closing.summary());
            assertEquals(server.requests() - before, closing.requests());
        }
    }

    @Test
    void refusesNonLoopbackTargetsUnlessAllowed() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Load.closedLoop("http://192.0.2.1:80").duration(Duration.ofMillis(100)).run());
        assertTrue(e.getMessage().contains("allowNonLoopback"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> Load.openLoop("127.0.0.1:1").run(), "open loop needs a rate");
    }
}
