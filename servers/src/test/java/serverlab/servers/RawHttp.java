package serverlab.servers;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** A deliberately dumb HTTP/1.1 client over a raw socket, so tests control every byte sent and see every byte received. */
final class RawHttp implements AutoCloseable {

    /** A received response; header names are lower-cased. */
    record Reply(int status, Map<String, String> headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        String header(String name) {
            return headers.get(name.toLowerCase());
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawHttp(InetSocketAddress address) throws IOException {
        this(address, 10_000);
    }

    RawHttp(InetSocketAddress address, int readTimeoutMillis) throws IOException {
        socket = new Socket();
        socket.connect(address, 5_000);
        socket.setSoTimeout(readTimeoutMillis);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    static String get(String target) {
        return "GET " + target + " HTTP/1.1\r\nHost: test\r\n\r\n";
    }

    RawHttp send(String raw) throws IOException {
        return send(raw.getBytes(StandardCharsets.ISO_8859_1));
    }

    RawHttp send(byte[] raw) throws IOException {
        out.write(raw);
        out.flush();
        return this;
    }

    Reply exchange(String raw) throws IOException {
        send(raw);
        return read(raw.startsWith("HEAD "));
    }

    /** Reads one response; {@code head} means the response has no body whatever Content-Length says. */
    Reply read(boolean head) throws IOException {
        String statusLine = readLine();
        if (statusLine == null) throw new IOException("connection closed before a response");
        if (!statusLine.startsWith("HTTP/1.1 ")) throw new IOException("bad status line: " + statusLine);
        int status = Integer.parseInt(statusLine.substring(9, 12));
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line; !(line = readLine()).isEmpty(); ) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(), line.substring(colon + 1).trim());
        }
        int length = head ? 0 : Integer.parseInt(headers.getOrDefault("content-length", "0"));
        byte[] body = in.readNBytes(length);
        if (body.length != length) throw new IOException("body truncated: " + body.length + " of " + length);
        return new Reply(status, headers, body);
    }

    /** True if the server closed the connection within {@code millis}; the read timeout is restored after. */
    boolean closedByServerWithin(int millis) throws IOException {
        int readTimeout = socket.getSoTimeout();
        socket.setSoTimeout(millis);
        try {
            return closedByServer();
        } finally {
            socket.setSoTimeout(readTimeout);
        }
    }

    /** True if the server closed the connection (EOF or reset) within the read timeout. */
    boolean closedByServer() {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true; // reset
        } catch (IOException e) {
            return true;
        }
    }

    /** Whether bytes of an answer have arrived (without blocking). */
    boolean answerArrived() throws IOException {
        return in.available() > 0;
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0) return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
            if (b != '\r') line.write(b);
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
