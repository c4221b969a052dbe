package serverlab.servers.iterative;

import java.io.IOException;
import java.net.Socket;
import java.util.concurrent.atomic.LongAdder;

import serverlab.servers.ServerOptions;
import serverlab.servers.core.BlockingServer;

/**
 * {@code iterative}: one thread accepts a connection and serves it until the client
 * closes it; only then does it accept the next one (CS:APP's {@code echoserveri}).
 *
 * <p>Concurrency: none. While one keep-alive client is connected, every other client waits
 * in the kernel's accept queue; one slow request stalls everyone.
 */
public final class IterativeServer extends BlockingServer {

    private final Thread acceptor;

    public IterativeServer(ServerOptions options) throws IOException {
        super("iterative", options);
        acceptor = Thread.ofPlatform().name("iterative").start(this::acceptLoop);
        announce();
    }

    private void acceptLoop() {
        LongAdder worker = context.stats().requestCounter("iterative");
        Socket socket;
        while ((socket = accept()) != null) {
            connection(socket, worker).run(); // the whole conversation, on the accepting thread
        }
    }

    @Override
    protected void stopThreads() {
        acceptor.interrupt(); // the listener and the connection are closed already; wake a /sleep
    }
}
