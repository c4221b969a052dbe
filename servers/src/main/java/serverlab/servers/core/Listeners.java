package serverlab.servers.core;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.spi.SelectorProvider;

import serverlab.servers.ServerOptions;

/**
 * Opens every listening socket of every architecture, so all of them queue connections alike:
 * the same backlog, the same address. Worker processes that share a port ask for SO_REUSEPORT.
 */
public final class Listeners {

    /**
     * Kernel accept queue length of every architecture (and of the nginx, Netty and Jetty references);
     * Linux caps it at {@code net.core.somaxconn}.
     */
    public static final int BACKLOG = 4096;

    private Listeners() {
    }

    /** A bound blocking listener for the thread and process architectures. */
    public static ServerSocket serverSocket(ServerOptions options, boolean reusePort) throws IOException {
        return bound(new ServerSocket(), listener -> {
            listener.setOption(portSharing(reusePort), true);
            listener.bind(address(options), BACKLOG);
        });
    }

    /** A bound listening channel from {@code provider} (blocking mode; a reactor switches it to non-blocking). */
    public static ServerSocketChannel channel(SelectorProvider provider, ServerOptions options, boolean reusePort) throws IOException {
        return bound(provider.openServerSocketChannel(), listener -> {
            listener.setOption(portSharing(reusePort), true);
            listener.bind(address(options), BACKLOG);
        });
    }

    /**
     * Whether Linux hands the connections queued on a closing SO_REUSEPORT listener to a sibling listener
     * ({@code net.ipv4.tcp_migrate_req = 1}, Linux 5.14+). When it does not (the default), a worker that stops
     * listening resets a connection that completes its handshake in the instant between the worker's last
     * accept and its close; real nginx avoids this by sharing one listening socket, unless it is told {@code reuseport}.
     */
    public static boolean kernelMigratesQueuedConnections() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/net/ipv4/tcp_migrate_req")).trim().equals("1");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private interface Setup<T> {
        void apply(T listener) throws IOException;
    }

    // A listener that fails to bind (port taken) is closed, not leaked.
    private static <T extends Closeable> T bound(T listener, Setup<T> setup) throws IOException {
        try {
            setup.apply(listener);
            return listener;
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
    }

    // SO_REUSEPORT: several processes listen on one port; SO_REUSEADDR: a restarted server may bind at once.
    private static SocketOption<Boolean> portSharing(boolean reusePort) {
        return reusePort ? StandardSocketOptions.SO_REUSEPORT : StandardSocketOptions.SO_REUSEADDR;
    }

    private static InetSocketAddress address(ServerOptions options) throws IOException {
        return new InetSocketAddress(InetAddress.getByName(options.bindAddress()), options.port());
    }
}
