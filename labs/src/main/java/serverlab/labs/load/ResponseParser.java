package serverlab.labs.load;

/**
 * Incremental HTTP/1.1 response parser for a keep-alive connection.
 *
 * <p>Bytes arrive in arbitrary pieces: one read may hold half a header, or the tails of
 * several pipelined responses. {@link #feed} consumes whatever it is given, reports each
 * complete response to the listener and keeps only a partial header block between calls
 * (bodies are skipped by counting, never copied, so large responses cost no copying).
 *
 * <p>Body framing: {@code Content-Length}; no body for 1xx/204/304; without a length the
 * body runs until the server closes ({@link #endOfStream}). {@code Transfer-Encoding:
 * chunked} is reported as a protocol error: the lab servers always send a length.
 */
final class ResponseParser {

    /** Receives each complete response. */
    interface Listener {
        void onResponse(int status, boolean connectionClose);
    }

    /** A response we cannot frame; the connection must be dropped. */
    static final class ProtocolException extends Exception {
        ProtocolException(String message) {
            super(message);
        }
    }

    static final int MAX_HEADER_BYTES = 64 * 1024;
    private static final long UNTIL_CLOSE = Long.MAX_VALUE;

    private static final byte[] CONTENT_LENGTH = "content-length:".getBytes();
    private static final byte[] CONNECTION = "connection:".getBytes();
    private static final byte[] TRANSFER_ENCODING = "transfer-encoding:".getBytes();

    private final Listener listener;
    private boolean inBody;
    private long bodyRemaining;
    private int status;
    private boolean connectionClose;
    /** Bytes of a header block that has not fully arrived yet. */
    private byte[] pending = new byte[512];
    private int pendingLength;

    ResponseParser(Listener listener) {
        this.listener = listener;
    }

    /** Forgets any partial response, for a fresh connection. */
    void reset() {
        inBody = false;
        pendingLength = 0;
    }

    /** True when a response has started arriving but is not complete. */
    boolean midResponse() {
        return inBody || pendingLength > 0;
    }

    void feed(byte[] data, int offset, int length) throws ProtocolException {
        if (pendingLength > 0) {
            // Rare path: a header block was split across reads. Join it with the new bytes.
            ensurePendingCapacity(pendingLength + length);
            System.arraycopy(data, offset, pending, pendingLength, length);
            data = pending;
            length += pendingLength;
            offset = 0;
            pendingLength = 0;
        }
        int pos = offset;
        int end = offset + length;
        while (pos < end) {
            if (inBody) {
                long take = Math.min(bodyRemaining, end - pos);
                pos += (int) take;
                if (bodyRemaining != UNTIL_CLOSE) {
                    bodyRemaining -= take;
                    if (bodyRemaining == 0) {
                        complete();
                    }
                }
                continue;
            }
            int headerEnd = indexAfterHeaders(data, pos, end);
            if (headerEnd < 0) {
                keepPending(data, pos, end - pos);
                return;
            }
            parseHeaders(data, pos, headerEnd);
            pos = headerEnd;
            if (bodyRemaining == 0) {
                complete();
            } else {
                inBody = true;
            }
        }
    }

    /** The server closed the stream: completes a read-until-close body; anything else partial is lost. */
    boolean endOfStream() {
        if (inBody && bodyRemaining == UNTIL_CLOSE) {
            connectionClose = true;
            complete();
            return true;
        }
        return false;
    }

    private void complete() {
        inBody = false;
        listener.onResponse(status, connectionClose);
    }

    private void keepPending(byte[] data, int from, int length) throws ProtocolException {
        if (length > MAX_HEADER_BYTES) {
            throw new ProtocolException("response header block larger than " + MAX_HEADER_BYTES + " bytes");
        }
        ensurePendingCapacity(length);
        System.arraycopy(data, from, pending, 0, length); // arraycopy is safe when data == pending
        pendingLength = length;
    }

    private void ensurePendingCapacity(int needed) {
        if (pending.length < needed) {
            byte[] bigger = new byte[Math.max(needed, pending.length * 2)];
            System.arraycopy(pending, 0, bigger, 0, pendingLength);
            pending = bigger;
        }
    }

    /** Index just past the blank line ending the header block, or -1 if it has not arrived. */
    private static int indexAfterHeaders(byte[] data, int from, int end) {
        for (int i = from + 3; i < end; i++) {
            if (data[i] == '\n' && data[i - 1] == '\r' && data[i - 2] == '\n' && data[i - 3] == '\r') {
                return i + 1;
            }
        }
        return -1;
    }

    private void parseHeaders(byte[] data, int start, int headerEnd) throws ProtocolException {
        // Status line: "HTTP/1.1 200 OK"
        if (headerEnd - start < 12 || data[start] != 'H' || data[start + 4] != '/' || data[start + 8] != ' ') {
            throw new ProtocolException("not an HTTP/1.x status line");
        }
        status = digit(data[start + 9]) * 100 + digit(data[start + 10]) * 10 + digit(data[start + 11]);
        connectionClose = data[start + 7] == '0'; // HTTP/1.0 closes unless told otherwise
        long contentLength = -1;
        int line = nextLine(data, start, headerEnd);
        while (line < headerEnd - 2) {
            int lineEnd = nextLine(data, line, headerEnd);
            byte first = (byte) (data[line] | 0x20);
            if (first == 'c' && startsWithIgnoreCase(data, line, lineEnd, CONTENT_LENGTH)) {
                contentLength = parseLength(data, line + CONTENT_LENGTH.length, lineEnd);
            } else if (first == 'c' && startsWithIgnoreCase(data, line, lineEnd, CONNECTION)) {
                String value = new String(data, line + CONNECTION.length, lineEnd - line - CONNECTION.length,
                        java.nio.charset.StandardCharsets.US_ASCII).trim().toLowerCase(java.util.Locale.ROOT);
                connectionClose = value.contains("close") || (connectionClose && !value.contains("keep-alive"));
            } else if (first == 't' && startsWithIgnoreCase(data, line, lineEnd, TRANSFER_ENCODING)) {
                throw new ProtocolException("chunked transfer encoding is not supported by the load generator");
            }
            line = lineEnd;
        }
        if (status < 200 || status == 204 || status == 304) {
            bodyRemaining = 0;
        } else if (contentLength >= 0) {
            bodyRemaining = contentLength;
        } else {
            bodyRemaining = UNTIL_CLOSE;
        }
    }

    /** Index of the first byte after the next "\n" at or after {@code from}. */
    private static int nextLine(byte[] data, int from, int end) {
        for (int i = from; i < end; i++) {
            if (data[i] == '\n') {
                return i + 1;
            }
        }
        return end;
    }

    /** ASCII case-insensitive prefix test; {@code lowerName} holds lower-case letters, '-' and ':'. */
    private static boolean startsWithIgnoreCase(byte[] data, int from, int end, byte[] lowerName) {
        if (end - from < lowerName.length) {
            return false;
        }
        for (int i = 0; i < lowerName.length; i++) {
            if ((data[from + i] | 0x20) != lowerName[i]) {
                return false;
            }
        }
        return true;
    }

    private static long parseLength(byte[] data, int from, int end) throws ProtocolException {
        long value = 0;
        boolean any = false;
        for (int i = from; i < end; i++) {
            byte b = data[i];
            if (b >= '0' && b <= '9') {
                value = value * 10 + (b - '0');
                any = true;
                if (value > (1L << 50)) {
                    throw new ProtocolException("absurd Content-Length");
                }
            } else if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                throw new ProtocolException("bad Content-Length");
            }
        }
        if (!any) {
            throw new ProtocolException("empty Content-Length");
        }
        return value;
    }

    private static int digit(byte b) throws ProtocolException {
        if (b < '0' || b > '9') {
            throw new ProtocolException("bad status code");
        }
        return b - '0';
    }
}
