package serverlab.labs.experiment;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import serverlab.labs.metrics.ProcessTreeProbe;
import serverlab.servers.ServerOptions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** 10,000 quiet connections are held by the server while open, and every descriptor on both sides comes back on close. */
class IdleConnectionsTest {

    private static final int COUNT = 10_000;

    @Test
    void tenThousandHeldAndReleasedWithoutLeakingDescriptors() throws Exception {
        try (HostedServer server = HostedServer.start("event-loop", ServerOptions.defaults().withIdleTimeout(Duration.ofMinutes(5)))) {
            ProcessTreeProbe serverProbe = ProcessTreeProbe.of(server.pid());
            server.stats(); // any connection stats() keeps open exists before we count
            long ourFdsBefore = openDescriptors();
            int serverFdsBefore = serverProbe.sample().openFds();
            try (IdleConnections idle = IdleConnections.open(server.address(), COUNT)) {
                assertEquals(COUNT, idle.count());
                assertTrue(openDescriptors() - ourFdsBefore >= COUNT, "our side holds a descriptor per connection");
                awaitTrue(() -> server.stats().activeConnections() == COUNT, "the server holds all " + COUNT + " connections");
                assertTrue(serverProbe.sample().openFds() - serverFdsBefore >= COUNT, "the server holds a descriptor per connection");
            }
            long ourFdsAfter = openDescriptors();
            assertTrue(ourFdsAfter - ourFdsBefore <= 5, "client descriptors: " + ourFdsBefore + " before, " + ourFdsAfter + " after (want every one closed)");
            awaitTrue(() -> server.stats().activeConnections() == 0, "the server saw every connection close");
            awaitTrue(() -> serverProbe.sample().openFds() <= serverFdsBefore + 5, "every server descriptor closed");
        }
    }

    @Test
    void onlyLoopback() {
        assertThrows(IllegalArgumentException.class, () -> IdleConnections.open(new InetSocketAddress("192.0.2.1", 80), 1));
    }

    private static long openDescriptors() throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("within 20 s: " + what);
            Thread.sleep(50);
        }
    }
}
