package serverlab.servers.reference;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;
import serverlab.servers.ServerOptions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Which transport the event loops really run on: their stacks show it while they wait. A loop may still be
 * finishing a write when sampled, so each check samples until it holds or two seconds pass.
 */
class NettyServerTest {

    @Test
    void linuxRunsOnNativeEpollAndPollStaysOnNio() throws Exception {
        assumeTrue(System.getProperty("os.name").equals("Linux") && List.of("amd64", "aarch64").contains(System.getProperty("os.arch")),
                "netty-all ships native epoll for Linux x86_64/aarch64 only");
        String epoll = waitingLoopStacks(ServerOptions.defaults(), stacks -> stacks.contains("io.netty.channel.epoll.Native"));
        assertTrue(epoll.contains("io.netty.channel.epoll.Native"), epoll);
        String poll = waitingLoopStacks(ServerOptions.defaults().withSelector(ServerOptions.POLL), stacks -> stacks.contains("sun.nio.ch."));
        assertFalse(poll.contains("io.netty.channel.epoll."), poll);
        assertTrue(poll.contains("sun.nio.ch."), poll);
    }

    /**
     * Starts netty, serves one request (an event loop starts with its first connection), and returns the loops'
     * stacks once they show {@code waiting}, or the last sample after two seconds.
     */
    private static String waitingLoopStacks(ServerOptions options, Predicate<String> waiting) throws Exception {
        try (NettyServer server = new NettyServer(options); HttpClient client = HttpClient.newHttpClient()) {
            URI hello = URI.create("http://127.0.0.1:" + server.address().getPort() + "/hello");
            assertEquals(200, client.send(HttpRequest.newBuilder(hello).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
            long deadline = System.nanoTime() + 2_000_000_000L;
            String stacks = loopStacks();
            while (!waiting.test(stacks) && System.nanoTime() < deadline) {
                Thread.sleep(20);
                stacks = loopStacks();
            }
            return stacks;
        }
    }

    private static String loopStacks() {
        StringBuilder stacks = new StringBuilder();
        for (Map.Entry<Thread, StackTraceElement[]> thread : Thread.getAllStackTraces().entrySet()) {
            if (thread.getKey().getName().startsWith("netty-loop")) stacks.append(Arrays.toString(thread.getValue())).append('\n');
        }
        return stacks.toString();
    }
}
