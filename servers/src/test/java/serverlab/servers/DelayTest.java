package serverlab.servers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code GET /delay?ms=N}: an answer due later, on a timer in the event loop (no thread held) or a sleeping thread. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DelayTest {

    private static InetSocketAddress address(Server server) {
        return new InetSocketAddress("127.0.0.1", server.address().getPort());
    }

    static List<String> inProcess() {
        return TestServers.inProcess();
    }

    @ParameterizedTest
    @MethodSource("inProcess")
    void answersNoSoonerThanAsked(String architecture) throws IOException {
        try (Server server = Servers.start(architecture); RawHttp http = new RawHttp(address(server))) {
            long start = System.nanoTime();
            RawHttp.Reply reply = http.exchange(RawHttp.get("/delay?ms=200"));
            assertEquals(200, reply.status());
            assertEquals("delayed 200 ms\n", reply.text());
            assertTrue(System.nanoTime() - start >= 200_000_000L);
        }
    }

    /** 200 waits at once, on the one loop thread: they overlap, and no thread is started for them. */
    @ParameterizedTest
    @ValueSource(strings = {"event-loop", "event-loop-workers", "multi-reactor"})
    void manyDelaysWaitTogetherWithoutThreads(String architecture) throws Exception {
        int clients = 200;
        long delayMillis = 300;
        try (Server server = Servers.start(architecture)) {
            List<RawHttp> connections = new ArrayList<>();
            try {
                for (int i = 0; i < clients; i++) connections.add(new RawHttp(address(server)));
                int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
                long start = System.nanoTime();
                for (RawHttp http : connections) http.send(RawHttp.get("/delay?ms=" + delayMillis));
                Thread.sleep(delayMillis / 2); // all of them waiting now
                int threadsWhileWaiting = ManagementFactory.getThreadMXBean().getThreadCount();
                for (RawHttp http : connections) assertEquals(200, http.read(false).status());
                long tookMillis = (System.nanoTime() - start) / 1_000_000;
                // One after the other would take clients × 300 ms = 60 s; together, 300 ms plus the machine's noise.
                assertTrue(tookMillis < 20 * delayMillis, "took " + tookMillis + " ms");
                // A thread per wait would add 200; JVM housekeeping may add a few.
                assertTrue(threadsWhileWaiting - threadsBefore < 10, threadsBefore + " threads before, " + threadsWhileWaiting + " while waiting");
            } finally {
                for (RawHttp http : connections) http.close();
            }
        }
    }

    @Test
    void theLoopServesOthersWhileDelaysArePending() throws Exception {
        try (Server server = Servers.start("event-loop")) {
            List<RawHttp> waiting = new ArrayList<>();
            try {
                for (int i = 0; i < 50; i++) waiting.add(new RawHttp(address(server)).send(RawHttp.get("/delay?ms=3000")));
                try (RawHttp other = new RawHttp(address(server))) {
                    long start = System.nanoTime();
                    assertEquals(200, other.exchange(RawHttp.get("/hello")).status());
                    long tookMillis = (System.nanoTime() - start) / 1_000_000;
                    assertTrue(tookMillis < 3000, "/hello took " + tookMillis + " ms");
                }
                for (RawHttp http : waiting) assertTrue(!http.answerArrived(), "the delays are still pending");
            } finally {
                for (RawHttp http : waiting) http.close();
            }
        }
    }

    /** Threads have no loop to wait in: with 2 pool threads, 4 delays of 300 ms take two rounds. */
    @Test
    void aThreadServerSleepsThroughTheDelay() throws Exception {
        try (Server server = Servers.start("thread-pool", ServerOptions.defaults().withThreads(2))) {
            List<RawHttp> connections = new ArrayList<>();
            try {
                long start = System.nanoTime();
                String request = "GET /delay?ms=300 HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"; // frees the thread after
                for (int i = 0; i < 4; i++) connections.add(new RawHttp(address(server)).send(request));
                for (RawHttp http : connections) assertEquals(200, http.read(false).status());
                assertTrue(System.nanoTime() - start >= 600_000_000L, "each thread slept through two delays");
            } finally {
                for (RawHttp http : connections) http.close();
            }
        }
    }

    /** A graceful stop waits for the delayed answers pending on the loop, and sends them with Connection: close. */
    @Test
    void drainingAnswersThePendingDelays() throws Exception {
        Server server = Servers.start("event-loop");
        try (RawHttp http = new RawHttp(address(server))) {
            http.send(RawHttp.get("/delay?ms=500"));
            Thread.sleep(100); // the request is read: its answer is on the timer queue
            long start = System.nanoTime();
            CompletableFuture<Void> stop = CompletableFuture.runAsync(() -> server.stopGracefully(Duration.ofSeconds(10)));
            RawHttp.Reply reply = http.read(false);
            assertEquals(200, reply.status());
            assertEquals("close", reply.header("Connection"));
            stop.get(10, TimeUnit.SECONDS);
            assertTrue(System.nanoTime() - start >= 300_000_000L, "the stop waited for the timer");
            assertTrue(http.closedByServer());
        } finally {
            server.close();
        }
    }

    @Test
    void boundsAreThoseOfSleep() throws Exception {
        try (Server server = Servers.start("event-loop"); RawHttp http = new RawHttp(address(server))) {
            for (String bad : List.of("abc", "-1", "60001")) {
                assertEquals(400, http.exchange(RawHttp.get("/delay?ms=" + bad)).status(), bad);
            }
            assertEquals(405, http.exchange("POST /delay?ms=1 HTTP/1.1\r\nHost: test\r\nContent-Length: 0\r\n\r\n").status());
            assertEquals(200, http.exchange(RawHttp.get("/delay?ms=0")).status());
        }
    }
}
