package serverlab.labs.micro;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Shared state between threads: N threads each increment one shared counter M times, and the
 * final count is compared with N × M. Threads of one process share memory, so nothing stops two
 * of them from reading the same value and both writing value + 1: the developer, not the OS,
 * provides the synchronization.
 *
 * <pre>{@code
 * Counters.race(4, 1_000_000)                       // every built-in counter: lost updates and ns/increment
 * Counters.race(new MyCounter(), "mine", 4, 1_000_000)   // a counter you wrote
 * }</pre>
 *
 * <p>Every counter is driven through the same {@link Counter#increment()} call, so the
 * ns/increment figures share that call's cost. How many updates the racy counters lose varies
 * from run to run and may be zero: a race is a possibility, not a schedule. The JIT may keep a
 * plain field in a register for a whole loop, so {@code unsynchronized} loses blocks of
 * increments or none; {@code volatile} reads and writes memory every time and shows the
 * read-modify-write race at each increment ({@code volatile} makes writes visible, not
 * {@code ++} atomic).
 */
public final class Counters {

    /** A counter to share between threads. */
    public interface Counter {
        void increment();

        long get();
    }

    private Counters() {
    }

    /** The counters compared by {@link #race(int, long)}, by name. */
    public static List<String> kinds() {
        return List.of("unsynchronized", "volatile", "synchronized", "AtomicLong", "LongAdder");
    }

    /** A new counter of one of the {@link #kinds()}. */
    public static Counter of(String kind) {
        return switch (kind) {
            case "unsynchronized" -> new Counter() {
                private long count;
                public void increment() { count++; }
                public long get() { return count; }
            };
            case "volatile" -> new Counter() {
                private volatile long count;
                public void increment() { count++; } // read, add, write: the race is the point
                public long get() { return count; }
            };
            case "synchronized" -> new Counter() {
                private long count;
                public synchronized void increment() { count++; }
                public synchronized long get() { return count; }
            };
            case "AtomicLong" -> new Counter() {
                private final AtomicLong count = new AtomicLong();
                public void increment() { count.incrementAndGet(); }
                public long get() { return count.get(); }
            };
            case "LongAdder" -> new Counter() {
                private final LongAdder count = new LongAdder();
                public void increment() { count.increment(); }
                public long get() { return count.sum(); }
            };
            default -> throw new IllegalArgumentException("unknown counter " + kind + "; known: " + kinds());
        };
    }

    /** Every built-in counter, {@code threads} × {@code increments} each: one row per counter. */
    public static Table race(int threads, long increments) {
        Table table = emptyTable();
        for (String kind : kinds()) {
            append(table, kind, of(kind), threads, increments);
        }
        return table;
    }

    /** One counter (e.g. one you wrote), {@code threads} × {@code increments}: a one-row table. */
    public static Table race(Counter counter, String name, int threads, long increments) {
        Table table = emptyTable();
        append(table, name, counter, threads, increments);
        return table;
    }

    private static Table emptyTable() {
        return Table.create("shared counter: lost updates and cost",
                StringColumn.create("counter"), IntColumn.create("threads"), LongColumn.create("expected"),
                LongColumn.create("counted"), LongColumn.create("lost"), DoubleColumn.create("lost_pct"),
                DoubleColumn.create("ns_per_increment"));
    }

    private static void append(Table table, String name, Counter counter, int threads, long increments) {
        if (threads < 1 || increments < 1) {
            throw new IllegalArgumentException("need at least one thread and one increment");
        }
        long nanos = run(counter, threads, increments);
        long expected = threads * increments;
        long counted = counter.get();
        table.stringColumn("counter").append(name);
        table.intColumn("threads").append(threads);
        table.longColumn("expected").append(expected);
        table.longColumn("counted").append(counted);
        table.longColumn("lost").append(expected - counted);
        table.doubleColumn("lost_pct").append(100.0 * (expected - counted) / expected);
        table.doubleColumn("ns_per_increment").append((double) nanos / expected);
    }

    /** Starts every thread at once (a start gate), so they really compete; returns the wall time in ns. */
    private static long run(Counter counter, int threads, long increments) {
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(Thread.ofPlatform().name("counter-" + t).start(() -> {
                ready.countDown();
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (long i = 0; i < increments; i++) {
                    counter.increment();
                }
            }));
        }
        try {
            ready.await();
            long start = System.nanoTime();
            go.countDown();
            for (Thread worker : workers) {
                worker.join();
            }
            return System.nanoTime() - start;
        } catch (InterruptedException e) {
            workers.forEach(Thread::interrupt);
            Thread.currentThread().interrupt();
            throw new java.util.concurrent.CancellationException("counter race interrupted");
        }
    }
}
