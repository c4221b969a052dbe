package serverlab.labs.metrics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Takes a reading at a fixed interval on a daemon thread while something else runs: one right away (a baseline
 * even for a short run), one per interval, and a last one at {@link #stop()}. A reading that throws
 * {@link IllegalStateException} ends the sampling (what it reads has gone, e.g. the process exited).
 * The shared loop of {@link Sampler} (process figures) and {@code LoopEvents} (a server's loop counters).
 */
public final class Periodic<T> implements AutoCloseable {

    /** One reading and when it was taken, in nanoseconds since sampling started. */
    public record Reading<T>(long nanos, T value) {
    }

    private final Supplier<T> read;
    private final long intervalNanos;
    private final long startNanos = System.nanoTime();
    private final List<Reading<T>> readings = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    private Periodic(String threadName, Duration interval, Supplier<T> read) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive");
        }
        this.read = read;
        this.intervalNanos = interval.toNanos();
        takeReading();
        thread = Thread.ofPlatform().daemon().name(threadName).start(this::loop);
    }

    /** Starts reading {@code read} every {@code interval} on a daemon thread named {@code threadName}. */
    public static <T> Periodic<T> start(String threadName, Duration interval, Supplier<T> read) {
        return new Periodic<>(threadName, interval, read);
    }

    private void loop() {
        long next = System.nanoTime() + intervalNanos;
        while (running) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
                continue;
            }
            if (!takeReading()) {
                return;
            }
            next += intervalNanos;
        }
    }

    private boolean takeReading() {
        try {
            T value = read.get();
            synchronized (readings) {
                readings.add(new Reading<>(System.nanoTime() - startNanos, value));
            }
            return true;
        } catch (IllegalStateException gone) {
            return false;
        }
    }

    /** Stops after one final reading. Idempotent. */
    public void stop() {
        if (!running) {
            return;
        }
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        takeReading();
    }

    @Override
    public void close() {
        stop();
    }

    /** Every reading so far, oldest first (a copy). */
    public List<Reading<T>> readings() {
        synchronized (readings) {
            return List.copyOf(readings);
        }
    }
}
