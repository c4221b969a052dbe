package serverlab.servers.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Incremental HTTP/1.1 request parser (RFC 9112), one per connection. Feed it whatever bytes
 * have arrived; it consumes them and returns a request once one is complete, keeping partial
 * lines and bodies between calls. Blocking servers feed it from a stream buffer, event loops
 * from each read, so both share one set of rules:
 *
 * <ul>
 * <li>malformed request line, header, line ending or Content-Length: 400</li>
 * <li>request line longer than {@code maxHeaderBytes}: 414; request line + headers longer: 431</li>
 * <li>Content-Length above {@code maxBodyBytes}: 413, decided before any body byte is read</li>
 * <li>the body buffer grows as body bytes arrive: a declared length reserves no memory by itself</li>
 * <li>unknown but well-formed method, any Transfer-Encoding: 501; HTTP version other than 1.x: 505</li>
 * </ul>
 *
 * A rejected request leaves the parser in an unusable state: answer with
 * {@link HttpParseException#status()} and close the connection.
 */
public final class RequestParser {

    private enum State { REQUEST_LINE, HEADERS, BODY }

    /** More header fields than this is an attack, not a request. */
    public static final int MAX_HEADER_FIELDS = 100;

    /** First body buffer when the body has not arrived yet; it doubles as bytes come, up to Content-Length. */
    private static final int FIRST_BODY_CHUNK = 16 * 1024;

    private static final boolean[] TCHAR = new boolean[128];
    private static final List<String> KNOWN_METHODS =
            List.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT");

    static {
        for (char c = '0'; c <= '9'; c++) TCHAR[c] = true;
        for (char c = 'a'; c <= 'z'; c++) TCHAR[c] = true;
        for (char c = 'A'; c <= 'Z'; c++) TCHAR[c] = true;
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) TCHAR[c] = true;
    }

    private final int maxHeaderBytes;
    private final long maxBodyBytes;

    private State state = State.REQUEST_LINE;
    private byte[] line = new byte[128];
    private int lineLength;
    private boolean sawCR;
    private int headerBytes;

    private String method, target, path, query;
    private int minorVersion;
    private List<HttpRequest.Header> headers;
    private long contentLength;
    private boolean transferEncoding, connectionClose, connectionKeepAlive;
    private int hostHeaders;
    private byte[] body;
    private int bodyFilled;

    public RequestParser(int maxHeaderBytes, long maxBodyBytes) {
        this.maxHeaderBytes = maxHeaderBytes;
        this.maxBodyBytes = maxBodyBytes;
        startNextRequest();
    }

    /**
     * Consumes bytes from {@code in} (from its position) until one request is complete.
     *
     * @return the request, with {@code in} positioned just after it (pipelined bytes stay
     *         unread); or null if every byte was consumed and the request is still incomplete
     * @throws HttpParseException if the bytes cannot be the start of a valid request
     */
    public HttpRequest parse(ByteBuffer in) throws HttpParseException {
        while (true) {
            switch (state) {
                case REQUEST_LINE -> {
                    if (!readLine(in)) return null;
                    // RFC 9112 §2.2: ignore empty lines before a request line.
                    if (lineLength > 0) {
                        parseRequestLine();
                        state = State.HEADERS;
                    }
                    lineLength = 0;
                }
                case HEADERS -> {
                    if (!readLine(in)) return null;
                    if (lineLength > 0) {
                        parseHeaderLine();
                        lineLength = 0;
                    } else {
                        checkHeaders();
                        if (contentLength == 0) return finish();
                        body = new byte[(int) Math.min(contentLength, Math.max(in.remaining(), FIRST_BODY_CHUNK))];
                        state = State.BODY;
                    }
                }
                case BODY -> {
                    int n = (int) Math.min(in.remaining(), contentLength - bodyFilled);
                    if (bodyFilled + n > body.length) {
                        body = Arrays.copyOf(body, (int) Math.min(contentLength, Math.max(bodyFilled + n, 2L * body.length)));
                    }
                    in.get(body, bodyFilled, n);
                    bodyFilled += n;
                    return bodyFilled == contentLength ? finish() : null;
                }
            }
        }
    }

    /** True when some bytes of the next request have been consumed but it is not complete yet. */
    public boolean inProgress() {
        return headerBytes > 0;
    }

    // Appends bytes to `line` up to LF; CRLF and bare LF both end a line (RFC 9112 §2.2), a bare CR is an error.
    private boolean readLine(ByteBuffer in) throws HttpParseException {
        while (in.hasRemaining()) {
            byte b = in.get();
            if (++headerBytes > maxHeaderBytes) {
                throw state == State.REQUEST_LINE
                        ? new HttpParseException(Status.URI_TOO_LONG, "request line longer than " + maxHeaderBytes + " bytes")
                        : new HttpParseException(Status.HEADER_FIELDS_TOO_LARGE, "header section longer than " + maxHeaderBytes + " bytes");
            }
            if (b == '\n') {
                sawCR = false;
                return true;
            }
            if (sawCR) throw bad("CR not followed by LF");
            if (b == '\r') {
                sawCR = true;
                continue;
            }
            if (lineLength == line.length) line = Arrays.copyOf(line, Math.min(line.length * 2, maxHeaderBytes));
            line[lineLength++] = b;
        }
        return false;
    }

    // request-line = method SP request-target SP HTTP-version
    private void parseRequestLine() throws HttpParseException {
        int firstSpace = indexOf((byte) ' ', 0);
        int secondSpace = firstSpace < 0 ? -1 : indexOf((byte) ' ', firstSpace + 1);
        if (firstSpace <= 0 || secondSpace < 0 || indexOf((byte) ' ', secondSpace + 1) >= 0) {
            throw bad("request line is not METHOD SP TARGET SP VERSION");
        }
        for (int i = 0; i < firstSpace; i++) {
            if (!isTchar(line[i])) throw bad("method is not a token");
        }
        if (secondSpace == firstSpace + 1) throw bad("empty request target");
        for (int i = firstSpace + 1; i < secondSpace; i++) {
            if (line[i] < 0x21 || line[i] > 0x7e || line[i] == '#') throw bad("invalid character in request target");
        }
        minorVersion = parseVersion(secondSpace + 1);
        method = methodName(firstSpace);
        if (method == null) {
            throw new HttpParseException(Status.NOT_IMPLEMENTED, "unknown method " + ascii(0, firstSpace));
        }
        target = ascii(firstSpace + 1, secondSpace);
        String originForm = target;
        if (target.startsWith("http://") || target.startsWith("https://")) {
            // absolute-form (RFC 9112 §3.2.2): keep only the path and query
            int pathStart = target.indexOf('/', target.indexOf("//") + 2);
            originForm = pathStart < 0 ? "/" : target.substring(pathStart);
        } else if (target.equals("*")) {
            if (!method.equals("OPTIONS")) throw bad("asterisk-form is only valid for OPTIONS");
        } else if (target.charAt(0) != '/') {
            throw bad("request target must start with /");
        }
        int question = originForm.indexOf('?');
        path = question < 0 ? originForm : originForm.substring(0, question);
        query = question < 0 ? "" : originForm.substring(question + 1);
    }

    private int parseVersion(int start) throws HttpParseException {
        int length = lineLength - start;
        if (length != 8 || line[start] != 'H' || line[start + 1] != 'T' || line[start + 2] != 'T'
                || line[start + 3] != 'P' || line[start + 4] != '/' || line[start + 6] != '.'
                || !isDigit(line[start + 5]) || !isDigit(line[start + 7])) {
            throw bad("malformed HTTP version");
        }
        if (line[start + 5] != '1') {
            throw new HttpParseException(Status.VERSION_NOT_SUPPORTED, "only HTTP/1.x is supported");
        }
        return line[start + 7] == '0' ? 0 : 1; // HTTP/1.2+ would be answered as 1.1 (RFC 9110 §6.2)
    }

    // field-line = field-name ":" OWS field-value OWS; no whitespace before the colon, no obs-fold
    private void parseHeaderLine() throws HttpParseException {
        if (line[0] == ' ' || line[0] == '\t') throw bad("obsolete line folding");
        int colon = indexOf((byte) ':', 0);
        if (colon <= 0) throw bad("header line without a name and colon");
        for (int i = 0; i < colon; i++) {
            if (!isTchar(line[i])) throw bad("header name is not a token");
        }
        int valueStart = colon + 1, valueEnd = lineLength;
        while (valueStart < valueEnd && (line[valueStart] == ' ' || line[valueStart] == '\t')) valueStart++;
        while (valueEnd > valueStart && (line[valueEnd - 1] == ' ' || line[valueEnd - 1] == '\t')) valueEnd--;
        for (int i = valueStart; i < valueEnd; i++) {
            int c = line[i] & 0xff;
            if ((c < 0x20 && c != '\t') || c == 0x7f) throw bad("control character in header value");
        }
        if (headers.size() == MAX_HEADER_FIELDS) {
            throw new HttpParseException(Status.HEADER_FIELDS_TOO_LARGE, "more than " + MAX_HEADER_FIELDS + " header fields");
        }
        String name = ascii(0, colon);
        String value = new String(line, valueStart, valueEnd - valueStart, StandardCharsets.ISO_8859_1);
        headers.add(new HttpRequest.Header(name, value));
        interpret(name, value);
    }

    // The few headers that change how the message is framed or whether the connection stays open.
    private void interpret(String name, String value) throws HttpParseException {
        if (name.equalsIgnoreCase("Content-Length")) {
            long length = parseContentLength(value);
            if (contentLength >= 0 && contentLength != length) throw bad("conflicting Content-Length headers");
            contentLength = length;
        } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
            transferEncoding = true;
        } else if (name.equalsIgnoreCase("Host")) {
            hostHeaders++;
        } else if (name.equalsIgnoreCase("Connection")) {
            for (String option : value.split(",")) {
                String token = option.trim();
                if (token.equalsIgnoreCase("close")) connectionClose = true;
                else if (token.equalsIgnoreCase("keep-alive")) connectionKeepAlive = true;
            }
        }
    }

    private long parseContentLength(String value) throws HttpParseException {
        if (value.isEmpty() || value.length() > 18) throw bad("Content-Length is empty or absurdly large: " + value);
        long length = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') throw bad("Content-Length is not a non-negative integer: " + value);
            length = length * 10 + (c - '0');
        }
        if (length > maxBodyBytes) {
            throw new HttpParseException(Status.CONTENT_TOO_LARGE, "body of " + length + " bytes exceeds " + maxBodyBytes);
        }
        return length;
    }

    private void checkHeaders() throws HttpParseException {
        if (transferEncoding) {
            // Both framing headers at once is the classic request-smuggling vector (RFC 9112 §6.1).
            if (contentLength >= 0) throw bad("both Transfer-Encoding and Content-Length");
            throw new HttpParseException(Status.NOT_IMPLEMENTED, "Transfer-Encoding is not supported; send Content-Length");
        }
        if (minorVersion == 1 && hostHeaders != 1) throw bad(hostHeaders == 0 ? "HTTP/1.1 request without Host" : "several Host headers");
        if (hostHeaders > 1) throw bad("several Host headers");
        if (contentLength < 0) contentLength = 0;
        if (contentLength > Integer.MAX_VALUE - 8) {
            throw new HttpParseException(Status.CONTENT_TOO_LARGE, "body of " + contentLength + " bytes does not fit in memory");
        }
    }

    private HttpRequest finish() {
        boolean keepAlive = !connectionClose && (minorVersion == 1 || connectionKeepAlive);
        HttpRequest request = new HttpRequest(method, target, path, query, minorVersion, headers, body, keepAlive);
        startNextRequest();
        return request;
    }

    private void startNextRequest() {
        state = State.REQUEST_LINE;
        lineLength = 0;
        headerBytes = 0;
        sawCR = false;
        method = target = path = query = null;
        headers = new ArrayList<>(4);
        contentLength = -1;
        transferEncoding = connectionClose = connectionKeepAlive = false;
        hostHeaders = 0;
        body = null;
        bodyFilled = 0;
    }

    // Known methods map to their constant String: no allocation for the common case.
    private String methodName(int length) {
        next:
        for (String known : KNOWN_METHODS) {
            if (known.length() != length) continue;
            for (int i = 0; i < length; i++) {
                if (line[i] != known.charAt(i)) continue next;
            }
            return known;
        }
        return null;
    }

    private String ascii(int from, int to) {
        return new String(line, from, to - from, StandardCharsets.ISO_8859_1);
    }

    private int indexOf(byte b, int from) {
        for (int i = from; i < lineLength; i++) {
            if (line[i] == b) return i;
        }
        return -1;
    }

    private static boolean isTchar(byte b) {
        return b > 0 && TCHAR[b];
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    private static HttpParseException bad(String message) {
        return new HttpParseException(Status.BAD_REQUEST, message);
    }
}
