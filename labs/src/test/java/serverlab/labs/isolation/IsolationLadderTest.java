package serverlab.labs.isolation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import serverlab.labs.isolation.IsolationLadder.Rung;
import serverlab.labs.isolation.IsolationLadder.Started;
import tech.tablesaw.api.Table;

/** Each rung of the ladder costs more to start, and holds more memory idle, than the one below it. */
class IsolationLadderTest {

    @Test
    void eachRungCostsMoreThanTheOneBelow() {
        Table ladder = IsolationLadder.measure(IsolationLadder.standard(), 3);
        String shown = ladder.print();
        assertEquals(List.of("virtual thread", "platform thread", "process", "JVM"), ladder.stringColumn("rung").asList(), shown);
        for (int i = 1; i < ladder.rowCount(); i++) {
            assertTrue(ladder.doubleColumn("start_ms").get(i - 1) < ladder.doubleColumn("start_ms").get(i), shown);
            assertTrue(ladder.doubleColumn("idle_memory_mib").get(i - 1) < ladder.doubleColumn("idle_memory_mib").get(i), shown);
        }
        assertTrue(ladder.doubleColumn("idle_memory_mib").get(0) > 0, "a virtual thread's memory measured as nothing: " + shown);
    }

    @Test
    void aRungOfOnesOwnIsStartedMeasuredAndStoppedEachTime() {
        AtomicInteger stopped = new AtomicInteger();
        long[] startMillis = {5, 1, 9};
        AtomicInteger next = new AtomicInteger();
        Rung own = Rung.of("sandbox", () -> new Started(Duration.ofMillis(startMillis[next.getAndIncrement()]), 3 << 20,
                "RSS of the sandbox", stopped::incrementAndGet));
        Table ladder = IsolationLadder.measure(List.of(own), 3);
        assertEquals(3, stopped.get());
        assertEquals(5.0, ladder.doubleColumn("start_ms").get(0), 1e-9); // the median
        assertEquals(3.0, ladder.doubleColumn("idle_memory_mib").get(0), 1e-9);
        assertEquals("RSS of the sandbox", ladder.stringColumn("memory_measured_as").get(0));

        Rung broken = Rung.of("broken", () -> {
            throw new IllegalStateException("no user namespaces here");
        });
        assertTrue(assertThrows(IllegalStateException.class, () -> IsolationLadder.measure(List.of(broken), 1))
                .getMessage().contains("no user namespaces here"));
    }

    @Test
    void aCommandRungCountsUntilItsReadyLineAndStopsItAfterwards() throws Exception {
        Rung shell = Rung.ofCommand("shell", List.of("sh", "-c", "echo ready; exec cat"), "RSS of an idle cat");
        try (Started started = shell.start().call()) {
            assertTrue(started.startTime().toNanos() > 0 && started.idleMemoryBytes() > 0, started.toString());
            assertEquals(1, idleCats(), "the cat runs while measured");
        }
        assertEquals(0, idleCats(), "closed: no cat left");

        Rung silent = Rung.ofCommand("silent", List.of("sh", "-c", "echo hello; exec cat"), "-");
        assertTrue(assertThrows(IllegalStateException.class, () -> silent.start().call()).getMessage().contains("printed hello instead of ready"));
        assertEquals(0, idleCats(), "a failed rung leaves no process");
    }

    /** Children of this JVM that are cat: the command rungs' idle process. */
    private static long idleCats() throws InterruptedException {
        Thread.sleep(50);
        return ProcessHandle.current().descendants().filter(p -> p.isAlive() && p.info().command().orElse("").endsWith("/cat")).count();
    }

    @Test
    void aProcessInNewNamespacesStartsSlowerThanAPlainOne() {
        assumeTrue(Executables.onPath("unshare").isPresent(), "unshare (util-linux) is not installed");
        Table ladder;
        try {
            ladder = IsolationLadder.measure(List.of(Rung.process(), Rung.namespacedProcess()), 3);
        } catch (IllegalStateException e) {
            assumeTrue(false, "this machine refuses new namespaces: " + e.getMessage());
            return;
        }
        assertTrue(ladder.doubleColumn("start_ms").get(1) > ladder.doubleColumn("start_ms").get(0), ladder.print());
    }

    @Test
    void anEmulatedProgramRunsItsMainUnderQemuUser() throws Exception {
        assumeTrue(Emulation.availability().available(), Emulation.availability().missing());
        try (Started started = Emulation.rung().start().call()) {
            assertTrue(started.idleMemoryBytes() > 1 << 20, "qemu-aarch64 holds more than a MiB: " + started);
        }
    }
}
