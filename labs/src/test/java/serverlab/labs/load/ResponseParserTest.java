package serverlab.labs.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResponseParserTest {

    private final List<String> seen = new ArrayList<>();
    private final ResponseParser parser = new ResponseParser((status, close) -> seen.add(status + (close ? " close" : "")));

    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nServer: x\r\n\r\nhello";
    private static final String NOT_FOUND = "HTTP/1.1 404 Not Found\r\ncontent-length: 9\r\n\r\nnot found";
    private static final String EMPTY = "HTTP/1.1 204 No Content\r\n\r\n";
    private static final String CLOSING = "HTTP/1.1 200 OK\r\nCONTENT-LENGTH: 2\r\nConnection: close\r\n\r\nok";

    private void feed(String s) throws Exception {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        parser.feed(b, 0, b.length);
    }

    @Test
    void pipelinedResponsesInOneReadAreAllReportedInOrder() throws Exception {
        feed(OK + NOT_FOUND + EMPTY + OK + CLOSING);
        assertEquals(List.of("200", "404", "204", "200", "200 close"), seen);
    }

    @Test
    void everySplitPointGivesTheSameResponses() throws Exception {
        byte[] all = (OK + NOT_FOUND + OK).getBytes(StandardCharsets.US_ASCII);
        for (int split = 0; split <= all.length; split++) {
            seen.clear();
            parser.reset();
            // Feed from an offset inside a larger array, as the read buffer would.
            byte[] buffer = new byte[all.length + 10];
            System.arraycopy(all, 0, buffer, 3, all.length);
            parser.feed(buffer, 3, split);
            parser.feed(buffer, 3 + split, all.length - split);
            assertEquals(List.of("200", "404", "200"), seen, "split at " + split);
        }
    }

    @Test
    void byteAtATimeWorks() throws Exception {
        for (byte b : (OK + OK).getBytes(StandardCharsets.US_ASCII)) {
            parser.feed(new byte[] {b}, 0, 1);
        }
        assertEquals(List.of("200", "200"), seen);
    }

    @Test
    void largeBodySpanningManyReadsIsSkipped() throws Exception {
        int size = 200_000;
        feed("HTTP/1.1 200 OK\r\nContent-Length: " + size + "\r\n\r\n");
        byte[] chunk = new byte[4096];
        int left = size;
        while (left > 0) {
            int n = Math.min(left, chunk.length);
            parser.feed(chunk, 0, n);
            left -= n;
            assertEquals(left == 0 ? 1 : 0, seen.size());
        }
        feed(OK);
        assertEquals(List.of("200", "200"), seen);
    }

    @Test
    void bodyWithoutLengthRunsToEndOfStream() throws Exception {
        feed("HTTP/1.0 200 OK\r\n\r\nsome body");
        assertTrue(seen.isEmpty());
        assertTrue(parser.endOfStream());
        assertEquals(List.of("200 close"), seen);
    }

    @Test
    void http10WithoutKeepAliveMeansClose() throws Exception {
        feed("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n");
        feed("HTTP/1.0 200 OK\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n");
        assertEquals(List.of("200 close", "200"), seen);
    }

    @Test
    void garbageAndChunkedAreProtocolErrors() {
        assertThrows(ResponseParser.ProtocolException.class, () -> feed("SSH-2.0-OpenSSH\r\n\r\n"));
        parser.reset();
        assertThrows(ResponseParser.ProtocolException.class,
                () -> feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"));
        parser.reset();
        assertThrows(ResponseParser.ProtocolException.class,
                () -> feed("HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n"));
    }
}
