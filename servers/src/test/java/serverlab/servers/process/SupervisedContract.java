package serverlab.servers.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Architectures with a fixed set of supervised workers: prefork, nginx-style, IIS-style. */
public abstract class SupervisedContract extends ArchitectureContract {

    @Test
    void killedWorkerIsRestartedAndServiceContinues() throws Exception {
        List<Long> before = server.workerPids();
        assertEquals(2, before.size());
        assertTrue(server.stats().requestsPerWorker().keySet().containsAll(before.stream().map(String::valueOf).toList()));
        int restarts = ((MultiProcessServer) server).restarts();

        long victim = before.get(0);
        ProcessHandle.of(victim).orElseThrow().destroyForcibly();

        List<Long> after = before;
        for (long deadline = System.nanoTime() + 30_000_000_000L; System.nanoTime() < deadline; Thread.sleep(50)) {
            after = server.workerPids();
            if (after.size() == 2 && !after.contains(victim)) {
                break;
            }
        }
        assertEquals(2, after.size(), "workers after the kill: " + after);
        assertFalse(after.contains(victim));
        assertTrue(after.contains(before.get(1)), "the other worker kept running");
        assertEquals(restarts + 1, ((MultiProcessServer) server).restarts());

        // new connections are served, by both the survivor and the replacement sooner or later
        long served = 0;
        for (int i = 0; i < 40; i++) {
            try (HttpTestClient client = new HttpTestClient(address())) {
                if (client.get("/hello").status() == 200) {
                    served++;
                }
            }
        }
        assertEquals(40, served);
    }

    /** Under memory pressure the kernel kills a worker, which the master replaces, rather than the master. */
    @Test
    void workersVolunteerToTheOomKillerBeforeTheirMaster() throws Exception {
        for (long worker : server.workerPids()) {
            assertEquals(String.valueOf(Worker.OOM_SCORE_ADJ), Files.readString(Path.of("/proc/" + worker + "/oom_score_adj")).trim(),
                    "worker " + worker);
        }
    }
}
