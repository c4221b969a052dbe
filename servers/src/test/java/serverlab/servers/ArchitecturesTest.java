package serverlab.servers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import serverlab.servers.handlers.Patterns;
import serverlab.servers.handlers.SampleData;
import serverlab.servers.handlers.Workloads;

/** Every architecture serves the same workloads byte-correctly, under concurrency, with HTTP/1.1 connection semantics. */
class ArchitecturesTest {

    static java.util.stream.Stream<String> architectures() {
        return TestServers.architectures();
    }

    /** One request of the mix and the exact body it must produce. */
    private record Case(String raw, int status, byte[] body, boolean head) {
    }

    private static Case nth(int client, int i) throws Exception {
        int n = (client * 31 + i * 17) % 5000;
        return switch (i % 7) {
            case 0 -> new Case(RawHttp.get("/hello"), 200, Workloads.HELLO_TEXT.getBytes(StandardCharsets.UTF_8), false);
            case 1 -> new Case(RawHttp.get("/bytes?n=" + n), 200, Patterns.bytes(n), false);
            case 2 -> new Case(RawHttp.get("/cpu?iterations=" + n),
                    200, ("iterations=" + n + " result=" + Long.toHexString(Workloads.spin(n)) + "\n").getBytes(StandardCharsets.UTF_8), false);
            case 3 -> new Case(RawHttp.get("/file?name=" + SampleData.SMALL), 200,
                    Files.readAllBytes(SampleData.directory().resolve(SampleData.SMALL)), false);
            case 4 -> new Case("HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\n", 200, new byte[0], true);
            case 5 -> {
                String body = "echo " + client + "/" + i;
                yield new Case("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: " + body.length() + "\r\n\r\n" + body,
                        200, body.getBytes(StandardCharsets.UTF_8), false);
            }
            default -> new Case(RawHttp.get("/nope"), 404, null, false);
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("architectures")
    void concurrentKeepAliveClientsGetByteCorrectResponses(String name) throws Exception {
        int clients = TestServers.clients(name), requests = TestServers.requestsPerClient(name);
        try (Server server = Servers.start(name, ServerOptions.defaults());
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> results = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                results.add(pool.submit(() -> {
                    try (RawHttp http = new RawHttp(server.address(), 60_000)) {
                        for (int i = 0; i < requests; i++) {
                            Case expected = nth(client, i);
                            RawHttp.Reply reply = http.exchange(expected.raw());
                            assertEquals(expected.status(), reply.status(), expected.raw());
                            if (expected.body() != null) assertArrayEquals(expected.body(), reply.body(), expected.raw());
                            if (expected.head()) assertEquals("14", reply.header("Content-Length"));
                            assertEquals("ServerLab/" + name, reply.header("Server"));
                            assertTrue(reply.header("Date").endsWith(" GMT"), reply.header("Date"));
                        }
                    }
                    return requests;
                }));
            }
            int answered = 0;
            for (Future<Integer> result : results) answered += result.get(3, TimeUnit.MINUTES);
            assertEquals(clients * requests, answered);
            awaitRequestCount(server, clients * requests);
        }
    }

    // Stats are counted when the handler returns, a hair before the client reads the response.
    private static void awaitRequestCount(Server server, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (server.stats().requests() < expected && System.nanoTime() < deadline) Thread.sleep(10);
        assertTrue(server.stats().requests() >= expected, server.stats().toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("architectures")
    void pipelinedRequestsAreAnsweredInOrder(String name) throws Exception {
        try (Server server = Servers.start(name, ServerOptions.defaults());
             RawHttp http = new RawHttp(server.address())) {
            StringBuilder burst = new StringBuilder();
            List<Case> cases = new ArrayList<>();
            for (int i = 0; i < 14; i++) {
                Case c = nth(7, i);
                cases.add(c);
                burst.append(c.raw());
            }
            http.send(burst.toString()); // one write: the server sees them all at once
            for (Case expected : cases) {
                RawHttp.Reply reply = http.read(expected.head());
                assertEquals(expected.status(), reply.status(), expected.raw());
                if (expected.body() != null) assertArrayEquals(expected.body(), reply.body(), expected.raw());
            }
            // a large body in the middle of a pipeline (exercises partial writes)
            http.send(RawHttp.get("/bytes?n=3000000") + RawHttp.get("/hello"));
            assertArrayEquals(Patterns.bytes(3_000_000), http.read(false).body());
            assertEquals(Workloads.HELLO_TEXT, http.read(false).text());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("architectures")
    void headConnectionCloseAndHttp10(String name) throws Exception {
        try (Server server = Servers.start(name, ServerOptions.defaults())) {
            try (RawHttp http = new RawHttp(server.address())) {
                RawHttp.Reply head = http.exchange("HEAD /bytes?n=100 HTTP/1.1\r\nHost: t\r\n\r\n");
                assertEquals(200, head.status());
                assertEquals("100", head.header("Content-Length"));
                // no body was sent: the next response starts right away
                assertEquals(Workloads.HELLO_TEXT, http.exchange(RawHttp.get("/hello")).text());
                RawHttp.Reply last = http.exchange("GET /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
                assertEquals("close", last.header("Connection"));
                assertTrue(http.closedByServer(), "Connection: close must close");
            }
            try (RawHttp http = new RawHttp(server.address())) {
                RawHttp.Reply reply = http.exchange("GET /hello HTTP/1.0\r\n\r\n");
                assertEquals(Workloads.HELLO_TEXT, reply.text());
                assertEquals("close", reply.header("Connection"));
                assertTrue(http.closedByServer(), "HTTP/1.0 without keep-alive must close");
            }
            try (RawHttp http = new RawHttp(server.address())) { // a busy machine may take a while to answer
                RawHttp.Reply reply = http.exchange("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
                assertEquals("keep-alive", reply.header("Connection"));
                assertTrue(!http.closedByServerWithin(500), "HTTP/1.0 keep-alive must stay open");
                assertNull(http.exchange(RawHttp.get("/hello")).header("Connection"));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("architectures")
    void gracefulStopLosesNoInFlightRequest(String name) throws Exception {
        // the iterative server serves one connection at a time: more would wait in the backlog, not be in flight
        int inFlight = name.equals("iterative") ? 1 : 4;
        Server server = Servers.start(name, ServerOptions.defaults());
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<RawHttp.Reply>> replies = new ArrayList<>();
            for (int i = 0; i < inFlight; i++) {
                replies.add(pool.submit(() -> {
                    try (RawHttp http = new RawHttp(server.address())) {
                        return http.exchange(RawHttp.get("/sleep?ms=500"));
                    }
                }));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (server.stats().acceptedConnections() < inFlight && System.nanoTime() < deadline) Thread.sleep(5);
            Thread.sleep(200); // the requests are sent right after the connect
            long start = System.nanoTime();
            server.stopGracefully(Duration.ofSeconds(10));
            for (Future<RawHttp.Reply> reply : replies) {
                RawHttp.Reply r = reply.get(10, TimeUnit.SECONDS);
                assertEquals(200, r.status());
                assertEquals("slept 500 ms\n", r.text());
            }
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(8), "the drain should end when the requests are done");
        } finally {
            server.close();
        }
        assertTrue(!Tracked.open().contains(server), "a closed server unregisters");
    }
    /**
     * A client has connected and been accepted, and its request is still on its way when a graceful stop begins:
     * the server answers it (with Connection: close) instead of closing the connection as idle, which loses a
     * request the client has sent. A connection per request meets this race on every reload.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("architectures")
    void gracefulStopAnswersAConnectionWhoseRequestIsOnItsWay(String name) throws Exception {
        Server server = Servers.start(name, ServerOptions.defaults());
        try (RawHttp http = new RawHttp(server.address(), 10_000);
             ExecutorService stopper = Executors.newSingleThreadExecutor()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (server.stats().acceptedConnections() < 1 && System.nanoTime() < deadline) Thread.sleep(5);
            Thread.sleep(100); // the server now waits for the request's first byte
            Future<?> stop = stopper.submit(() -> {
                server.stopGracefully(Duration.ofSeconds(10));
                return null;
            });
            Thread.sleep(300); // the drain has begun
            RawHttp.Reply reply = http.exchange(RawHttp.get("/hello"));
            assertEquals(200, reply.status());
            assertEquals("close", reply.header("Connection"));
            stop.get(10, TimeUnit.SECONDS);
        } finally {
            server.close();
        }
    }
}
