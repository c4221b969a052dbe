package serverlab.servers.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import serverlab.servers.Server;
import serverlab.servers.ServerOptions;
import serverlab.servers.Servers;

class ProcessPerRequestServerTest extends ArchitectureContract {

    @Override
    protected String name() {
        return ProcessPerRequestServer.NAME;
    }

    // every request costs a JVM start (~0.1 s of CPU): 40 of them keep the test short
    @Override
    protected int clients() {
        return 8;
    }

    @Override
    protected int requestsPerClient() {
        return 5;
    }

    @Test
    void everyRequestIsServedByANewProcess() throws IOException {
        Set<String> pids = new HashSet<>();
        try (HttpTestClient client = new HttpTestClient(address())) {
            for (int i = 0; i < 5; i++) {
                String pid = client.get("/hello").header(CgiChild.SERVED_BY);
                assertNotEquals(null, pid);
                assertNotEquals(String.valueOf(server.pid()), pid);
                pids.add(pid);
            }
        }
        assertEquals(5, pids.size(), "pids: " + pids);
    }

    /** A long request, so a CGI child is alive when the parent is killed. */
    @Override
    protected void keepAWorkerBusy(InetSocketAddress address) throws IOException {
        HttpTestClient client = new HttpTestClient(address); // left open: dies with the killed parent
        client.write("GET /sleep?ms=30000 HTTP/1.1\r\nHost: x\r\n\r\n");
    }

    @Test
    void requestsBeyondTheChildrenAndTheQueueGet503() throws Exception {
        ServerOptions oneChildNoQueue = ServerOptions.defaults().withWorkers(1).withQueueCapacity(0);
        try (Server cgi = Servers.start(name(), oneChildNoQueue);
             HttpTestClient busy = new HttpTestClient(cgi.address());
             HttpTestClient next = new HttpTestClient(cgi.address())) {
            busy.write("GET /sleep?ms=30000 HTTP/1.1\r\nHost: x\r\n\r\n");
            awaitChildren(cgi, 1);
            // Before the cap this started a second JVM, and so would 20,000 more.
            HttpTestClient.Response refused = next.get("/hello");
            assertEquals(503, refused.status());
            assertTrue(refused.bodyText().contains("all 1 CGI children busy and 0 requests queued"), refused.bodyText());
        }
    }

    @Test
    void aChildThatOutlivesTheTimeLimitIsKilledAnd504() throws Exception {
        try (Server cgi = Servers.start(name(), ServerOptions.defaults().withIdleTimeout(Duration.ofSeconds(1)));
             HttpTestClient client = new HttpTestClient(cgi.address())) {
            client.write("GET /sleep?ms=60000 HTTP/1.1\r\nHost: x\r\n\r\n");
            List<Long> children = awaitChildren(cgi, 1);
            // Killed after MIN_CHILD_TIME (10 s). Before the limit the child slept its full minute and this read timed out.
            assertEquals(504, client.read().status());
            assertFalse(ProcessHandle.of(children.getFirst()).map(ProcessHandle::isAlive).orElse(false), "the late child still runs");
            assertEquals(200, client.get("/hello").status(), "the connection stays usable");
        }
    }

    private static List<Long> awaitChildren(Server cgi, int count) throws InterruptedException {
        for (long deadline = System.nanoTime() + 20_000_000_000L; System.nanoTime() < deadline; Thread.sleep(10)) {
            if (cgi.workerPids().size() == count) return cgi.workerPids();
        }
        throw new AssertionError("expected " + count + " CGI children, have " + cgi.workerPids());
    }
}
