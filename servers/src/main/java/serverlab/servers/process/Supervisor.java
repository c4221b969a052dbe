package serverlab.servers.process;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps {@code count} worker processes alive: starts them, and when one exits while the server is running,
 * starts a replacement in the same slot. Quick repeated deaths back off exponentially (50 ms … 5 s) so a
 * worker that crashes at start-up does not fork-bomb the machine; a worker that lived 10 s resets the backoff.
 */
public final class Supervisor implements AutoCloseable {

    /** Starts the worker for one slot (0 … count-1). */
    public interface Launcher {
        WorkerProcess launch(int slot) throws IOException;
    }

    static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final long FIRST_BACKOFF_MS = 50, MAX_BACKOFF_MS = 5_000, STABLE_AFTER_MS = 10_000;

    private final Launcher launcher;
    private final WorkerProcess[] slots;
    private final long[] startedAt;
    private final int[] quickDeaths;
    private final AtomicInteger restarts = new AtomicInteger();
    /** Last stats of every worker that ever ran, so totals survive restarts. */
    private final Map<Long, WorkerStats> lastKnown = new ConcurrentHashMap<>();
    private final ScheduledExecutorService restarter = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "supervisor");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean stopping;

    public Supervisor(int count, Launcher launcher) {
        this.launcher = launcher;
        this.slots = new WorkerProcess[count];
        this.startedAt = new long[count];
        this.quickDeaths = new int[count];
    }

    /** Starts every worker and waits until all of them listen; on failure stops those already started. */
    public void start() throws IOException {
        try {
            for (int slot = 0; slot < slots.length; slot++) {
                launch(slot);
            }
            for (WorkerProcess worker : workers()) {
                worker.awaitReady(READY_TIMEOUT);
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private synchronized void launch(int slot) throws IOException {
        if (stopping) {
            return; // checked under the lock that close() takes, so no worker starts after close() collected them
        }
        WorkerProcess worker = launcher.launch(slot);
        slots[slot] = worker;
        startedAt[slot] = System.nanoTime();
        worker.onExit().thenRun(() -> onWorkerExit(slot, worker));
    }

    private synchronized void onWorkerExit(int slot, WorkerProcess dead) {
        if (stopping || slots[slot] != dead) {
            return;
        }
        long livedMs = (System.nanoTime() - startedAt[slot]) / 1_000_000;
        quickDeaths[slot] = livedMs > STABLE_AFTER_MS ? 0 : quickDeaths[slot] + 1;
        long backoffMs = quickDeaths[slot] <= 1 ? 0
                : Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS << Math.min(20, quickDeaths[slot] - 2));
        restarter.schedule(() -> restart(slot), backoffMs, TimeUnit.MILLISECONDS);
    }

    private void restart(int slot) {
        if (stopping) {
            return;
        }
        try {
            launch(slot);
            if (!stopping) {
                restarts.incrementAndGet();
            }
        } catch (IOException e) {
            System.err.println("supervisor: restarting worker " + slot + " failed: " + e);
            restarter.schedule(() -> restart(slot), MAX_BACKOFF_MS, TimeUnit.MILLISECONDS);
        }
    }

    public int restarts() {
        return restarts.get();
    }

    public synchronized List<WorkerProcess> workers() {
        List<WorkerProcess> all = new ArrayList<>();
        for (WorkerProcess worker : slots) {
            if (worker != null) {
                all.add(worker);
            }
        }
        return all;
    }

    public List<Long> livePids() {
        return workers().stream().filter(WorkerProcess::isAlive).map(WorkerProcess::pid).toList();
    }

    /** Fresh counters from live workers, last known ones from dead workers, keyed by pid. */
    public Map<Long, WorkerStats> stats(Duration timeoutPerWorker) {
        for (WorkerProcess worker : workers()) {
            lastKnown.put(worker.pid(), worker.stats(timeoutPerWorker));
        }
        return Map.copyOf(lastKnown);
    }

    /** Asks every worker to stop accepting and drain, waits up to {@code timeout}, then kills what is left. */
    public void stopGracefully(Duration timeout) {
        stopping = true;
        List<WorkerProcess> workers = workers();
        workers.forEach(w -> w.requestStop(timeout));
        long deadline = System.nanoTime() + timeout.toNanos();
        for (WorkerProcess worker : workers) {
            worker.awaitExit(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        }
        restarter.shutdownNow();
    }

    @Override
    public void close() {
        stopping = true;
        restarter.shutdownNow();
        List<WorkerProcess> workers = workers();
        workers.forEach(WorkerProcess::requestTermination);
        workers.forEach(w -> w.awaitExit(Duration.ofSeconds(2)));
    }
}
