package serverlab.servers.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** One parsed HTTP/1.x request. Immutable; header names keep the case the client sent. */
public final class HttpRequest {

    /** One header field; {@code value} has surrounding whitespace removed. */
    public record Header(String name, String value) {
    }

    private static final byte[] NO_BODY = new byte[0];

    private final String method;
    private final String target;
    private final String path;
    private final String query;
    private final int minorVersion;
    private final List<Header> headers;
    private final byte[] body;
    private final boolean keepAlive;

    public HttpRequest(String method, String target, String path, String query, int minorVersion,
                       List<Header> headers, byte[] body, boolean keepAlive) {
        this.method = method;
        this.target = target;
        this.path = path;
        this.query = query;
        this.minorVersion = minorVersion;
        this.headers = headers;
        this.body = body == null ? NO_BODY : body;
        this.keepAlive = keepAlive;
    }

    public String method() { return method; }

    /** The request target exactly as sent, e.g. {@code /bytes?n=10}. */
    public String target() { return target; }

    /** The path part of the target, e.g. {@code /bytes}. */
    public String path() { return path; }

    /** The query part without {@code ?}, or the empty string. */
    public String query() { return query; }

    /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
    public int minorVersion() { return minorVersion; }

    public String version() { return minorVersion == 0 ? "HTTP/1.0" : "HTTP/1.1"; }

    public List<Header> headers() { return headers; }

    /** The body (Content-Length bytes); empty when there is none. The array is shared: do not modify it. */
    public byte[] body() { return body; }

    /** Whether the connection stays open after the response (HTTP/1.1 default, HTTP/1.0 with {@code Connection: keep-alive}). */
    public boolean keepAlive() { return keepAlive; }

    public boolean isHead() { return "HEAD".equals(method); }

    /** The first header with this name (case-insensitive), or null. */
    public String header(String name) {
        for (Header header : headers) {
            if (header.name().equalsIgnoreCase(name)) return header.value();
        }
        return null;
    }

    /**
     * The first query parameter with this name, percent-decoded, or null when absent.
     *
     * @throws IllegalArgumentException for a malformed percent escape
     */
    public String queryParameter(String name) {
        int start = 0;
        while (start <= query.length() && !query.isEmpty()) {
            int end = query.indexOf('&', start);
            if (end < 0) end = query.length();
            int equals = query.indexOf('=', start);
            String key = (equals < 0 || equals > end) ? query.substring(start, end) : query.substring(start, equals);
            if (URLDecoder.decode(key, StandardCharsets.UTF_8).equals(name)) {
                return (equals < 0 || equals > end) ? "" : URLDecoder.decode(query.substring(equals + 1, end), StandardCharsets.UTF_8);
            }
            start = end + 1;
        }
        return null;
    }

    @Override
    public String toString() {
        return method + " " + target + " " + version();
    }
}
