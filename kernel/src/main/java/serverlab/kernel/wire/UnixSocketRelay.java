package serverlab.kernel.wire;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static java.net.StandardProtocolFamily.UNIX;

/**
 * Jupyter's {@code ipc} transport for a JeroMQ socket. JeroMQ has no Unix domain sockets (its
 * ipc:// is loopback TCP that libzmq clients never find), but ZMTP, the ZeroMQ wire protocol, is
 * the same byte stream over any stream transport. So the JeroMQ socket listens on a loopback TCP
 * port, and this relay listens on the Unix socket file the client connects to and copies the bytes
 * of each connection both ways: one virtual thread accepts, two copy per connection.
 */
public final class UnixSocketRelay implements AutoCloseable {
    private final Path path;
    private final InetSocketAddress target;
    private final ServerSocketChannel server;
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();

    /** Listens at {@code path} (owner-only where the file system allows) and relays to {@code target}. */
    public UnixSocketRelay(Path path, InetSocketAddress target) throws IOException {
        this.path = path;
        this.target = target;
        removeIfStale(path);
        server = ServerSocketChannel.open(UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
            // the directory's permissions are all there is
        }
        Thread.ofVirtual().name("relay-" + path.getFileName()).start(this::accept);
    }

    /** A socket file left by a kernel that was killed is removed; one a live process serves is not. */
    private static void removeIfStale(Path path) throws IOException {
        BasicFileAttributes file;
        try {
            file = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException free) {
            return;
        }
        if (!file.isOther()) throw new BindException(path + " exists and is not a socket");
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            throw new BindException(path + " is in use by a live process (another kernel on this connection file?)");
        } catch (ConnectException stale) {
            Files.delete(path);
        }
    }

    private void accept() {
        while (server.isOpen()) {
            try {
                relay(server.accept());
            } catch (IOException closed) {
                // the relay was closed (the loop ends), or one accept failed
            }
        }
    }

    private void relay(SocketChannel client) {
        open.add(client);
        try {
            SocketChannel kernel = SocketChannel.open(target);
            open.add(kernel);
            kernel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            Thread.ofVirtual().start(() -> copy(client, kernel));
            Thread.ofVirtual().start(() -> copy(kernel, client));
        } catch (IOException refused) {
            close(client);   // the client sees its connection close, as if the kernel had refused it
        }
    }

    /** Copies until either side closes, then closes both (ZMTP has no half-closed connections). */
    private void copy(SocketChannel from, SocketChannel to) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);   // direct: no copy through a temporary one
        try {
            while (from.read(buffer) >= 0) {
                buffer.flip();
                while (buffer.hasRemaining()) to.write(buffer);
                buffer.clear();
            }
        } catch (IOException closed) {
            // the other direction closed both channels, or a peer reset its connection
        } finally {
            close(from);
            close(to);
        }
    }

    private void close(SocketChannel channel) {
        open.remove(channel);
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing is all we wanted
        }
    }

    /** Stops listening, ends every relayed connection and removes the socket file. */
    @Override
    public void close() throws IOException {
        server.close();
        open.forEach(this::close);
        Files.deleteIfExists(path);
    }
}
