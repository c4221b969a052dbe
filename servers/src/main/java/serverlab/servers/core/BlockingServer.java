package serverlab.servers.core;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.concurrent.atomic.LongAdder;

import serverlab.servers.ServerOptions;

/**
 * Base of the servers built on blocking {@link java.net.ServerSocket}/{@link Socket} I/O.
 * It binds the listener and knows how to serve, refuse and stop connections; a subclass
 * only decides which thread runs {@link #serve}, which is the whole point of the comparison.
 */
public abstract class BlockingServer extends AbstractServer {

    protected final ServerSocket listener;
    private final InetSocketAddress address;
    protected final OpenConnections connections = new OpenConnections();

    protected BlockingServer(String architecture, ServerOptions options) throws IOException {
        super(architecture, options);
        this.listener = Listeners.serverSocket(options, false);
        address = (InetSocketAddress) listener.getLocalSocketAddress();
    }

    @Override
    public InetSocketAddress address() {
        return address;
    }

    /**
     * Waits for the next connection the server has room for; connections beyond
     * {@code maxConnections} are answered 503 and closed here.
     *
     * @return the connection, or null once the listener is closed (stop)
     */
    protected Socket accept() {
        while (true) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (SocketException closed) {
                return null;
            } catch (IOException e) { // e.g. EMFILE: out of file descriptors; back off instead of spinning
                sleepQuietly(10);
                continue;
            }
            if (context.admitsConnection()) return socket;
            BlockingHttpConnection.refuse(socket, context, context.connectionLimitReason());
        }
    }

    /** Registers the connection (so stops can reach it); call {@code run()} on the thread that will serve it. */
    protected BlockingHttpConnection connection(Socket socket, LongAdder worker) {
        return new BlockingHttpConnection(socket, context, worker, connections);
    }

    @Override
    protected void drain() {
        closeListener();
        connections.closeIdle();
    }

    @Override
    protected void shutdown() {
        closeListener();
        connections.closeAll();
        connections.stopSweeping();
        stopThreads();
    }

    /** Stop the threads the subclass started; connections and the listener are closed already. */
    protected abstract void stopThreads();

    private void closeListener() {
        try {
            listener.close();
        } catch (IOException e) {
            // nothing to do: it is closed either way
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
