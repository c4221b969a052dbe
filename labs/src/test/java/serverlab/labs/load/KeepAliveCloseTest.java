package serverlab.labs.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.Test;

/**
 * A server that answers one keep-alive request per connection and closes the connection as the next request arrives,
 * as nginx's old worker does to an idle connection on a reload: without {@code resendOnKeepAliveClose()} each such
 * request is a reset; with it, each is sent again on a new connection and answered.
 */
class KeepAliveCloseTest {

    @Test
    void requestsOnAConnectionClosedBeforeTheirAnswerAreResentWhenAsked() throws Exception {
        try (OneAnswerPerConnection server = new OneAnswerPerConnection()) {
            LoadResult counted = run(server, false);
            assertTrue(counted.errors(ErrorKind.RESET) > 0, counted.summary());

            LoadResult resent = run(server, true);
            assertEquals(0, resent.totalErrors(), resent.summary());
            assertTrue(resent.unanswered() <= 4, resent.summary()); // at most one per connection, closed during the drain
            assertTrue(resent.resent() > 0 && resent.requests() > 0, resent.summary());
        }
    }

    private static LoadResult run(OneAnswerPerConnection server, boolean resend) {
        LoadTest load = Load.openLoop("http://127.0.0.1:" + server.port() + "/hello").rate(50).connections(4)
                .warmup(Duration.ZERO).duration(Duration.ofMillis(500)).exactDurations().progress(false);
        return (resend ? load.resendOnKeepAliveClose() : load).run();
    }

    /** Answers the first request of each connection (keep-alive), then closes it when the second one comes. */
    private static final class OneAnswerPerConnection implements AutoCloseable {
        private static final byte[] ANSWER = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII);
        private final ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());

        OneAnswerPerConnection() throws IOException {
            Thread.ofVirtual().start(() -> {
                while (!listener.isClosed()) {
                    try {
                        Socket connection = listener.accept();
                        Thread.ofVirtual().start(() -> serve(connection));
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
        }

        private static void serve(Socket connection) {
            try (connection; InputStream in = connection.getInputStream()) {
                awaitRequest(in);
                connection.getOutputStream().write(ANSWER);
                in.read(); // the next request arrives: close without a word
            } catch (IOException e) {
                // the client went away
            }
        }

        private static void awaitRequest(InputStream in) throws IOException {
            int matched = 0;
            for (int b; matched < 4 && (b = in.read()) >= 0; ) {
                matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
            }
        }

        int port() {
            return listener.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }
    }
}
