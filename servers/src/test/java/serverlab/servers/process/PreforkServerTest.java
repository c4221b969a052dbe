package serverlab.servers.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import serverlab.servers.ServerOptions;

class PreforkServerTest extends SupervisedContract {

    private static final ServerOptions TWO_WORKERS = ServerOptions.defaults().withWorkers(2).withIdleTimeout(Duration.ofSeconds(10));

    @Override
    protected String name() {
        return PreforkServer.NAME;
    }

    /**
     * Closing a listener resets the connections queued on it, so a stopping worker must take them in first: those
     * waiting behind the request it is serving, and (for a worker that was idle in accept) none, without hanging.
     */
    @Test
    void aGracefulStopServesTheConnectionsQueuedBehindBusyWorkers() throws Exception {
        try (PreforkServer prefork = PreforkServer.start(TWO_WORKERS);
             QueuedRequests queued = QueuedRequests.send(address(prefork), 6, 800)) {
            List<Long> workers = prefork.workerPids();
            prefork.stopGracefully(Duration.ofSeconds(20));
            queued.assertEveryOneAnswered();
            for (long pid : workers) {
                assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "worker " + pid + " still runs");
            }
            assertEquals(6, prefork.stats().requests(), "the workers reported their final counters as they exited");
            assertEquals(0, prefork.stats().errors());
        }
    }

    /** Chapter 02's point: an idle worker is a thread asleep in the kernel's accept, woken by nothing (no polling). */
    @Test
    void idleWorkersSleepInTheKernelsAcceptWithoutWaking() throws Exception {
        try (PreforkServer prefork = PreforkServer.start(TWO_WORKERS)) {
            for (long pid : prefork.workerPids()) {
                Path thread = acceptingThread(pid, Duration.ofSeconds(20))
                        .orElseThrow(() -> new AssertionError("no thread of worker " + pid + " sleeps in inet_csk_accept"));
                String before = Files.readString(thread.resolve("stat")), switchesBefore = voluntarySwitches(thread);
                Thread.sleep(1000);
                assertEquals("inet_csk_accept", Files.readString(thread.resolve("wchan")).trim());
                assertEquals(switchesBefore, voluntarySwitches(thread), "the accepting thread woke up during an idle second");
                assertEquals(cpuTicks(before), cpuTicks(Files.readString(thread.resolve("stat"))), "CPU time of the accepting thread");
            }
        }
    }

    private static InetSocketAddress address(PreforkServer server) {
        return new InetSocketAddress("127.0.0.1", server.address().getPort());
    }

    /** /proc/PID/task/TID of the worker's thread that sleeps in accept (it gets there once the worker is ready). */
    private static Optional<Path> acceptingThread(long pid, Duration timeout) throws IOException, InterruptedException {
        for (long deadline = System.nanoTime() + timeout.toNanos(); System.nanoTime() < deadline; Thread.sleep(50)) {
            try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
                for (Path task : tasks.toList()) {
                    if (Files.readString(task.resolve("wchan")).trim().equals("inet_csk_accept")) return Optional.of(task);
                }
            }
        }
        return Optional.empty();
    }

    private static String voluntarySwitches(Path thread) throws IOException {
        return Files.readAllLines(thread.resolve("status")).stream().filter(l -> l.startsWith("voluntary_ctxt_switches:"))
                .findFirst().orElseThrow();
    }

    /** utime + stime from a /proc stat line (fields 14 and 15; the command name in parentheses may hold spaces). */
    private static long cpuTicks(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        assertTrue(fields.length > 12, stat);
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }
}
