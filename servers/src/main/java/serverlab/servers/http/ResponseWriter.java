package serverlab.servers.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Encodes responses for every architecture: status line, {@code Server}, {@code Date},
 * {@code Content-Type}, {@code Content-Length}, {@code Connection} when needed, then the
 * body (omitted for HEAD). Every header line except the date is pre-encoded, so encoding
 * a small response is a few array copies into the caller's buffer and no allocation.
 */
public final class ResponseWriter {

    /** Room a caller must leave in the output buffer for one response head. */
    public static final int MAX_HEAD_BYTES = 1024;

    private static final byte[] CONTENT_LENGTH = "Content-Length: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONNECTION_CLOSE = "Connection: close\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONNECTION_KEEP_ALIVE = "Connection: keep-alive\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CRLF = {'\r', '\n'};
    private static final ConcurrentHashMap<String, byte[]> CONTENT_TYPE_LINES = new ConcurrentHashMap<>();

    private final byte[] serverLine;

    /** @param architecture goes into {@code Server: ServerLab/<architecture>} */
    public ResponseWriter(String architecture) {
        this.serverLine = ("Server: ServerLab/" + architecture + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * How to frame one response.
     *
     * @param keepAlive   false adds {@code Connection: close}
     * @param http10      the request was HTTP/1.0, so keep-alive must be announced explicitly
     * @param headRequest omit the body (but still announce its length)
     */
    public record Framing(boolean keepAlive, boolean http10, boolean headRequest) {

        /** The last response on a connection that answers no request in particular (errors, refusals, timeouts). */
        public static final Framing CLOSE = new Framing(false, false, false);

        /** The answer to {@code request}; {@code keepAlive} says whether the connection stays open after it. */
        public static Framing answering(HttpRequest request, boolean keepAlive) {
            return new Framing(keepAlive, request.minorVersion() == 0, request.isHead());
        }
    }

    /**
     * Writes the head and as much of the body as fits into {@code out}, which must have at
     * least {@link #MAX_HEAD_BYTES} bytes free plus the length of {@code extraHeaders}.
     *
     * @return the part of the body that did not fit (a view; send it after {@code out}), or null
     */
    public ByteBuffer encode(Response response, Framing framing, ByteBuffer out) {
        out.put(Status.statusLine(response.status()));
        out.put(serverLine);
        out.put(HttpDate.headerLine());
        out.put(CONTENT_TYPE_LINES.computeIfAbsent(response.contentType(),
                type -> ("Content-Type: " + type + "\r\n").getBytes(StandardCharsets.ISO_8859_1)));
        out.put(CONTENT_LENGTH);
        putDecimal(response.bodyLength(), out);
        out.put(CRLF);
        if (!framing.keepAlive()) out.put(CONNECTION_CLOSE);
        else if (framing.http10()) out.put(CONNECTION_KEEP_ALIVE);
        if (!response.extraHeaders().isEmpty()) out.put(response.extraHeaders().getBytes(StandardCharsets.ISO_8859_1));
        out.put(CRLF);
        if (framing.headRequest() || response.bodyLength() == 0) return null;
        ByteBuffer body = response.body().duplicate();
        if (body.remaining() <= out.remaining()) {
            out.put(body);
            return null;
        }
        int fits = out.remaining();
        out.put(body.slice(body.position(), fits));
        return body.position(body.position() + fits).slice();
    }

    private static void putDecimal(long value, ByteBuffer out) {
        if (value == 0) {
            out.put((byte) '0');
            return;
        }
        int digits = 0;
        for (long v = value; v > 0; v /= 10) digits++;
        int end = out.position() + digits;
        for (int i = end - 1; value > 0; i--, value /= 10) out.put(i, (byte) ('0' + value % 10));
        out.position(end);
    }
}
