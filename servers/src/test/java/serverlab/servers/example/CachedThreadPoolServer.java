package serverlab.servers.example;

import java.io.IOException;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;

import serverlab.servers.ServerOptions;
import serverlab.servers.core.BlockingServer;

/**
 * {@code cached-thread-pool}: the README's "how to add an architecture" example. The acceptor hands each
 * connection to {@link Executors#newCachedThreadPool()}, which reuses an idle thread or starts a new one
 * (Java's classic answer to thread-per-connection's creation cost).
 *
 * <p>Concurrency: one platform thread per open connection, as thread-per-connection, but a thread outlives
 * its connection by 60 s and serves the next one; no bound besides {@code maxConnections}.
 */
public final class CachedThreadPoolServer extends BlockingServer {

    public static final String NAME = "cached-thread-pool";

    private final ExecutorService pool = Executors.newCachedThreadPool(Thread.ofPlatform().name(NAME + "-", 1).factory());
    private final Thread acceptor;

    public CachedThreadPoolServer(ServerOptions options) throws IOException {
        super(NAME, options);
        acceptor = Thread.ofPlatform().name(NAME + "-acceptor").start(this::acceptLoop);
        announce();
    }

    private void acceptLoop() {
        LongAdder worker = context.stats().requestCounter("pool-threads");
        Socket socket;
        while ((socket = accept()) != null) {
            pool.execute(connection(socket, worker));
        }
    }

    @Override
    protected void stopThreads() {
        pool.shutdownNow(); // connections are closed already; wake a /sleep
        acceptor.interrupt();
    }
}
