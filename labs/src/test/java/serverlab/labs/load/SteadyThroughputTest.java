package serverlab.labs.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The warm-up's stopping rule, fed window rates directly (no clock involved). */
class SteadyThroughputTest {

    /** The 1-based index of the window at which the rule first calls the series steady, or -1. */
    private static int steadyAt(double... rates) {
        SteadyThroughput rule = new SteadyThroughput(0.10);
        for (int i = 0; i < rates.length; i++) {
            if (rule.add(rates[i])) {
                return i + 1;
            }
        }
        return -1;
    }

    @Test
    void aFlatSeriesIsSteadyAsSoonAsItHasFourWindows() {
        assertEquals(4, steadyAt(1000, 1030, 980, 1010, 1000));
    }

    @Test
    void aRampEndsTheWarmUpOnlyFourWindowsAfterItFlattens() {
        // a cold JIT: 32k climbing to 70k over six windows, flat from the sixth
        assertEquals(9, steadyAt(32_000, 38_000, 45_000, 52_000, 60_000, 70_000, 70_500, 69_800, 70_200, 70_100));
    }

    /** +3% per window stays inside ±10% over four windows; the halves' comparison catches it. */
    @Test
    void aSlowClimbIsNotSteady() {
        assertEquals(-1, steadyAt(100, 103, 106.1, 109.3, 112.6, 115.9, 119.4, 123));
    }

    @Test
    void oneOutlierWindowRestartsTheCount() {
        assertEquals(8, steadyAt(1000, 1000, 1000, 600, 1000, 1000, 1000, 1000));
    }

    @Test
    void noTrafficIsNeverSteady() {
        assertEquals(-1, steadyAt(0, 0, 0, 0, 0, 0));
    }

    @Test
    void toleranceMustBeAFraction() {
        assertThrows(IllegalArgumentException.class, () -> new SteadyThroughput(10));
        assertThrows(IllegalArgumentException.class, () -> new SteadyThroughput(0));
    }
}
