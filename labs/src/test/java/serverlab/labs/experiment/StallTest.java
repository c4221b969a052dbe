package serverlab.labs.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import serverlab.labs.load.Load;
import serverlab.labs.load.LoadResult;
import serverlab.labs.load.LoadTest;
import serverlab.servers.Server;
import serverlab.servers.ServerOptions;
import serverlab.servers.Servers;

/**
 * Coordinated omission on a real server stalled by {@code /pause}: one 1 s stall in a 4 s run.
 * The open loop keeps its schedule, so ~a quarter of its requests wait through the stall; the
 * closed loop stops sending while stalled, so only its 10 in-flight requests see it.
 */
class StallTest {

    private static LoadResult stalledRun(LoadTest load, Server server) throws Exception {
        try (Stall stall = Stall.after(server, Duration.ofSeconds(1), Duration.ofSeconds(1))) {
            LoadResult r = load.connections(10).warmup(Duration.ZERO).duration(Duration.ofSeconds(4))
                    .timeout(Duration.ofSeconds(3)).exactDurations().progress(false).run();
            assertEquals(200, stall.awaitTriggered(Duration.ofSeconds(1)));
            return r;
        }
    }

    @Test
    void openLoopShowsTheStallThatClosedLoopHides() throws Exception {
        ServerOptions options = ServerOptions.defaults().withThreads(16); // 10 load connections + the trigger
        LoadResult open;
        try (Server server = Servers.start("thread-pool", options)) {
            open = stalledRun(Load.openLoop(server).rate(400), server);
        }
        LoadResult closed;
        try (Server server = Servers.start("thread-pool", options)) {
            closed = stalledRun(Load.closedLoop(server), server);
        }
        assertEquals(0, open.totalErrors(), open.summary());
        assertTrue(open.p999Ms() >= 700, "open loop p99.9 shows the 1 s stall: " + open.summary());
        assertTrue(open.p99Ms() >= 500, "so does its p99: " + open.summary());
        assertTrue(closed.maxMs() >= 700, "the closed loop was stalled too: " + closed.summary());
        assertTrue(closed.requests() > 2000, "enough requests for p99 to exclude 10 stalled ones: " + closed.summary());
        assertTrue(closed.p99Ms() < 200, "closed loop p99 hides the stall: " + closed.summary());
    }
}
