package serverlab.servers.hybrid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import serverlab.servers.ServerOptions;
import serverlab.servers.process.HttpTestClient;
import serverlab.servers.process.SupervisedContract;

class NginxStyleServerTest extends SupervisedContract {

    @Override
    protected String name() {
        return NginxStyleServer.NAME;
    }

    @Test
    void workersReadTheConfigurationTheMasterWrote() throws Exception {
        ServerOptions config = ServerOptions.fromJson(Files.readString(((NginxStyleServer) server).configFile()));
        assertEquals(server.address().getPort(), config.port());
        assertEquals(2, config.workers());
    }

    @Test
    void gracefulStopLosesNoInFlightRequest() throws Exception {
        NginxStyleServer stopping = NginxStyleServer.start(ServerOptions.defaults().withWorkers(2));
        List<Long> workers = stopping.workerPids();
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", stopping.address().getPort());
        int inFlight = 6;
        ExecutorService clients = Executors.newFixedThreadPool(inFlight);
        try {
            List<Future<Integer>> statuses = new ArrayList<>();
            for (int i = 0; i < inFlight; i++) {
                statuses.add(clients.submit(() -> {
                    try (HttpTestClient client = new HttpTestClient(address)) {
                        return client.get("/sleep?ms=300").status();
                    }
                }));
            }
            Thread.sleep(150); // every request sent; each worker is inside one /sleep with others queued behind it
            long start = System.nanoTime();
            stopping.stopGracefully(Duration.ofSeconds(20));
            long stopMillis = (System.nanoTime() - start) / 1_000_000;
            for (Future<Integer> status : statuses) {
                assertEquals(200, status.get(10, TimeUnit.SECONDS));
            }
            assertTrue(stopMillis < 15_000, "graceful stop took " + stopMillis + " ms");
            for (long pid : workers) {
                assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "worker " + pid + " still alive");
            }
        } finally {
            clients.shutdownNow();
            stopping.close();
        }
    }
}
