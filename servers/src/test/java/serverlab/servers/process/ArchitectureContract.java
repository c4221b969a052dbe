package serverlab.servers.process;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import serverlab.servers.Server;
import serverlab.servers.ServerOptions;
import serverlab.servers.Servers;
import serverlab.servers.handlers.Patterns;
import serverlab.servers.handlers.Workloads;

/** What every multi-process architecture must do; one subclass per architecture. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
public abstract class ArchitectureContract {

    protected Server server;

    /** Registry name of the architecture under test. */
    protected abstract String name();

    /** Concurrent keep-alive clients and requests each; process-per-request pays a JVM per request. */
    protected int clients() {
        return 20;
    }

    protected int requestsPerClient() {
        return 20;
    }

    /** Options of the servers under test: 2 workers. */
    protected ServerOptions options() {
        return ServerOptions.defaults().withWorkers(2).withIdleTimeout(Duration.ofSeconds(10));
    }

    @BeforeAll
    void startServer() {
        server = Servers.start(name(), options());
    }

    @AfterAll
    void closeServer() {
        if (server != null) {
            server.close();
            for (long pid : server.workerPids()) {
                assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "worker " + pid + " outlived close()");
            }
        }
    }

    protected InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", server.address().getPort());
    }

    @Test
    void servesEveryWorkloadOnOneKeepAliveConnection() throws IOException {
        try (HttpTestClient client = new HttpTestClient(address())) {
            HttpTestClient.Response hello = client.get("/hello");
            assertEquals(200, hello.status());
            assertEquals(Workloads.HELLO_TEXT, hello.bodyText());

            HttpTestClient.Response bytes = client.get("/bytes?n=100000");
            assertEquals(200, bytes.status());
            byte[] expected = Patterns.bytes(100_000);
            assertArrayEquals(expected, bytes.body());

            long start = System.nanoTime();
            HttpTestClient.Response sleep = client.get("/sleep?ms=200");
            assertEquals(200, sleep.status());
            assertTrue(System.nanoTime() - start >= 200_000_000L, "/sleep answered before its 200 ms");

            HttpTestClient.Response cpu = client.get("/cpu?iterations=100000");
            assertEquals(200, cpu.status());
            assertFalse(cpu.bodyText().isBlank());

            assertEquals(404, client.get("/nowhere").status());
            assertEquals(200, client.get("/hello").status(), "connection still usable after a 404");
        }
    }

    @Test
    void concurrentKeepAliveClientsAreAllServed() throws Exception {
        long before = server.stats().requests();
        ExecutorService pool = Executors.newFixedThreadPool(clients());
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int c = 0; c < clients(); c++) {
                results.add(pool.submit(() -> {
                    int ok = 0;
                    try (HttpTestClient client = new HttpTestClient(address())) {
                        for (int r = 0; r < requestsPerClient(); r++) {
                            HttpTestClient.Response response = client.get(r % 2 == 0 ? "/hello" : "/bytes?n=3000");
                            if (response.status() == 200 && response.body().length == (r % 2 == 0 ? 14 : 3000)) {
                                ok++;
                            }
                        }
                    }
                    return ok;
                }));
            }
            for (Future<Integer> result : results) {
                assertEquals(requestsPerClient(), result.get());
            }
        } finally {
            pool.shutdownNow();
        }
        long answered = server.stats().requests() - before;
        assertTrue(answered >= (long) clients() * requestsPerClient(), "stats counted " + answered + " requests");
    }

    @Test
    void malformedRequestGets400WhileOthersAreServed() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (HttpTestClient good = new HttpTestClient(address()); HttpTestClient bad = new HttpTestClient(address())) {
            // Connection: close, because a prefork worker may hold both connections in turn: it must let go of this one
            Future<HttpTestClient.Response> slow = pool.submit(() ->
                    good.send("GET /sleep?ms=300 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
            HttpTestClient.Response rejected = bad.send("GET /hello HTTP/1.1 extra\r\nHost: x\r\n\r\n");
            assertEquals(400, rejected.status());
            assertTrue(bad.closedByServer(), "connection closed after 400");
            assertEquals(200, slow.get(30, TimeUnit.SECONDS).status());
        } finally {
            pool.shutdownNow();
        }
        try (HttpTestClient next = new HttpTestClient(address())) {
            assertEquals(400, next.send("GET /hello HTTP/1.1\r\n\r\n").status(), "HTTP/1.1 without Host");
        }
        try (HttpTestClient next = new HttpTestClient(address())) {
            assertEquals(200, next.get("/hello").status(), "served after the bad requests");
        }
    }

    /** Work that keeps a worker pid listed while the parent is killed (prefork etc.: none needed). */
    protected void keepAWorkerBusy(InetSocketAddress address) throws IOException {
    }

    @Test
    void noWorkerOutlivesASigkilledParent() throws Exception {
        WorkerProcess host = WorkerProcess.start(ServerHost.command(name(), options(), List.of("-Xmx128m")).start());
        try {
            int port = host.awaitReady(Duration.ofSeconds(60));
            keepAWorkerBusy(new InetSocketAddress("127.0.0.1", port));
            List<Long> workers = List.of();
            for (long deadline = System.nanoTime() + 10_000_000_000L; workers.isEmpty() && System.nanoTime() < deadline; ) {
                workers = host.stats(Duration.ofSeconds(5)).workerPids();
            }
            assertFalse(workers.isEmpty(), "the host reported no worker processes");
            for (long pid : workers) {
                assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "worker " + pid + " alive before the kill");
            }

            ProcessHandle.of(host.pid()).orElseThrow().destroyForcibly(); // SIGKILL: no shutdown hook runs in the parent
            host.awaitExit(Duration.ofSeconds(5));
            assertFalse(host.isAlive());

            long deadline = System.nanoTime() + 5_000_000_000L;
            List<Long> survivors = workers;
            while (!survivors.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
                survivors = survivors.stream().filter(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).toList();
            }
            assertEquals(List.of(), survivors, "workers alive 5 s after their parent was SIGKILLed");
        } finally {
            host.requestTermination();
            host.awaitExit(Duration.ofSeconds(5));
        }
    }
}
