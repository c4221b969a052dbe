package serverlab.labs.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import serverlab.servers.Server;
import serverlab.servers.ServerOptions;
import serverlab.servers.Servers;

class SlowClientsTest {

    @Test
    void slowClientsCompleteWholeRequestsAtTheDribblePace() throws Exception {
        try (Server server = Servers.start("event-loop", ServerOptions.defaults());
             SlowClients slow = SlowClients.to(server).connections(3).chunkBytes(8).pause(Duration.ofMillis(10))
                     .duration(Duration.ofMillis(1500))) {
            long dribbleMs = slow.dribbleTime().toMillis();
            assertEquals((slow.request().length + 7) / 8 - 1, dribbleMs / 10, "a pause between each two 8-byte chunks");
            SlowClientsResult r = slow.start().result();
            assertEquals(0, r.totalErrors(), r.summary());
            assertTrue(r.requests() >= 3, "every client completed requests on its keep-alive connection: " + r.summary());
            assertTrue(r.minMs() >= dribbleMs, "no response before the request's last chunk was sent: " + r.summary());
            assertEquals(1, r.table().rowCount());
        }
    }

    /**
     * Two threads, four slow clients: on thread-pool the slow keep-alive connections hold both threads
     * for their whole run, so a fast request queues behind them; the event loop serves it in between
     * the chunks it is buffering. Margins are factors, not milliseconds.
     */
    @Test
    void slowClientsHoldEveryPoolThreadButNotTheEventLoop() throws Exception {
        ServerOptions twoThreads = ServerOptions.defaults().withThreads(2);
        double pool = fastRequestBesideSlowClients(Servers.start("thread-pool", twoThreads));
        double loop = fastRequestBesideSlowClients(Servers.start("event-loop", twoThreads));
        double dribbleMs = 450; // 40-odd bytes, 4 at a time, 50 ms apart
        assertTrue(pool >= dribbleMs, "on thread-pool the fast request waits for the slow clients: " + pool + " ms");
        assertTrue(loop < dribbleMs / 3 && loop < pool / 4,
                "on event-loop it does not: " + loop + " ms (thread-pool " + pool + " ms)");
    }

    private static double fastRequestBesideSlowClients(Server server) throws Exception {
        try (server; SlowClients slow = SlowClients.to(server).connections(4).chunkBytes(4).pause(Duration.ofMillis(50))
                .duration(Duration.ofSeconds(2))) {
            assertTrue(slow.dribbleTime().toMillis() >= 450, "the request takes " + slow.dribbleTime() + " to send");
            slow.start();
            double ms = fastRequestMillis(server.address());
            assertEquals(0, slow.result().totalErrors());
            return ms;
        }
    }

    private static double fastRequestMillis(InetSocketAddress address) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", address.getPort())) {
            socket.setSoTimeout(10_000);
            long start = System.nanoTime();
            socket.getOutputStream().write("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            int first = in.read();
            assertEquals('H', first, "an HTTP response");
            return (System.nanoTime() - start) / 1e6;
        }
    }

    @Test
    void loopbackOnlyAndSettingsAreFixedOnceStarted() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> SlowClients.to(new InetSocketAddress("192.0.2.1", 80)));
        try (Server server = Servers.start("event-loop", ServerOptions.defaults());
             SlowClients slow = SlowClients.to(server).connections(1).duration(Duration.ofSeconds(5)).start()) {
            assertThrows(IllegalStateException.class, () -> slow.connections(2));
            SlowClientsResult r = slow.stop();
            assertEquals(0, r.totalErrors(), r.summary());
        }
    }
}
