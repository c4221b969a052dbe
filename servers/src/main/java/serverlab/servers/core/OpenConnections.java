package serverlab.servers.core;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The live connections of a blocking server, so a stop can reach the threads blocked in them. */
public final class OpenConnections {

    private static final long SWEEP_MILLIS = 100;

    private final Set<BlockingHttpConnection> connections = ConcurrentHashMap.newKeySet();
    private volatile Thread sweeper;

    void add(BlockingHttpConnection connection) {
        connections.add(connection);
    }

    void remove(BlockingHttpConnection connection) {
        connections.remove(connection);
    }

    public int size() {
        return connections.size();
    }

    /**
     * Enforces read deadlines by a sweep every 100 ms instead of a timed read per request:
     * on virtual threads a timed read parks with a timer task each time, which cost a third
     * of the throughput. Connections of a swept registry read without SO_TIMEOUT.
     */
    public synchronized void sweepTimeouts(String threadName) {
        if (sweeper != null) return;
        sweeper = Thread.ofPlatform().daemon().name(threadName).start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(SWEEP_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
                long now = System.nanoTime();
                connections.forEach(connection -> connection.expireIfLate(now));
            }
        });
    }

    boolean swept() {
        return sweeper != null;
    }

    public void stopSweeping() {
        Thread current = sweeper;
        if (current != null) current.interrupt();
    }

    /** Graceful: close connections waiting between requests; busy ones close after their response. */
    public void closeIdle() {
        connections.forEach(BlockingHttpConnection::closeIfIdle);
    }

    /** Urgent: close every connection. */
    public void closeAll() {
        connections.forEach(BlockingHttpConnection::closeNow);
    }
}
