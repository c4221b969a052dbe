package serverlab.servers.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Map;

/**
 * What one event loop did: its wake-ups, the ready keys they dispatched, and its events by type. Only the
 * loop's thread counts, so a count is a plain {@code long} read and written back; the write is opaque, so
 * another thread reading the stats sees whole, recent values, and the loop pays no fence or atomic instruction.
 */
public final class LoopCounters {

    /** What is counted; {@link #key} is the suffix of the stats key {@code "<loop>.<key>"}. */
    public enum Count {
        WAKEUPS("wakeups"),                // select() returned: ready channels, a queued task, the tick or a timer
        READY_KEYS("readyKeys"),           // ready channels dispatched (per wake-up: readyKeys / wakeups)
        ACCEPT("accept"),                  // connections taken in (accepted, or handed over by an acceptor thread)
        READ("read"),                      // reads that completed at least one request
        PARTIAL_READ("partialRead"),       // reads that left a request incomplete: the parser keeps the bytes
        WRITE_COMPLETED("writeCompleted"), // output the socket could not take at once, finished on OP_WRITE
        COMPLETION("completion"),          // answers handed back by a helper thread through the task queue
        TIMER("timer");                    // timers that fired (answers due later, /delay)

        private final String key;

        Count(String key) {
            this.key = key;
        }

        public String key() {
            return key;
        }
    }

    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);
    // Padding: the counters of two loops, allocated one after the other, must not share a cache line.
    private static final int PAD = 8;

    private final long[] counts = new long[PAD + Count.values().length + PAD];

    /** Loop thread only. */
    public void add(Count count, long n) {
        int i = PAD + count.ordinal();
        SLOT.setOpaque(counts, i, counts[i] + n);
    }

    /** Loop thread only. */
    public void increment(Count count) {
        add(count, 1);
    }

    /** Loop thread only: select() returned with {@code readyKeys} ready channels. */
    public void wokeUp(int readyKeys) {
        increment(Count.WAKEUPS);
        add(Count.READY_KEYS, readyKeys);
    }

    /** Any thread. */
    public long get(Count count) {
        return (long) SLOT.getOpaque(counts, PAD + count.ordinal());
    }

    /** Any thread: every count as {@code "<loop>.<key>" -> value}, into {@code into}. */
    void putInto(String loop, Map<String, Long> into) {
        for (Count count : Count.values()) into.put(loop + "." + count.key(), get(count));
    }
}
