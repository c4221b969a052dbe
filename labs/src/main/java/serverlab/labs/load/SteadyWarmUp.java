package serverlab.labs.load;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.Table;

/**
 * A warm-up that ends when throughput is steady: every {@code window} it reads how many responses
 * have arrived, turns the difference into a rate and feeds {@link SteadyThroughput}; it stops
 * when the rule says steady or {@code max} has passed.
 *
 * <p>When the server is a JVM of its own, the warm-up also watches that JVM's JIT compiler threads and
 * calls nothing steady while they are busy: throughput often pauses on a plateau while the first, quick
 * compiler's code runs and the optimising one is still at work, then climbs again (seen here: four windows
 * agreeing at 32,000 req/s, then 55,000-63,000 once C2's code arrived, inside the measurement).
 *
 * <p>The clock is a parameter so that tests can drive it with simulated servers instead of waiting.
 */
final class SteadyWarmUp {

    /** Time as the warm-up sees it. */
    interface Clock {
        long nanoTime();

        void sleepNanos(long nanos) throws InterruptedException;
    }

    static final Clock SYSTEM = new Clock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void sleepNanos(long nanos) throws InterruptedException {
            Thread.sleep(nanos / 1_000_000L, (int) (nanos % 1_000_000L));
        }
    };

    /** The JIT counts as idle when it used at most this fraction of one core over the last two windows. */
    static final double JIT_IDLE = 0.10;

    private final Duration window;
    private final double tolerance;
    private final Duration max;
    private final Clock clock;

    SteadyWarmUp(Duration window, double tolerance, Duration max, Clock clock) {
        this.window = window;
        this.tolerance = tolerance;
        this.max = max;
        this.clock = clock;
    }

    /**
     * Watches from {@code start} (a {@link Clock#nanoTime()} value) until steady, {@code max}, or
     * {@code running} turns false; {@code elapsedMillis} hears the progress after each window.
     * {@code jitCpuMs} is the CPU time (ms) the server's JIT compilers have used so far, or null when there
     * is no JIT to watch (a server that is not a JVM, or one inside this JVM, whose JIT serves the notebook
     * too). Measuring should start right after it returns.
     */
    WarmUp await(long start, LongSupplier responses, LongSupplier jitCpuMs, BooleanSupplier running,
                 LongConsumer elapsedMillis) throws InterruptedException {
        SteadyThroughput rule = new SteadyThroughput(tolerance);
        DoubleColumn time = DoubleColumn.create("time_s");
        DoubleColumn rps = DoubleColumn.create("rps");
        DoubleColumn jitMs = DoubleColumn.create("jit_ms");
        // Before the watch: a first Table can take a while to load.
        Table series = jitCpuMs == null ? Table.create("warm-up", time, rps) : Table.create("warm-up", time, rps, jitMs);
        long windowStart = start;
        long countedBefore = responses.getAsLong();
        long jitBefore = jitCpuMs == null ? 0 : jitCpuMs.getAsLong();
        double jitLastWindow = Double.MAX_VALUE;
        boolean steady;
        long now;
        do {
            long wait = windowStart + window.toNanos() - clock.nanoTime();
            if (wait > 0) {
                clock.sleepNanos(wait);
            }
            now = clock.nanoTime();
            long counted = responses.getAsLong();
            double rate = (counted - countedBefore) * 1e9 / Math.max(1, now - windowStart);
            time.append((now - start) / 1e9);
            rps.append(rate);
            steady = rule.add(rate);
            if (jitCpuMs != null) {
                long jit = jitCpuMs.getAsLong();
                double used = Math.max(0, jit - jitBefore); // a compiler thread that ended takes its time with it
                jitMs.append(used);
                double lastTwo = used + jitLastWindow;
                steady &= lastTwo <= JIT_IDLE * 2 * (now - windowStart) / 1e6;
                jitLastWindow = used;
                jitBefore = jit;
            }
            countedBefore = counted;
            windowStart = now;
            elapsedMillis.accept((now - start) / 1_000_000L);
        } while (!steady && now - start < max.toNanos() && running.getAsBoolean());
        return new WarmUp(true, Duration.ofNanos(now - start), steady, window, tolerance, jitCpuMs != null, series);
    }
}
