package serverlab.servers.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import serverlab.servers.Server;
import serverlab.servers.ServerOptions;
import serverlab.servers.Servers;
import serverlab.servers.process.ClientLoops;

/**
 * The per-worker spread the chapter compares: requests per worker pid, for nginx-style (workers on SO_REUSEPORT
 * sockets of their own, or sharing the master's) and for real nginx (one shared socket).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PerWorkerSpreadTest {

    @ParameterizedTest
    @CsvSource({"nginx-style, reuseport", "nginx-style, shared", "nginx, shared"})
    void countsPerWorkerSumToTheRequestsAnswered(String name, String listener) throws Exception {
        assumeTrue(!name.equals("nginx") || Files.isExecutable(NginxServer.binary()), "nginx is not installed; skipping");
        try (Server server = Servers.start(name, ServerOptions.defaults().withWorkers(2).withListener(listener))) {
            ClientLoops clients = ClientLoops.start(new InetSocketAddress("127.0.0.1", server.address().getPort()), 10, 0);
            Thread.sleep(1_000);
            clients.close();
            assertEquals(0, clients.failed(), clients.failures().toString());

            Map<String, Long> perWorker = server.stats().requestsPerWorker();
            for (long deadline = System.nanoTime() + 5_000_000_000L; sum(perWorker) < clients.answered()
                    && System.nanoTime() < deadline; Thread.sleep(50)) {
                perWorker = server.stats().requestsPerWorker(); // nginx's access log is flushed every 100 ms
            }
            Map<String, Long> acceptsPerLoop = new java.util.TreeMap<>(server.stats().loopEvents());
            acceptsPerLoop.keySet().removeIf(key -> !key.endsWith(".accept")); // nginx-style's loops; nginx has none
            System.out.printf("%s, listener %s, 2 workers, 10 keep-alive connections: %d answered, per worker %s, connections %s%n",
                    name, listener, clients.answered(), perWorker, acceptsPerLoop);
            assertEquals(clients.answered(), sum(perWorker));
            assertEquals(clients.answered(), server.stats().requests());
            assertTrue(server.workerPids().stream().map(String::valueOf).toList().containsAll(perWorker.keySet()),
                    perWorker + " vs workers " + server.workerPids());
        }
    }

    private static long sum(Map<String, Long> perWorker) {
        return perWorker.values().stream().mapToLong(Long::longValue).sum();
    }
}
