package serverlab.servers.core;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The live connections of a blocking server, so a stop can reach the threads blocked in them. */
public final class OpenConnections {

    private final Set<BlockingHttpConnection> connections = ConcurrentHashMap.newKeySet();

    void add(BlockingHttpConnection connection) {
        connections.add(connection);
    }

    void remove(BlockingHttpConnection connection) {
        connections.remove(connection);
    }

    public int size() {
        return connections.size();
    }

    /** Graceful: close connections waiting between requests; busy ones close after their response. */
    /** Wakes every virtual-thread reader that waited past its deadline (see BlockingHttpConnection). */
    public void expireLate() {
        long now = System.nanoTime();
        connections.forEach(connection -> connection.expireIfLate(now));
    }

    public void closeIdle() {
        connections.forEach(BlockingHttpConnection::closeIfIdle);
    }

    /** Urgent: close every connection. */
    public void closeAll() {
        connections.forEach(BlockingHttpConnection::closeNow);
    }
}
