package serverlab.kernel.wire;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static java.net.StandardProtocolFamily.UNIX;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UnixSocketRelayTest {
    private static final Duration BOUND = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    private Path path;
    /** The TCP side (JeroMQ's port in the kernel): its accepted connections queue up here. */
    private ServerSocketChannel target;
    private final BlockingQueue<SocketChannel> accepted = new LinkedBlockingQueue<>();
    private UnixSocketRelay relay;

    @BeforeEach
    void start() throws IOException {
        path = dir.resolve("kernel-ipc-1");
        target = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread.ofVirtual().start(() -> {
            try {
                while (true) accepted.add(target.accept());
            } catch (IOException closed) {
                // the test is over
            }
        });
        relay = new UnixSocketRelay(path, (InetSocketAddress) target.getLocalAddress());
    }

    @AfterEach
    void stop() throws IOException {
        relay.close();
        target.close();
        for (SocketChannel channel : accepted) channel.close();
    }

    private SocketChannel connect() throws IOException {
        return SocketChannel.open(UnixDomainSocketAddress.of(path));
    }

    private SocketChannel acceptedByTarget() throws InterruptedException {
        SocketChannel channel = accepted.poll(10, TimeUnit.SECONDS);
        assertTrue(channel != null, "the relay did not connect to the TCP side");
        return channel;
    }

    private static void write(SocketChannel channel, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) channel.write(buffer);
    }

    private static byte[] read(SocketChannel channel, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) throw new IOException("closed after " + buffer.position() + " bytes");
        }
        return buffer.array();
    }

    private static void assertClosesSoon(SocketChannel channel) {
        assertTimeoutPreemptively(BOUND, () -> {
            try {
                assertEquals(-1, channel.read(ByteBuffer.allocate(16)));
            } catch (IOException reset) {
                // a reset is a close too
            }
        });
    }

    @Test
    void copiesBothWaysForSeveralConcurrentConnections() throws Exception {
        int connections = 8;
        int size = 300 * 1024;   // several relay buffers each way
        assertTimeoutPreemptively(BOUND, () -> {
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<SocketChannel> clients = new ArrayList<>();
                List<Future<byte[]>> echoes = new ArrayList<>();
                for (int i = 0; i < connections; i++) {
                    byte[] sent = new byte[size];
                    Arrays.fill(sent, (byte) i);
                    SocketChannel client = connect();
                    clients.add(client);
                    SocketChannel server = acceptedByTarget();
                    pool.submit(() -> { write(server, read(server, size)); return null; });   // echo it all back
                    echoes.add(pool.submit(() -> { write(client, sent); return read(client, size); }));
                }
                for (int i = 0; i < connections; i++) {
                    byte[] expected = new byte[size];
                    Arrays.fill(expected, (byte) i);
                    assertArrayEquals(expected, echoes.get(i).get(), "connection " + i);
                }
                for (SocketChannel client : clients) client.close();
            }
        });
    }

    @Test
    void closingTheUnixSideClosesTheTcpSide() throws Exception {
        SocketChannel client = connect();
        SocketChannel server = acceptedByTarget();
        client.close();
        assertClosesSoon(server);
    }

    @Test
    void closingTheTcpSideClosesTheUnixSide() throws Exception {
        try (SocketChannel client = connect()) {
            acceptedByTarget().close();
            assertClosesSoon(client);
        }
    }

    @Test
    void closeEndsConnectionsAndRemovesTheFile() throws Exception {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS)));
        try (SocketChannel client = connect()) {
            SocketChannel server = acceptedByTarget();
            relay.close();
            assertFalse(Files.exists(path, LinkOption.NOFOLLOW_LINKS), "the socket file is still there");
            assertClosesSoon(client);
            assertClosesSoon(server);
        }
    }

    @Test
    void aLiveSocketIsRefusedAndAStaleOneReplaced() throws Exception {
        BindException inUse = assertThrows(BindException.class,
                () -> new UnixSocketRelay(path, (InetSocketAddress) target.getLocalAddress()));
        assertTrue(inUse.getMessage().contains("in use"), inUse.getMessage());
        assertTrue(Files.exists(path, LinkOption.NOFOLLOW_LINKS), "a refused relay removed a live socket");

        Path stale = dir.resolve("kernel-ipc-2");
        ServerSocketChannel.open(UNIX).bind(UnixDomainSocketAddress.of(stale)).close();   // a killed kernel's file
        new UnixSocketRelay(stale, (InetSocketAddress) target.getLocalAddress()).close();

        Path notASocket = Files.writeString(dir.resolve("kernel-ipc-3"), "data");
        assertThrows(BindException.class, () -> new UnixSocketRelay(notASocket, (InetSocketAddress) target.getLocalAddress()));
        assertEquals("data", Files.readString(notASocket));
    }
}
