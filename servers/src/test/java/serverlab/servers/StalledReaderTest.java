package serverlab.servers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import serverlab.servers.handlers.Workloads;

/**
 * A client that asks for a large body and never reads it must not hold the server forever: a write that makes
 * no progress for the idle timeout ends the connection, as a stalled read does (nginx {@code send_timeout}).
 */
class StalledReaderTest {

    static final Duration IDLE = Duration.ofSeconds(1);
    /** Far more than the server's send buffer (tcp_wmem max 4 MiB) plus the client's small receive window. */
    static final int LARGE = 16 << 20;

    static java.util.stream.Stream<String> architectures() {
        return TestServers.architectures();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("architectures")
    void aStalledResponseIsAbandonedAfterTheIdleTimeout(String name) throws Exception {
        try (Server server = Servers.start(name, ServerOptions.defaults().withIdleTimeout(IDLE));
             Socket stalled = requestWithoutReading(server.address())) {
            MalformedInputTest.awaitNoConnections(server);
            // The server gave up: what is left to read is what the socket buffers held, then EOF or reset.
            assertTrue(readUntilClosed(stalled) < LARGE, "the server wrote the whole body to a client that never read");
        }
    }

    @Test
    void aStalledClientReleasesTheOnlyPoolThread() throws Exception {
        try (Server server = Servers.start("thread-pool", ServerOptions.defaults().withIdleTimeout(IDLE).withThreads(1));
             Socket stalled = requestWithoutReading(server.address());
             RawHttp next = new RawHttp(server.address(), 30_000)) {
            // Before write timeouts the only thread stayed blocked in the write, and this waited forever.
            assertEquals(Workloads.HELLO_TEXT, next.exchange(RawHttp.get("/hello")).text());
        }
    }

    private static Socket requestWithoutReading(InetSocketAddress address) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(64 * 1024); // before connect: it sets the window the server sees
        socket.connect(address, 5_000);
        socket.setSoTimeout(30_000);
        socket.getOutputStream().write(RawHttp.get("/bytes?n=" + LARGE).getBytes(StandardCharsets.ISO_8859_1));
        // The response has started: the server is now writing into buffers nobody empties.
        assertEquals("HTTP/1.1 200", new String(socket.getInputStream().readNBytes(12), StandardCharsets.ISO_8859_1));
        return socket;
    }

    private static long readUntilClosed(Socket socket) {
        long total = 0;
        byte[] buffer = new byte[64 * 1024];
        try {
            InputStream in = socket.getInputStream();
            for (int n; (n = in.read(buffer)) >= 0; ) total += n;
        } catch (IOException reset) {
            // a reset ends it as well as EOF does
        }
        return total;
    }
}
