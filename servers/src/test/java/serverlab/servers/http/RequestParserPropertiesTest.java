package serverlab.servers.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Fuzzing the parser: arbitrary input never escapes as anything but HttpParseException; valid requests round-trip. */
class RequestParserPropertiesTest {

    private static final int MAX_HEADER = 2048;
    private static final long MAX_BODY = 4096;

    /** Feeds {@code bytes} in chunks of {@code chunk}; returns the requests parsed before the end or an error. */
    static List<HttpRequest> feed(byte[] bytes, int chunk) throws HttpParseException {
        RequestParser parser = new RequestParser(MAX_HEADER, MAX_BODY);
        List<HttpRequest> requests = new ArrayList<>();
        for (int offset = 0; offset < bytes.length; offset += chunk) {
            ByteBuffer in = ByteBuffer.wrap(bytes, offset, Math.min(chunk, bytes.length - offset));
            for (HttpRequest request; (request = parser.parse(in)) != null; ) requests.add(request);
            assertTrue(!in.hasRemaining(), "a null result means every byte was consumed");
        }
        return requests;
    }

    @Property(tries = 2000)
    void arbitraryBytesOnlyEverRaiseParseErrors(@ForAll @Size(max = 600) byte[] bytes, @ForAll @IntRange(min = 1, max = 64) int chunk) {
        try {
            feed(bytes, chunk);
        } catch (HttpParseException e) {
            assertTrue(e.status() >= 400 && e.status() < 600, e.toString());
        }
    }

    @Property(tries = 2000)
    void mutatedValidRequestsOnlyEverRaiseParseErrors(@ForAll("requests") Generated request, @ForAll @IntRange(min = 0, max = 500) int position,
                                                     @ForAll byte replacement, @ForAll @IntRange(min = 1, max = 32) int chunk) {
        byte[] bytes = request.bytes();
        bytes[position % bytes.length] = replacement;
        try {
            feed(bytes, chunk);
        } catch (HttpParseException e) {
            assertTrue(e.status() >= 400 && e.status() < 600, e.toString());
        }
    }

    @Property(tries = 1000)
    void validRequestsRoundTripWhateverTheChunking(@ForAll("requests") Generated first, @ForAll("requests") Generated second,
                                                   @ForAll @IntRange(min = 1, max = 50) int chunk) throws HttpParseException {
        byte[] first1 = first.bytes(), second1 = second.bytes();
        byte[] both = ByteBuffer.allocate(first1.length + second1.length).put(first1).put(second1).array(); // pipelined
        List<HttpRequest> parsed = feed(both, chunk);
        assertEquals(2, parsed.size());
        first.check(parsed.get(0));
        second.check(parsed.get(1));
    }

    @Property(tries = 200)
    void oversizedHeadersAreRefusedWith431(@ForAll @IntRange(min = MAX_HEADER, max = 3 * MAX_HEADER) int valueLength) {
        String raw = "GET / HTTP/1.1\r\nHost: x\r\nX: " + "v".repeat(valueLength) + "\r\n\r\n";
        try {
            feed(raw.getBytes(StandardCharsets.US_ASCII), 100);
            throw new AssertionError("accepted a header section of " + raw.length() + " bytes");
        } catch (HttpParseException e) {
            assertEquals(431, e.status());
        }
    }

    /** A generated valid request: its bytes and what the parser must report. */
    record Generated(String method, String path, String query, List<HttpRequest.Header> headers, byte[] body, boolean close) {
        byte[] bytes() {
            StringBuilder head = new StringBuilder(method).append(' ').append(path);
            if (!query.isEmpty()) head.append('?').append(query);
            head.append(" HTTP/1.1\r\nHost: example\r\n");
            for (HttpRequest.Header h : headers) head.append(h.name()).append(':').append(' ').append(h.value()).append("\r\n");
            if (body.length > 0) head.append("Content-Length: ").append(body.length).append("\r\n");
            if (close) head.append("Connection: close\r\n");
            head.append("\r\n");
            byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
            return ByteBuffer.allocate(headBytes.length + body.length).put(headBytes).put(body).array();
        }

        void check(HttpRequest parsed) {
            assertEquals(method, parsed.method());
            assertEquals(path, parsed.path());
            assertEquals(query, parsed.query());
            assertEquals("example", parsed.header("host"));
            for (HttpRequest.Header h : headers) assertEquals(h.value(), parsed.header(h.name()), h.name());
            assertArrayEquals(body, parsed.body());
            assertEquals(!close, parsed.keepAlive());
            if (body.length == 0) assertNull(parsed.header("Content-Length"));
        }
    }

    @Provide
    Arbitrary<Generated> requests() {
        Arbitrary<String> method = Arbitraries.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH");
        Arbitrary<String> segment = Arbitraries.strings().withChars("abcxyz0189-._~%").ofMinLength(1).ofMaxLength(12);
        Arbitrary<String> path = segment.list().ofMinSize(0).ofMaxSize(4).map(s -> "/" + String.join("/", s));
        Arbitrary<String> query = Arbitraries.strings().withChars("abc123=&+-").ofMaxLength(20);
        Arbitrary<String> name = Arbitraries.strings().withChars("abcdefXYZ-_!#").ofMinLength(1).ofMaxLength(16)
                .filter(n -> !n.equalsIgnoreCase("host"));
        Arbitrary<String> value = Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(40).map(String::strip);
        Arbitrary<List<HttpRequest.Header>> headers = Combinators.combine(name, value).as(HttpRequest.Header::new)
                .list().ofMaxSize(6).uniqueElements(h -> h.name().toLowerCase());
        Arbitrary<byte[]> body = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        return Combinators.combine(method, path, query, headers, body, Arbitraries.of(true, false)).as(Generated::new);
    }
}
