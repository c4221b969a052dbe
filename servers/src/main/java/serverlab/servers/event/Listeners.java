package serverlab.servers.event;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.spi.SelectorProvider;

import serverlab.servers.ServerOptions;
import serverlab.servers.core.BlockingServer;

/** Opens listening channels for the event-driven servers. */
public final class Listeners {

    private Listeners() {
    }

    /** A bound listening channel from {@code provider} (blocking mode; a reactor switches it to non-blocking). */
    public static ServerSocketChannel bind(SelectorProvider provider, ServerOptions options) throws IOException {
        ServerSocketChannel listener = provider.openServerSocketChannel();
        try {
            listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            listener.bind(new InetSocketAddress(InetAddress.getByName(options.bindAddress()), options.port()), BlockingServer.BACKLOG);
            return listener;
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
    }

    /** Waits for a thread to end, at most {@code millis}; stops are bounded in time. */
    static void join(Thread thread, long millis) {
        try {
            thread.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
