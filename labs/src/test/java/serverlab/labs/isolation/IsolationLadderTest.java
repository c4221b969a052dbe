package serverlab.labs.isolation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
