package serverlab.labs.experiment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Connections that are open and say nothing, like browsers holding keep-alive connections
 * between clicks: what each one costs a server (a thread, a buffer, a file descriptor) while the
 * measured load runs beside them. Loopback only, like the load generator.
 */
public final class IdleConnections implements AutoCloseable {

    private final List<SocketChannel> channels = new ArrayList<>();

    private IdleConnections() {
    }

    /** Opens {@code count} connections to {@code address} (a wildcard address means loopback). */
    public static IdleConnections open(InetSocketAddress address, int count) {
        InetSocketAddress target = address.getAddress().isAnyLocalAddress()
                ? new InetSocketAddress(InetAddress.getLoopbackAddress(), address.getPort()) : address;
        if (!target.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("idle connections go to loopback servers only: " + address);
        }
        IdleConnections idle = new IdleConnections();
        try {
            for (int i = 0; i < count; i++) {
                idle.channels.add(SocketChannel.open(target));
            }
        } catch (IOException e) {
            idle.close();
            throw new UncheckedIOException("opened only " + idle.channels.size() + " of " + count + " idle connections", e);
        }
        return idle;
    }

    public int count() {
        return channels.size();
    }

    @Override
    public void close() {
        for (SocketChannel channel : channels) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        channels.clear();
    }
}
