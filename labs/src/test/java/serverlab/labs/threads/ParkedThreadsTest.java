package serverlab.labs.threads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import serverlab.labs.metrics.ProcessTreeSample;

class ParkedThreadsTest {

    @Test
    void platformThreadsAreOneKernelThreadEach() {
        try (ParkedThreads none = ParkedThreads.start(ParkedThreads.Kind.PLATFORM, 0);
             ParkedThreads parked = ParkedThreads.start(ParkedThreads.Kind.PLATFORM, 500)) {
            int extra = parked.sample().threads() - none.sample().threads();
            assertTrue(extra >= 500 && extra < 520, "500 parked platform threads added " + extra + " kernel threads");
            assertEquals(500, parked.count());
        }
    }

    @Test
    void virtualThreadsShareAFewKernelThreads() {
        try (ParkedThreads none = ParkedThreads.start(ParkedThreads.Kind.VIRTUAL, 0);
             ParkedThreads parked = ParkedThreads.start(ParkedThreads.Kind.VIRTUAL, 5_000)) {
            ProcessTreeSample s = parked.sample();
            int extra = s.threads() - none.sample().threads();
            assertTrue(extra <= 2 * Runtime.getRuntime().availableProcessors() + 4,
                    "5,000 parked virtual threads added " + extra + " kernel threads (carriers and a poller or two)");
            assertTrue(parked.heapUsedBytes() > none.heapUsedBytes() + 5_000 * 100L,
                    "each parked virtual thread keeps its stack on the heap: " + parked.heapUsedBytes() + " vs " + none.heapUsedBytes());
            assertTrue(parked.startTime().toNanos() > 0);
        }
    }

    @Test
    void closeEndsTheChild() {
        ParkedThreads parked = ParkedThreads.start(ParkedThreads.Kind.VIRTUAL, 10);
        long pid = parked.pid();
        parked.close();
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        assertFalse(handle.isPresent() && handle.get().isAlive(), "child " + pid + " still alive after close()");
    }
}
