package serverlab.servers.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * What a handler answers. The body is a read-only buffer so constant bodies (like
 * {@code /hello}) are shared by every response without copying.
 *
 * @param status       status code
 * @param contentType  Content-Type value
 * @param body         the body; the writer never changes its position
 * @param extraHeaders complete extra header lines, each ending in CRLF (e.g. {@code "Allow: GET\r\n"}), or ""
 * @param close        close the connection after this response, whatever the client asked
 * @param delayNanos   how long after the handler returns the answer is due (0: at once), see {@link #dueIn}
 */
public record Response(int status, String contentType, ByteBuffer body, String extraHeaders, boolean close,
                       long delayNanos) {

    public static final String TEXT = "text/plain; charset=utf-8";
    public static final String JSON = "application/json";
    public static final String BINARY = "application/octet-stream";

    public Response {
        body = body.isReadOnly() ? body : body.asReadOnlyBuffer();
    }

    /** An answer due at once. */
    public Response(int status, String contentType, ByteBuffer body, String extraHeaders, boolean close) {
        this(status, contentType, body, extraHeaders, close, 0);
    }

    public static Response text(int status, String text) {
        return new Response(status, TEXT, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), "", false);
    }

    public static Response json(String json) {
        return new Response(Status.OK, JSON, ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)), "", false);
    }

    public static Response bytes(String contentType, ByteBuffer body) {
        return new Response(Status.OK, contentType, body, "", false);
    }

    /** An error whose body is {@code "<status> <reason>: <detail>\n"}; {@code close} for protocol errors. */
    public static Response error(int status, String detail, boolean close) {
        String text = status + " " + Status.reason(status) + (detail.isEmpty() ? "" : ": " + detail) + "\n";
        return new Response(status, TEXT, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), "", close);
    }

    public Response withExtraHeaders(String headerLines) {
        return new Response(status, contentType, body, extraHeaders + headerLines, close, delayNanos);
    }

    /**
     * This answer, due {@code delay} after the handler returns ({@code /delay}): waiting without holding a
     * thread. An event loop puts it on its timer queue and serves other connections meanwhile (JavaScript's
     * {@code setTimeout}); a server without a loop has nowhere to put it, so its thread sleeps ({@link #awaitDue}).
     */
    public Response dueIn(Duration delay) {
        return new Response(status, contentType, body, extraHeaders, close, delay.toNanos());
    }

    /** For callers without a timer queue: sleeps until this answer is due, then returns it, due now. */
    public Response awaitDue() throws InterruptedException {
        if (delayNanos == 0) return this;
        Thread.sleep(Duration.ofNanos(delayNanos));
        return new Response(status, contentType, body, extraHeaders, close);
    }

    public int bodyLength() {
        return body.remaining();
    }
}
