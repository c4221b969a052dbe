package serverlab.labs.load;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import serverlab.servers.Server;
import serverlab.servers.ServerOptions;
import serverlab.servers.Servers;

class OpenLoopWarmUpTest {

    /**
     * Two threads answering /sleep?ms=20 serve at most 100 requests/s. Offered 300/s, an open loop that warmed up
     * at that rate would start its window behind a backlog of seconds and answer nothing in it; warmed up by a
     * closed loop, it measures the saturated server: about 100 answers/s and a latency that grows with the queue.
     */
    @Test
    void anOverloadedOpenLoopMeasuresTheServerNotItsOwnWarmUpBacklog() {
        try (Server server = Servers.start("thread-pool", ServerOptions.defaults().withThreads(2).withQueueCapacity(1000))) {
            LoadResult r = Load.openLoop(server).rate(300).connections(50).path("/sleep?ms=20")
                    .warmUpUntilSteady(Duration.ofMillis(250), 0.10, Duration.ofSeconds(2))
                    .duration(Duration.ofSeconds(1)).timeout(Duration.ofSeconds(10)).exactDurations().run();
            assertTrue(r.requests() >= 50, "answers in the window of a saturated server: " + r.summary());
            assertTrue(r.achievedRate() <= 150, "a 2-thread /sleep?ms=20 server cannot exceed 100/s: " + r.summary());
            assertTrue(r.p99Ms() >= 100, "queueing shows in the latency: " + r.summary());
        }
    }
}
