package serverlab.servers.process;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;

/**
 * Holds a TCP port for worker processes that listen on it with SO_REUSEPORT. The parent binds a socket with
 * SO_REUSEPORT but never listens on it: the kernel spreads connections only over listening sockets, so the
 * parent gets none, yet the port stays ours (and keeps its number) while every worker is dead or restarting.
 */
public final class PortReservation implements AutoCloseable {

    private final SocketChannel socket;
    private final InetSocketAddress address;

    public PortReservation(String bindAddress, int port) throws IOException {
        socket = SocketChannel.open();
        try {
            socket.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            socket.bind(new InetSocketAddress(bindAddress, port));
            address = (InetSocketAddress) socket.getLocalAddress();
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    public InetSocketAddress address() {
        return address;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }
}
