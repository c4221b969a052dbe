package serverlab.labs.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The warm-up loop on a simulated clock against simulated servers: the number of responses at
 * time t is the integral of the server's throughput curve, so the outcome is exact, whatever the
 * machine is doing.
 */
class SteadyWarmUpTest {

    private static final Duration WINDOW = Duration.ofMillis(250);
    private static final Duration MAX = Duration.ofSeconds(15);

    /** A clock that only moves when the warm-up sleeps. */
    private static final class FakeClock implements SteadyWarmUp.Clock {
        long now = 1_000_000_000L;

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void sleepNanos(long nanos) {
            now += nanos;
        }
    }

    /** Warms up against a server whose throughput at {@code t} seconds is {@code rps.applyAsDouble(t)}. */
    private static WarmUp warmUp(DoubleUnaryOperator rps) {
        return warmUp(rps, null);
    }

    /**
     * The same, for a server in a JVM of its own whose JIT compilers keep {@code jitCores.applyAsDouble(t)}
     * cores busy at {@code t} seconds (null: no JIT to watch).
     */
    private static WarmUp warmUp(DoubleUnaryOperator rps, DoubleUnaryOperator jitCores) {
        FakeClock clock = new FakeClock();
        long start = clock.now;
        double[] responses = {0};
        double[] integratedUntil = {0};
        try {
            return new SteadyWarmUp(WINDOW, 0.10, MAX, clock).await(start, () -> {
                double t = (clock.now - start) / 1e9;
                for (double s = integratedUntil[0]; s < t; s += 0.001) {
                    responses[0] += rps.applyAsDouble(s) * Math.min(0.001, t - s); // 1 ms steps
                }
                integratedUntil[0] = t;
                return (long) responses[0];
            }, jitCores == null ? null : () -> {
                double t = (clock.now - start) / 1e9, jitMs = 0;
                for (double s = 0; s < t; s += 0.001) {
                    jitMs += jitCores.applyAsDouble(s) * Math.min(0.001, t - s) * 1000;
                }
                return (long) jitMs;
            }, () -> true, elapsed -> { });
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aSteadyServerEndsTheWarmUpAfterFourWindows() {
        WarmUp w = warmUp(t -> 70_000);
        assertTrue(w.untilSteady() && w.steady());
        assertEquals(Duration.ofSeconds(1), w.took());
        assertEquals(4, w.series().rowCount());
        assertEquals(70_000, w.series().doubleColumn("rps").get(3), 100);
    }

    /** A cold JIT: 32k req/s climbing to 70k over 3 s. The warm-up outlasts the climb. */
    @Test
    void aRampingServerEndsTheWarmUpOnlyAfterTheClimb() {
        WarmUp w = warmUp(t -> 32_000 + 38_000 * Math.min(1, t / 3));
        assertTrue(w.steady(), w.series().print());
        assertTrue(w.took().compareTo(Duration.ofSeconds(3)) >= 0, "ended during the climb: " + w.series().print());
        assertTrue(w.took().compareTo(Duration.ofSeconds(5)) <= 0, "four flat windows after the climb suffice: " + w.took());
        assertTrue(w.took().compareTo(warmUp(t -> 70_000).took()) > 0);
    }

    /** Throughput that alternates every window never settles: the warm-up stops at its bound and says so. */
    @Test
    void aServerThatNeverSettlesHitsTheBound() {
        WarmUp w = warmUp(t -> ((int) (t / 0.25)) % 2 == 0 ? 10_000 : 30_000);
        assertFalse(w.steady());
        assertEquals(MAX, w.took());
        assertTrue(w.describe().contains("NOT steady after 15.00 s"), w.describe());
    }

    /**
     * Tiered compilation: a plateau at 32k req/s while C1's code runs and C2 compiles (40 % of a core) for
     * 3 s, then 60k. Throughput alone calls the plateau steady; watching the JIT waits for C2's code.
     */
    @Test
    void aPlateauWhileTheJitCompilesIsNotSteady() {
        DoubleUnaryOperator plateauThenClimb = t -> t < 3 ? 32_000 : 60_000;
        WarmUp throughputOnly = warmUp(plateauThenClimb);
        assertEquals(Duration.ofSeconds(1), throughputOnly.took(), "the trap this guards against: " + throughputOnly.series().print());

        WarmUp watched = warmUp(plateauThenClimb, t -> t < 3 ? 0.4 : 0.0);
        assertTrue(watched.steady() && watched.watchedJit(), watched.series().print());
        assertTrue(watched.took().compareTo(Duration.ofSeconds(4)) >= 0, "ended before C2's code ran steadily: " + watched.series().print());
        assertEquals(60_000, watched.series().doubleColumn("rps").get(watched.series().rowCount() - 1), 100);
        assertEquals(100, watched.series().doubleColumn("jit_ms").get(0), 1); // 40 % of a 250 ms window
        assertTrue(watched.describe().contains("the server's JIT idle"), watched.describe());
    }

    /** A JIT that compiles a little now and then (under 10 % of a core) does not hold the warm-up back. */
    @Test
    void aNearlyIdleJitDoesNotDelayASteadyServer() {
        WarmUp w = warmUp(t -> 70_000, t -> 0.05);
        assertTrue(w.steady());
        assertEquals(Duration.ofSeconds(1), w.took());
    }
}
