package serverlab.servers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import serverlab.servers.handlers.Workloads;

/** Bad clients get the right 4xx and are closed; good clients never notice them; no worker stays stuck. */
class MalformedInputTest {

    static final Duration IDLE = Duration.ofSeconds(1);

    static java.util.stream.Stream<String> architectures() {
        return TestServers.architectures();
    }

    static Map<String, Integer> battery() {
        byte[] garbage = new byte[300];
        new Random(42).nextBytes(garbage);
        Map<String, Integer> cases = new LinkedHashMap<>();
        cases.put("GET /hello\r\nHost: t\r\n\r\n", 400);                                   // truncated request line
        cases.put("GET /hello HTTP/1.1 extra\r\nHost: t\r\n\r\n", 400);
        cases.put("G@T /hello HTTP/1.1\r\nHost: t\r\n\r\n", 400);                         // bad method
        cases.put("BREW /hello HTTP/1.1\r\nHost: t\r\n\r\n", 501);                        // unknown, well-formed
        cases.put("GET /hello HTTP/2.0\r\nHost: t\r\n\r\n", 505);
        cases.put("GET /hello HTTP/1.1\r\nHost: t\r\nX-Big: " + "a".repeat(9000) + "\r\n\r\n", 431);
        cases.put("GET /" + "a".repeat(9000) + " HTTP/1.1\r\nHost: t\r\n\r\n", 414);
        cases.put("GET /hello HTTP/1.1\r\nHost: t\r\nno colon here\r\n\r\n", 400);        // header without colon
        cases.put("GET /hello HTTP/1.1\r\nHost: t\r\nBad Name: x\r\n\r\n", 400);
        cases.put("GET /hello HTTP/1.1\r\n\r\n", 400);                                    // no Host
        cases.put("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: -5\r\n\r\n", 400);
        cases.put("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 99999999999999999999999\r\n\r\n", 400);
        cases.put("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 12abc\r\n\r\n", 400);
        cases.put("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2000000\r\n\r\n", 413); // body too large
        cases.put("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n", 501);
        cases.put("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400);
        cases.put("GET /hello HTTP/1.1\rHost: t\r\n\r\n", 400);                            // bare CR
        cases.put(new String(garbage, StandardCharsets.ISO_8859_1) + "\r\n\r\n", 400);    // binary garbage
        return cases;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("architectures")
    void badRequestsGetTheRightStatusAndAClose(String name) throws Exception {
        try (Server server = Servers.start(name, ServerOptions.defaults().withIdleTimeout(IDLE))) {
            for (var entry : battery().entrySet()) {
                String shown = entry.getKey().substring(0, Math.min(60, entry.getKey().length()));
                try (RawHttp bad = new RawHttp(server.address(), 5_000)) {
                    bad.send(entry.getKey());
                    RawHttp.Reply reply = bad.read(false);
                    assertEquals(entry.getValue(), reply.status(), shown);
                    assertEquals("close", reply.header("Connection"), shown);
                    assertTrue(bad.closedByServer(), "must close after: " + shown);
                }
                assertHealthy(server);
            }
            // semantic errors keep the connection usable
            try (RawHttp http = new RawHttp(server.address())) {
                assertEquals(405, http.exchange("DELETE /hello HTTP/1.1\r\nHost: t\r\n\r\n").status());
                assertEquals(400, http.exchange(RawHttp.get("/bytes?n=-1")).status());
                assertEquals(400, http.exchange(RawHttp.get("/sleep?ms=abc")).status());
                assertEquals(403, http.exchange(RawHttp.get("/file?name=..%2F..%2Fetc%2Fpasswd")).status());
                assertEquals(403, http.exchange(RawHttp.get("/file?name=..")).status());
                assertEquals(404, http.exchange(RawHttp.get("/file?name=missing.txt")).status());
                assertEquals(Workloads.HELLO_TEXT, http.exchange(RawHttp.get("/hello")).text());
            }
            assertTrue(server.stats().errors() >= battery().size(), server.stats().toString());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("architectures")
    void slowlorisGets408WhileOthersAreServed(String name) throws Exception {
        try (Server server = Servers.start(name, ServerOptions.defaults().withIdleTimeout(IDLE))) {
            byte[] request = RawHttp.get("/hello").getBytes(StandardCharsets.US_ASCII);
            try (RawHttp slow = new RawHttp(server.address(), 5_000)) {
                long start = System.nanoTime();
                CompletableFuture<Void> normal = CompletableFuture.runAsync(() -> {
                    try {
                        Thread.sleep(100);
                        assertHealthy(server);
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
                int sent = 0;
                try { // one byte every 300 ms: the server must give up after IDLE for the whole request
                    for (; sent < request.length - 1; sent++) {
                        slow.send(new byte[] {request[sent]});
                        Thread.sleep(300);
                        // stop when the answer is here: a server that lingers before closing keeps taking bytes
                        if (slow.answerArrived() || System.nanoTime() - start > TimeUnit.SECONDS.toNanos(4)) break;
                    }
                } catch (java.io.IOException closed) {
                    // the server closed on us mid-trickle: fine, the reply is already in our buffer
                }
                RawHttp.Reply reply = slow.read(false);
                assertEquals(408, reply.status());
                long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertTrue(elapsedMs < 3_000, "408 should come about IDLE after the first byte, came after " + elapsedMs + " ms");
                assertTrue(slow.closedByServer());
                normal.get(5, TimeUnit.SECONDS); // served meanwhile (the iterative server: right after)
            }
            // a client that connects and says nothing is dropped too
            try (RawHttp silent = new RawHttp(server.address(), 5_000)) {
                assertEquals(408, silent.read(false).status());
            }
            assertHealthy(server);
            awaitNoConnections(server);
        }
    }

    static void assertHealthy(Server server) throws Exception {
        try (RawHttp http = new RawHttp(server.address(), 5_000)) {
            assertEquals(Workloads.HELLO_TEXT, http.exchange(RawHttp.get("/hello")).text());
        }
    }

    static void awaitNoConnections(Server server) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (server.stats().activeConnections() > 0 && System.nanoTime() < deadline) Thread.sleep(20);
        assertEquals(0, server.stats().activeConnections(), "no connection may stay stuck: " + server.stats());
    }
}
