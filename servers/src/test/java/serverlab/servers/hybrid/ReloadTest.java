package serverlab.servers.hybrid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import serverlab.servers.Reloadable.Reload;
import serverlab.servers.Server;
import serverlab.servers.ServerOptions;
import serverlab.servers.Servers;
import serverlab.servers.control.ControlAddress;
import serverlab.servers.core.Listeners;
import serverlab.servers.process.ChildJvm;
import serverlab.servers.process.ClientLoops;
import serverlab.servers.process.HttpTestClient;
import serverlab.servers.process.MultiProcessServer;
import serverlab.servers.process.PreforkServer;
import serverlab.servers.process.QueuedRequests;
import serverlab.servers.process.Worker;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReloadTest {

    private static final ServerOptions OPTIONS = ServerOptions.defaults().withWorkers(2).withIdleTimeout(Duration.ofSeconds(10));

    @Test
    void threeReloadsUnderLoadLoseNoRequest() throws Exception {
        try (NginxStyleServer server = NginxStyleServer.start(OPTIONS)) {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", server.address().getPort());
            List<Reload> reloads = new ArrayList<>();
            ClientLoops clients = ClientLoops.start(address, 4, 4); // keep-alive and a new connection per request
            try {
                Thread.sleep(300);
                for (int workers : new int[] {3, 1, 2}) {
                    reloads.add(server.reload(OPTIONS.withWorkers(workers)));
                    Thread.sleep(300);
                }
            } finally {
                clients.close();
            }
            System.out.printf("nginx-style reloads under load: %d answered, %d failed %s, reloads %s%n",
                    clients.answered(), clients.failed(), clients.failures(), reloads);
            // No request on an established connection may be lost. A new connection can be reset in the instant an
            // old worker closes its SO_REUSEPORT socket, unless the kernel migrates it (Listeners' javadoc).
            assertEquals(clients.failedOnNewConnections(), clients.failed(), "requests lost on established connections: " + clients.failures());
            long allowedResets = Listeners.kernelMigratesQueuedConnections() ? 0 : reloads.size();
            assertTrue(clients.failedOnNewConnections() <= allowedResets,
                    clients.failedOnNewConnections() + " new connections reset (want ≤ " + allowedResets + "): " + clients.failures());
            assertTrue(clients.answered() > 100, "answered " + clients.answered());
            assertEquals(3, server.reloads());
            for (int i = 0; i < reloads.size(); i++) {
                Reload reload = reloads.get(i);
                assertEquals(i + 1, reload.reloads());
                assertTrue(Collections.disjoint(reload.oldWorkerPids(), reload.newWorkerPids()), reload.toString());
            }
            assertEquals(List.of(3, 1, 2), reloads.stream().map(r -> r.newWorkerPids().size()).toList());
            assertEquals(reloads.getLast().newWorkerPids(), server.workerPids());
            // every request answered by any generation is counted: retired workers reported their final counters
            assertEquals(clients.answered(), server.stats().requests());
            assertEquals(3 + 1 + 2 + 2, server.stats().requestsPerWorker().size());
        }
    }

    /** Prefork's workers block in accept(): a retiring one serves what waits on its socket before it closes it. */
    @Test
    void aPreforkReloadServesTheConnectionsQueuedOnTheRetiringWorkers() throws Exception {
        try (PreforkServer server = PreforkServer.start(OPTIONS);
             QueuedRequests queued = QueuedRequests.send(new InetSocketAddress("127.0.0.1", server.address().getPort()), 6, 800)) {
            Reload reload = server.reload(OPTIONS); // the old workers are told to stop while connections wait on their sockets
            queued.assertEveryOneAnswered();
            for (long pid : reload.oldWorkerPids()) {
                assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "old worker " + pid + " still runs");
            }
            assertEquals(6, server.stats().requests(), "the old workers reported their final counters");
            assertEquals(0, server.stats().errors());
        }
    }

    /** Closing an idle keep-alive connection at once would race with this request (RFC 9112 §9.3.1). */
    @Test
    void anIdleKeepAliveConnectionOfARetiringWorkerGetsOneMoreAnswer() throws Exception {
        try (NginxStyleServer server = NginxStyleServer.start(OPTIONS.withWorkers(1));
             HttpTestClient idle = new HttpTestClient(server.address())) {
            assertEquals(200, idle.get("/hello").status());
            List<Long> old = server.workerPids();
            Thread reload = Thread.ofPlatform().start(() -> {
                try {
                    server.reload(OPTIONS.withWorkers(1));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            while (server.workerPids().equals(old)) Thread.sleep(5); // the new worker serves; the old one is told to stop
            // Until the stop reaches the old worker its answers keep the connection open; from then on the
            // connection is idle between requests, 300 ms at a time, and must not be closed under the next one.
            HttpTestClient.Response answer;
            do {
                Thread.sleep(300);
                answer = idle.get("/hello");
                assertEquals(200, answer.status());
            } while (!"close".equals(answer.header("connection")));
            reload.join();
        }
    }

    @Test
    void aReloadWhoseWorkersFailToStartLeavesTheOldOnesServing() throws Exception {
        try (FailingGeneration server = FailingGeneration.start(OPTIONS)) {
            List<Long> before = server.workerPids();
            assertThrows(java.io.IOException.class, () -> server.reload(OPTIONS.withThreads(FailingGeneration.FAILS)));
            assertEquals(before, server.workerPids());
            assertEquals(0, server.reloads());
            assertEquals(OPTIONS, server.options());
            try (HttpTestClient client = new HttpTestClient(server.address())) {
                assertEquals(200, client.get("/hello").status());
            }
        }
    }

    /** iis-style workers, except that a generation with {@link #FAILS} threads cannot start. */
    static final class FailingGeneration extends MultiProcessServer {
        static final int FAILS = 7;

        private FailingGeneration(ServerOptions options) throws java.io.IOException {
            super("test-only-failing-generation", options);
        }

        static FailingGeneration start(ServerOptions options) throws java.io.IOException {
            return startWorkers(new FailingGeneration(options));
        }

        @Override
        protected Process launchWorker(int slot, ServerOptions workerOptions) throws java.io.IOException {
            Class<?> main = workerOptions.threads() == FAILS ? ExitsAtOnce.class : IisStyleServer.class;
            return ChildJvm.start(Worker.jvmOptions(workerOptions), main, List.of(workerOptions.toJson()));
        }
    }

    /** A worker that exits before it is ready. */
    public static final class ExitsAtOnce {
        public static void main(String[] args) {
            System.exit(1);
        }
    }

    @Test
    void theControlEndpointReloadsWithChangedOptions() throws Exception {
        try (IisStyleServer server = IisStyleServer.start(OPTIONS.withControlPort(0))) {
            List<Long> before = server.workerPids();
            ControlAddress control = server.controlAddress().orElseThrow();
            assertEquals(400, post(control, "/reload?workers=0").status());
            assertEquals(before, server.workerPids(), "a refused reload changes nothing");

            HttpTestClient.Response reloaded = post(control, "/reload?workers=3&threads=4");
            assertEquals(200, reloaded.status(), reloaded.bodyText());
            assertTrue(reloaded.bodyText().startsWith("{\"reloads\":1,\"oldWorkerPids\":[" + before.get(0)), reloaded.bodyText());
            assertEquals(3, server.workerPids().size());
            assertTrue(Collections.disjoint(before, server.workerPids()));
            assertEquals(4, server.options().threads());
            try (HttpTestClient client = new HttpTestClient(server.address())) {
                assertEquals(200, client.get("/hello").status());
            }
        }
    }

    @Test
    void aServerThatCannotReloadSaysSo() throws Exception {
        try (Server server = Servers.start("event-loop", OPTIONS.withControlPort(0))) {
            assertEquals(501, post(server.controlAddress().orElseThrow(), "/reload?workers=3").status());
        }
    }

    private static HttpTestClient.Response post(ControlAddress control, String target) throws Exception {
        try (HttpTestClient client = new HttpTestClient(control.address())) {
            return client.send("POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + control.token()
                    + "\r\nContent-Length: 0\r\n\r\n");
        }
    }
}
