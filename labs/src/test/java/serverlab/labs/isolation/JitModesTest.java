package serverlab.labs.isolation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

/** The same server interpreted and fully compiled: the interpreter is slower once both are steady. */
class JitModesTest {

    @Test
    void theInterpreterIsSlowerThanTheFullJit() {
        JitModes.Result interpreted = JitModes.measure(JitModes.Mode.INTERPRETER, "event-loop", Duration.ofSeconds(4), 8);
        JitModes.Result compiled = JitModes.measure(JitModes.Mode.FULL_JIT, "event-loop", Duration.ofSeconds(4), 8);

        Table summary = JitModes.summary(List.of(interpreted, compiled));
        String shown = summary.print();
        // -Xint serves about a sixth of the full JIT's rate here; under a noisy neighbour, less than 70 % still holds
        assertTrue(interpreted.steadyRps() < 0.7 * compiled.steadyRps(), shown);
        assertEquals(1.0, summary.doubleColumn("vs_full_jit").get(1), 1e-9, shown);

        Table series = JitModes.series(List.of(interpreted, compiled));
        assertEquals(interpreted.series().rowCount() + compiled.series().rowCount(), series.rowCount());
        assertTrue(interpreted.series().rowCount() >= 20, "too few buckets to see a warm-up: " + interpreted.series().rowCount());
    }

    @Test
    void steadyRateAndTimeToPeak() {
        double[] climb = {100, 300, 850, 950, 1000, 990, 1010, 1000, 980};
        assertEquals(1000, JitModes.steadyRate(climb)); // median of the last third: 980, 1000, 1010
        assertEquals(3, JitModes.firstAtPeak(climb, 1000)); // 950 is the first at >= 900
        double[] flat = {500, 510, 490, 500};
        assertEquals(0, JitModes.firstAtPeak(flat, JitModes.steadyRate(flat)));
    }
}
