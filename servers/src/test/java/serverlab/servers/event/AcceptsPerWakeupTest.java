package serverlab.servers.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import serverlab.servers.ServerOptions;
import serverlab.servers.core.Listeners;
import serverlab.servers.core.ServerContext;
import serverlab.servers.handlers.Handlers;

/** How many queued connections a loop takes per wake-up: up to 64 on its own socket, one on a shared one. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AcceptsPerWakeupTest {

    private static final int QUEUED = 5;

    @Test
    void aLoopOnItsOwnSocketTakesEveryQueuedConnectionInOneWakeup() throws Exception {
        Map<String, Long> events = acceptQueued(loop -> loop);
        assertEquals(1, events.get("test.wakeups"), events.toString());
    }

    @Test
    void aLoopOnASharedSocketTakesOneQueuedConnectionPerWakeup() throws Exception {
        Map<String, Long> events = acceptQueued(Reactor::acceptingOnePerWakeup);
        assertTrue(events.get("test.wakeups") >= QUEUED, events.toString());
    }

    /** Queues connections that send nothing, then starts the loop and returns its counters once it accepted them all. */
    private static Map<String, Long> acceptQueued(UnaryOperator<Reactor> setUp) throws Exception {
        ServerOptions options = ServerOptions.defaults();
        ServerContext context = new ServerContext("test", options, Handlers.of(options, () -> null));
        List<SocketChannel> clients = new ArrayList<>();
        try (ServerSocketChannel listener = Listeners.channel(SelectorProvider.provider(), options, false)) {
            InetSocketAddress address = (InetSocketAddress) listener.getLocalAddress();
            for (int i = 0; i < QUEUED; i++) clients.add(SocketChannel.open(address)); // the kernel completes them: queued
            Reactor loop = setUp.apply(new Reactor("test", context, SelectorProvider.provider(), listener, Offload.NONE));
            loop.start();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (accepted(context) < QUEUED && System.nanoTime() < deadline) Thread.sleep(5);
                assertEquals(QUEUED, accepted(context));
                return context.stats().snapshot().loopEvents();
            } finally {
                loop.stop();
                for (SocketChannel client : clients) client.close();
            }
        }
    }

    private static long accepted(ServerContext context) {
        return context.stats().snapshot().loopEvents().getOrDefault("test.accept", 0L);
    }
}
