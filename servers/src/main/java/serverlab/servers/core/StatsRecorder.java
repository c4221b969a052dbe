package serverlab.servers.core;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import serverlab.servers.ServerStats;

/**
 * The counters behind {@link ServerStats}. {@link LongAdder}s, because many threads count
 * at once and a shared {@code AtomicLong} would become a contended cache line. Each worker
 * (thread, event loop) gets its own adder, looked up once and then incremented per request.
 */
public final class StatsRecorder {

    private final LongAdder accepted = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final AtomicInteger active = new AtomicInteger();
    private final ConcurrentHashMap<String, LongAdder> requestsPerWorker = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LoopCounters> loops = new ConcurrentHashMap<>();

    /** The request counter of one worker (thread, event loop, process); keep it instead of looking it up per request. */
    public LongAdder requestCounter(String worker) {
        return requestsPerWorker.computeIfAbsent(worker, n -> new LongAdder());
    }

    /** The counters of one event loop, counted by its thread and reported as {@link ServerStats#loopEvents()}. */
    public LoopCounters loopCounters(String loop) {
        return loops.computeIfAbsent(loop, n -> new LoopCounters());
    }

    public void connectionOpened() {
        accepted.increment();
        active.incrementAndGet();
    }

    /** A connection accepted only to be told 503 and closed: counted as accepted, never active. */
    public void connectionRefused() {
        accepted.increment();
        errors.increment();
    }

    /** A connection counted by {@link #connectionOpened()} that is then refused: do not count the accept twice. */
    public void connectionRefusedAfterAccept() {
        accepted.decrement();
    }

    public void connectionClosed() {
        active.decrementAndGet();
    }

    public void requestAnswered(LongAdder worker, int status) {
        worker.increment();
        if (status >= 400) errors.increment();
    }

    public int activeConnections() {
        return active.get();
    }

    public ServerStats snapshot() {
        Map<String, Long> perWorker = new TreeMap<>();
        long requests = 0;
        for (var entry : requestsPerWorker.entrySet()) {
            long count = entry.getValue().sum();
            perWorker.put(entry.getKey(), count);
            requests += count;
        }
        Map<String, Long> loopEvents = new TreeMap<>();
        loops.forEach((loop, counters) -> counters.putInto(loop, loopEvents));
        return new ServerStats(accepted.sum(), requests, active.get(), errors.sum(), perWorker, loopEvents);
    }
}
