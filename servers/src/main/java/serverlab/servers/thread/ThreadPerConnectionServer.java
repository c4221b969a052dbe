package serverlab.servers.thread;

import java.io.IOException;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import serverlab.servers.ServerOptions;
import serverlab.servers.core.BlockingServer;

/**
 * {@code thread-per-connection}: the acceptor starts a new platform (OS) thread for every
 * connection, which serves it until it closes (CS:APP's {@code echoservert}).
 *
 * <p>Concurrency: one kernel thread per connection, created and destroyed each time. Simple
 * blocking code; costs a stack (and a thread creation) per connection, so memory and
 * scheduling overhead grow with the number of clients. Bounded only by {@code maxConnections}.
 */
public final class ThreadPerConnectionServer extends BlockingServer {

    private final Thread acceptor;
    private final AtomicLong threadNumber = new AtomicLong();

    public ThreadPerConnectionServer(ServerOptions options) throws IOException {
        super("thread-per-connection", options);
        acceptor = Thread.ofPlatform().name("thread-per-connection-acceptor").start(this::acceptLoop);
        announce();
    }

    private void acceptLoop() {
        // Counted under one key: per-thread keys would grow without bound, one per connection.
        LongAdder worker = context.stats().requestCounter("connection-threads");
        Socket socket;
        while ((socket = accept()) != null) {
            var conversation = connection(socket, worker);
            try {
                Thread.ofPlatform().name("connection-" + threadNumber.incrementAndGet()).start(conversation);
            } catch (OutOfMemoryError e) { // "unable to create native thread": the OS thread limit
                conversation.rejectUnserved("no thread available");
            }
        }
    }

    @Override
    protected void stopThreads() {
        // Connection threads end when their sockets close (done by shutdown()).
    }
}
