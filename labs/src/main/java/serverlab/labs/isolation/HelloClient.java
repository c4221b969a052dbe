package serverlab.labs.isolation;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The client side of {@code hello_server.c}: {@code GET /hello} over a plain socket, so a round trip measures
 * the network path and the server, not an HTTP library.
 */
final class HelloClient {

    private static final byte[] REQUEST = "GET /hello HTTP/1.1\r\nHost: guest\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final Pattern CONTENT_LENGTH = Pattern.compile("(?i)\r\nContent-Length: *(\\d+)");
    private static final int READ_TIMEOUT_MS = 10_000;

    private HelloClient() {
    }

    /** True when one request on a fresh connection gets {@code 200 "hello"} within {@code timeout}. */
    static boolean answers(InetSocketAddress address, Duration timeout) {
        try (Socket socket = new Socket()) {
            socket.connect(address, (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            return exchange(socket, new BufferedInputStream(socket.getInputStream()));
        } catch (IOException refusedOrReset) {     // user-mode networking accepts, then resets while nobody listens
            return false;
        }
    }

    /** {@code n} requests one after another over one keep-alive connection; the median round trip in µs. */
    static double medianRoundTripMicros(InetSocketAddress address, int n) {
        if (n < 1) throw new IllegalArgumentException("n must be at least 1");
        double[] micros = new double[n];
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(address, READ_TIMEOUT_MS);
            socket.setSoTimeout(READ_TIMEOUT_MS);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            for (int i = 0; i < n; i++) {
                long start = System.nanoTime();
                if (!exchange(socket, in)) throw new IllegalStateException("GET /hello on " + address + " did not answer 200 hello");
                micros[i] = (System.nanoTime() - start) / 1000.0;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("round trips to " + address + " failed", e);
        }
        return Emulation.median(micros);
    }

    /** Sends one request and reads its response: head up to the blank line, then Content-Length bytes of body. */
    private static boolean exchange(Socket socket, InputStream in) throws IOException {
        socket.getOutputStream().write(REQUEST);
        StringBuilder head = new StringBuilder();
        while (head.length() < 4 || head.lastIndexOf("\r\n\r\n") != head.length() - 4) {
            int b = in.read();
            if (b < 0) throw new EOFException("connection closed after " + head.length() + " bytes");
            head.append((char) b);
        }
        Matcher length = CONTENT_LENGTH.matcher(head);
        byte[] body = in.readNBytes(length.find() ? Integer.parseInt(length.group(1)) : 0);
        return head.toString().startsWith("HTTP/1.1 200 ") && new String(body, StandardCharsets.US_ASCII).equals("hello");
    }
}
