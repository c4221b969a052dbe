package serverlab.servers.thread;

import java.io.IOException;
import java.net.Socket;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import serverlab.servers.ServerOptions;
import serverlab.servers.core.BlockingServer;

/**
 * {@code thread-pool}: the acceptor puts each connection into a bounded queue; a fixed pool
 * of {@code threads} platform threads takes connections from it and serves each one until
 * it closes (the classic Tomcat/Apache worker model).
 *
 * <p>Concurrency: at most {@code threads} connections are served at once; the next
 * {@code queueCapacity} wait in the queue. <b>Rejection policy:</b> when the queue is full, the
 * acceptor answers the new connection {@code 503 Service Unavailable} and closes it, instead
 * of letting the accept backlog (and the latency) grow without bound. Because a keep-alive
 * connection holds its thread while idle, {@code threads} idle clients are enough to starve
 * everybody else: watch for it in the experiments.
 */
public final class ThreadPoolServer extends BlockingServer {

    private final Thread acceptor;
    private final ThreadPoolExecutor pool;

    public ThreadPoolServer(ServerOptions options) throws IOException {
        super("thread-pool", options);
        BlockingQueue<Runnable> queue = options.queueCapacity() == 0
                ? new SynchronousQueue<>()                               // hand-off only: no waiting room
                : new ArrayBlockingQueue<>(options.queueCapacity());
        pool = new ThreadPoolExecutor(options.threads(), options.threads(), 0, TimeUnit.SECONDS, queue,
                Thread.ofPlatform().name("pool-", 1).factory(), new ThreadPoolExecutor.AbortPolicy());
        pool.prestartAllCoreThreads();
        acceptor = Thread.ofPlatform().name("thread-pool-acceptor").start(this::acceptLoop);
        announce();
    }

    private void acceptLoop() {
        Socket socket;
        while ((socket = accept()) != null) {
            var conversation = connection(socket, null); // counted under the pool thread's name
            try {
                pool.execute(conversation);
            } catch (RejectedExecutionException full) {
                conversation.rejectUnserved(context.queueFullReason());
            }
        }
    }

    @Override
    protected void stopThreads() {
        pool.shutdownNow();
        acceptor.interrupt();
    }
}
