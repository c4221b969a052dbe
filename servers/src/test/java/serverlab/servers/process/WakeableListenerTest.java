package serverlab.servers.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import serverlab.servers.ServerOptions;
import serverlab.servers.core.Listeners;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WakeableListenerTest {

    /**
     * A stop wakes a thread blocked in accept() with connections to the port, some of which land on a sibling
     * listener, and leaves the listener open: what arrives afterwards is still taken in, not reset.
     */
    @Test
    void aStopWakesTheBlockedAcceptAndKeepsListening() throws Exception {
        try (PortReservation port = new PortReservation("127.0.0.1", 0)) {
            ServerOptions options = ServerOptions.defaults().withBindAddress("127.0.0.1").withPort(port.address().getPort());
            try (WakeableListener listener = WakeableListener.open(options);
                 ServerSocketChannel sibling = Listeners.channel(SelectorProvider.provider(), options, true)) {
                Thread.ofPlatform().daemon().start(() -> closeEveryConnection(sibling)); // another worker on the port
                CompletableFuture<Integer> wakeConnections = new CompletableFuture<>();
                Thread.ofPlatform().daemon().start(() -> wakeConnections.complete(closeEveryConnection(listener)));
                Thread.sleep(300); // the accepting thread is asleep in the kernel by now

                listener.stopAccepting();
                assertTrue(wakeConnections.get(10, TimeUnit.SECONDS) >= 1, "accept() ended by a connection, not by closing the listener");

                List<Socket> later = new ArrayList<>();
                try {
                    for (int i = 0; i < 20; i++) later.add(new Socket(port.address().getAddress(), port.address().getPort()));
                    Socket accepted = acceptWithin(listener, 2_000);
                    assertNotNull(accepted, "none of 20 connections to the port reached the stopped listener");
                    accepted.close();
                } finally {
                    for (Socket socket : later) socket.close();
                }
            }
        }
    }

    @Test
    void aStopBeforeAcceptHandsOutWhatIsQueuedThenNull() throws Exception {
        try (PortReservation port = new PortReservation("127.0.0.1", 0)) {
            ServerOptions options = ServerOptions.defaults().withBindAddress("127.0.0.1").withPort(port.address().getPort());
            try (WakeableListener listener = WakeableListener.open(options);
                 Socket first = new Socket(port.address().getAddress(), port.address().getPort());
                 Socket second = new Socket(port.address().getAddress(), port.address().getPort())) {
                listener.stopAccepting();
                assertEquals(2, closeEveryConnection(listener));
            }
        }
    }

    private static Socket acceptWithin(WakeableListener listener, long millis) throws InterruptedException {
        for (long deadline = System.nanoTime() + millis * 1_000_000; System.nanoTime() < deadline; Thread.sleep(10)) {
            Socket client = listener.accept();
            if (client != null) return client;
        }
        return null;
    }

    private static int closeEveryConnection(WakeableListener listener) {
        int n = 0;
        for (Socket client; (client = listener.accept()) != null; n++) {
            close(client);
        }
        return n;
    }

    private static void closeEveryConnection(ServerSocketChannel sibling) {
        try {
            while (true) sibling.accept().close();
        } catch (IOException closed) {
            // the test is over
        }
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
