package serverlab.servers.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * A declared Content-Length is a promise, not bytes: the parser must not reserve a body buffer of the
 * declared size before the bytes arrive, or a few idle connections can exhaust the heap.
 */
class RequestParserBodyBufferTest {

    private static final int DECLARED = 1 << 20;
    private static final int CONNECTIONS = 64;

    @Test
    void headersAloneDoNotAllocateTheDeclaredBody() throws HttpParseException {
        byte[] head = ("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: " + DECLARED + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        List<RequestParser> connections = new ArrayList<>(); // kept reachable: each is a connection still open
        long before = allocatedByThisThread();
        for (int i = 0; i < CONNECTIONS; i++) {
            RequestParser parser = new RequestParser(8192, DECLARED);
            assertNull(parser.parse(ByteBuffer.wrap(head)));
            connections.add(parser);
        }
        long allocated = allocatedByThisThread() - before;
        // before the fix: 64 MiB; a small first chunk per connection is fine
        assertTrue(allocated < CONNECTIONS * 64 * 1024L, allocated + " bytes allocated for " + connections.size() + " connections");
    }

    @Test
    void aBodyArrivingInSmallPiecesIsAssembledExactly() throws HttpParseException {
        byte[] body = new byte[300_000];
        for (int i = 0; i < body.length; i++) body[i] = (byte) (i * 31);
        RequestParser parser = new RequestParser(8192, DECLARED);
        assertNull(parser.parse(ByteBuffer.wrap(("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1))));
        HttpRequest request = null;
        for (int offset = 0; offset < body.length; offset += 1000) {
            request = parser.parse(ByteBuffer.wrap(body, offset, Math.min(1000, body.length - offset)));
            assertTrue(request == null || offset + 1000 >= body.length);
        }
        assertArrayEquals(body, request.body());
    }

    private static long allocatedByThisThread() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        return threads.getCurrentThreadAllocatedBytes();
    }
}
