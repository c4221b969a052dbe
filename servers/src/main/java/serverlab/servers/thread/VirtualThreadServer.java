package serverlab.servers.thread;

import java.io.IOException;
import java.net.Socket;
import java.util.concurrent.atomic.LongAdder;

import serverlab.servers.ServerOptions;
import serverlab.servers.core.BlockingServer;

/**
 * {@code virtual-threads}: thread per connection again, but virtual threads (JDK 21). The
 * code is the same blocking code as {@link ThreadPerConnectionServer}; when a virtual thread
 * blocks on a socket, the JDK parks it and frees its carrier (one of a few platform threads)
 * to run another, registering the socket with an epoll poller behind the scenes.
 *
 * <p>Concurrency: as many connections as memory allows (a parked virtual thread is a few
 * hundred bytes of heap plus its stack chunk), run on about one carrier per core. Holds
 * 10,000 idle keep-alive connections without trouble; CPU-bound handlers still need cores.
 */
public final class VirtualThreadServer extends BlockingServer {

    private final Thread acceptor;

    public VirtualThreadServer(ServerOptions options) throws IOException {
        super("virtual-threads", options);
        // Idle and slow clients time out by a sweep, not a timed read per request (see OpenConnections).
        connections.sweepReads();
        acceptor = Thread.ofPlatform().name("virtual-threads-acceptor").start(this::acceptLoop);
        announce();
    }

    private void acceptLoop() {
        LongAdder worker = context.stats().requestCounter("virtual-threads");
        Thread.Builder connectionThreads = Thread.ofVirtual().name("connection-", 1);
        Socket socket;
        while ((socket = accept()) != null) {
            connectionThreads.start(connection(socket, worker));
        }
    }

    @Override
    protected void stopThreads() {
        // Virtual threads end when their sockets close (done by shutdown()).
    }
}
