package serverlab.servers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import serverlab.servers.core.IoBuffers;

/** The event loop's counters ({@link ServerStats#loopEvents()}): wake-ups, ready keys and events by type. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LoopEventsTest {

    private static final String LOOP = "event-loop.";

    private static InetSocketAddress address(Server server) {
        return new InetSocketAddress("127.0.0.1", server.address().getPort());
    }

    /** The count once it reaches {@code atLeast} (the loop counts right after it answers), or after 5 s. */
    private static long awaitCount(Server server, String key, long atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        long count;
        while ((count = server.stats().loopEvents().getOrDefault(key, 0L)) < atLeast && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        return count;
    }

    @Test
    void eachRequestOnAKeepAliveConnectionIsOneCompletingRead() throws Exception {
        int requests = 5;
        try (Server server = Servers.start("event-loop"); RawHttp http = new RawHttp(address(server))) {
            for (int i = 0; i < requests; i++) assertEquals(200, http.exchange(RawHttp.get("/hello")).status());
            assertEquals(requests, awaitCount(server, LOOP + "read", requests));
            Map<String, Long> events = server.stats().loopEvents();
            assertEquals(1, events.get(LOOP + "accept"));
            assertEquals(0, events.get(LOOP + "partialRead"));
            assertTrue(events.get(LOOP + "wakeups") >= requests, events.toString());
            assertTrue(events.get(LOOP + "readyKeys") >= 1 + requests, "an accept and a read per request: " + events);
            assertEquals(0, events.get(LOOP + "completion") + events.get(LOOP + "timer") + events.get(LOOP + "writeCompleted"));
        }
    }

    @Test
    void aRequestSentInPiecesIsReadPartiallyFirst() throws Exception {
        String request = RawHttp.get("/hello");
        try (Server server = Servers.start("event-loop"); RawHttp http = new RawHttp(address(server))) {
            http.send(request.substring(0, 5));
            Thread.sleep(100);
            http.send(request.substring(5, 20));
            Thread.sleep(100);
            assertEquals(200, http.exchange(request.substring(20)).status());
            assertEquals(1, awaitCount(server, LOOP + "read", 1));
            assertEquals(2, server.stats().loopEvents().get(LOOP + "partialRead"));
        }
    }

    /** Equal conditions: the loop reads at most {@link IoBuffers#READ_BYTES} per read, as a blocking connection does. */
    @Test
    void aRequestLargerThanOneReadTakesSeveralReads() throws Exception {
        byte[] body = new byte[3 * IoBuffers.READ_BYTES + 100];
        String head = "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: " + body.length + "\r\n\r\n";
        byte[] request = new byte[head.length() + body.length];
        System.arraycopy(head.getBytes(StandardCharsets.ISO_8859_1), 0, request, 0, head.length());
        try (Server server = Servers.start("event-loop"); RawHttp http = new RawHttp(address(server))) {
            http.send(request); // one write: the whole request is in the socket before the loop reads much of it
            RawHttp.Reply reply = http.read(false);
            assertEquals(200, reply.status());
            assertEquals(body.length, reply.body().length);
            assertEquals(1, awaitCount(server, LOOP + "read", 1));
            long partial = server.stats().loopEvents().get(LOOP + "partialRead");
            assertTrue(partial >= request.length / IoBuffers.READ_BYTES, "reads of at most " + IoBuffers.READ_BYTES
                    + " bytes: " + partial + " partial reads for " + request.length + " bytes");
        }
    }

    @Test
    void anOffloadedRequestComesBackAsACompletion() throws Exception {
        try (Server server = Servers.start("event-loop-workers"); RawHttp http = new RawHttp(address(server))) {
            assertEquals(200, http.exchange(RawHttp.get("/sleep?ms=50")).status());
            assertEquals(200, http.exchange(RawHttp.get("/hello")).status()); // on the loop: no completion
            assertEquals(1, awaitCount(server, LOOP + "completion", 1));
            assertEquals(2, awaitCount(server, LOOP + "read", 2));
        }
    }

    @Test
    void aDelayedAnswerIsATimer() throws Exception {
        try (Server server = Servers.start("event-loop"); RawHttp http = new RawHttp(address(server))) {
            assertEquals(200, http.exchange(RawHttp.get("/delay?ms=50")).status());
            assertEquals(1, awaitCount(server, LOOP + "timer", 1));
        }
    }

    /** A big response to a client that does not read yet: the rest goes out on OP_WRITE, later. */
    @Test
    void aResponseTheSocketCannotTakeAtOnceCompletesOnWritable() throws Exception {
        int size = 8 << 20; // more than the server's send buffer (tcp_wmem max 4 MiB) and the client's window
        try (Server server = Servers.start("event-loop"); Socket socket = new Socket()) {
            socket.setReceiveBufferSize(64 * 1024); // before connect: it sets the window the server sees
            socket.connect(address(server), 5_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(RawHttp.get("/bytes?n=" + size).getBytes(StandardCharsets.ISO_8859_1));
            Thread.sleep(300); // a slow reader: the socket buffers fill, the loop waits for OP_WRITE
            assertEquals(0, server.stats().loopEvents().get(LOOP + "writeCompleted"));
            InputStream in = socket.getInputStream();
            long received = 0;
            for (int n; received < size && (n = in.read(new byte[64 * 1024])) > 0; ) received += n;
            assertTrue(received >= size);
            assertEquals(1, awaitCount(server, LOOP + "writeCompleted", 1));
        }
    }

    @Test
    void everyLoopOfAMultiReactorIsCountedApart() throws Exception {
        try (Server server = Servers.start("multi-reactor", ServerOptions.defaults().withWorkers(2))) {
            for (int i = 0; i < 2; i++) {
                try (RawHttp http = new RawHttp(address(server))) {
                    assertEquals(200, http.exchange(RawHttp.get("/hello")).status());
                }
            }
            assertEquals(1, awaitCount(server, "loop-1.read", 1));
            assertEquals(1, awaitCount(server, "loop-2.read", 1));
            assertEquals(1, server.stats().loopEvents().get("loop-1.accept"), "handed over by the acceptor");
        }
    }

    @Test
    void serversWithoutLoopsReportNone() throws Exception {
        try (Server server = Servers.start("thread-pool"); RawHttp http = new RawHttp(address(server))) {
            assertEquals(200, http.exchange(RawHttp.get("/hello")).status());
            assertEquals(Map.of(), server.stats().loopEvents());
        }
    }

    @Test
    void statsJsonCarriesTheLoopEvents() throws Exception {
        try (Server server = Servers.start("event-loop"); RawHttp http = new RawHttp(address(server))) {
            String json = http.exchange(RawHttp.get("/stats")).text();
            assertTrue(json.contains(",\"loopEvents\":{\"event-loop.accept\":1,"), json);
            assertTrue(json.endsWith("}}"), json);
        }
    }

    /** Worker processes report their loops to the master through the child-JVM protocol; keys name the worker's pid. */
    @Test
    void nginxStyleWorkersReportTheirLoops() throws Exception {
        try (Server server = Servers.start("nginx-style", ServerOptions.defaults().withWorkers(1));
             RawHttp http = new RawHttp(address(server))) {
            assertEquals(200, http.exchange(RawHttp.get("/hello")).status());
            String key = "pid " + server.workerPids().getFirst() + ".read";
            assertEquals(1, awaitCount(server, key, 1), server.stats().loopEvents().toString());
        }
    }
}
