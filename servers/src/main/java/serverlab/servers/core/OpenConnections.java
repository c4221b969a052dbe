package serverlab.servers.core;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The live connections of a blocking server, so a stop can reach the threads blocked in them, and
 * a sweeper that ends the blocking calls a timeout cannot: a socket write has no SO_TIMEOUT, so a
 * client that stops reading would hold the writing thread forever (nginx's {@code send_timeout}).
 */
public final class OpenConnections {

    private static final long SWEEP_MILLIS = 100;

    private final Set<BlockingHttpConnection> connections = ConcurrentHashMap.newKeySet();
    private volatile boolean sweepsReads;
    private volatile Thread sweeper; // started with the first connection
    private boolean stopped;         // guarded by this

    void add(BlockingHttpConnection connection) {
        connections.add(connection);
        if (sweeper == null) startSweeper();
    }

    private synchronized void startSweeper() {
        if (sweeper == null && !stopped) sweeper = Thread.ofPlatform().daemon().name("connection-timeouts").start(this::sweep);
    }

    void remove(BlockingHttpConnection connection) {
        connections.remove(connection);
    }

    public int size() {
        return connections.size();
    }

    /**
     * Enforces read deadlines by the sweep too, instead of a timed read per request: on virtual
     * threads a timed read parks with a timer task each time, which cost a third of the
     * throughput. Connections of such a registry read without SO_TIMEOUT.
     */
    public void sweepReads() {
        sweepsReads = true;
    }

    boolean sweepsReads() {
        return sweepsReads;
    }

    private void sweep() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(SWEEP_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            connections.forEach(connection -> connection.expireIfLate(now));
        }
    }

    /** Ends the sweeper for good; call when the server closes. */
    public synchronized void stopSweeping() {
        stopped = true;
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
