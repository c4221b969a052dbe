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
 * when the rule says steady or {@code max} has passed. The clock is a parameter so that tests can
 * drive it with simulated servers instead of waiting.
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
     * Measuring should start right after it returns.
     */
    WarmUp await(long start, LongSupplier responses, BooleanSupplier running, LongConsumer elapsedMillis)
            throws InterruptedException {
        SteadyThroughput rule = new SteadyThroughput(tolerance);
        DoubleColumn time = DoubleColumn.create("time_s");
        DoubleColumn rps = DoubleColumn.create("rps");
        Table series = Table.create("warm-up", time, rps); // before the watch: a first Table can take a while to load
        long windowStart = start;
        long countedBefore = responses.getAsLong();
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
            countedBefore = counted;
            windowStart = now;
            elapsedMillis.accept((now - start) / 1_000_000L);
        } while (!steady && now - start < max.toNanos() && running.getAsBoolean());
        return new WarmUp(true, Duration.ofNanos(now - start), steady, window, tolerance, series);
    }
}
