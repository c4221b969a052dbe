package serverlab.labs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import serverlab.labs.load.Load;
import serverlab.labs.load.LoadResult;
import serverlab.labs.load.LoadTest.Stage;
import tech.tablesaw.api.Table;

/** The autoscaler under a load step: more servers while it lasts, one again after, and not one GET lost. */
class AutoscalerTest {

    /**
     * Enough that no request waits in the load generator for a free connection (it would count as unanswered if the
     * run ended then) while the new servers are cold: their first requests can take seconds on a busy machine.
     */
    private static final int CONNECTIONS = 256;

    @Test
    void scalesUpUnderALoadStepAndBackDownWithoutDroppingARequest() throws Exception {
        Set<Long> before = descendants();
        Autoscaler autoscaler;
        LoadResult result;
        try (Cluster cluster = Cluster.builder().appServers(1).threadsPerServer(CONNECTIONS).dataTier(DataTier.Kind.H2).start()) {
            Load.closedLoop(cluster).path("/api/items").connections(4).warmup(Duration.ZERO).duration(Duration.ofSeconds(1))
                    .exactDurations().progress(false).run();
            autoscaler = Autoscaler.of(cluster).servers(1, 3).targetPerServer(2)
                    .sampling(Duration.ofMillis(100), Duration.ofMillis(500)).coolDown(Duration.ofMillis(300))
                    .scaleDownDelay(Duration.ofSeconds(1)).start();
            try (autoscaler) {
                // 50 req/s, 800 req/s for 2 s, then 50 req/s for 15 s: time to add servers (a JVM can take 10 s to start
                // on a busy machine), drain the backlog and remove them again, under load
                result = Load.openLoop(cluster).path("/api/items").connections(CONNECTIONS)
                        .rate(List.of(Stage.at(Duration.ZERO, 50), Stage.at(Duration.ofSeconds(1), 800), Stage.at(Duration.ofSeconds(3), 50)))
                        .warmup(Duration.ZERO).duration(Duration.ofSeconds(18)).timeout(Duration.ofSeconds(15))
                        .drain(Duration.ofSeconds(15)).resendOnKeepAliveClose().exactDurations().progress(false).run();
                for (long deadline = System.nanoTime() + 30_000_000_000L; autoscaler.servers() > 1 && System.nanoTime() < deadline; ) {
                    Thread.sleep(100); // idle now: it scales down after its delay
                }
            }
            assertEquals(1, cluster.liveAppServers(), autoscaler.timeline().print());
        }
        Table timeline = autoscaler.timeline();
        String run = result.summary() + "\n" + result.timeSeries().print(200) + "\n" + timeline.print(1000);
        assertEquals(0, result.totalErrors(), run);
        assertEquals(0, result.unanswered(), run);
        assertTrue(timeline.intColumn("servers").max() > 1, timeline.print());
        List<String> decisions = timeline.stringColumn("decision").asList();
        assertTrue(decisions.stream().anyMatch(d -> d.startsWith("up")), timeline.print());
        assertTrue(decisions.stream().anyMatch(d -> d.startsWith("down")), timeline.print());
        assertEquals(Set.of(), descendants().stream().filter(pid -> !before.contains(pid)).collect(Collectors.toSet()),
                "processes left running after close");
    }

    private static Set<Long> descendants() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).map(ProcessHandle::pid).collect(Collectors.toSet());
    }
}
