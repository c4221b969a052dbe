package serverlab.servers.process;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;

/**
 * Clients that send {@code GET /hello} in a loop until closed, counting answers and failures. Keep-alive clients
 * open a new connection only when the server answers {@code Connection: close}; the others open one per request.
 * A request that gets no 200 (refused connect, reset, EOF before the answer) is a failure: like labs' load
 * generator, these clients never retry.
 */
public final class ClientLoops implements AutoCloseable {

    private final InetSocketAddress address;
    private final List<Thread> threads = new ArrayList<>();
    private final LongAdder answered = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder failedOnNewConnections = new LongAdder();
    private final Queue<String> failures = new ConcurrentLinkedQueue<>();
    private volatile boolean running = true;

    private ClientLoops(InetSocketAddress address) {
        this.address = address;
    }

    public static ClientLoops start(InetSocketAddress address, int keepAlive, int connectionPerRequest) {
        ClientLoops loops = new ClientLoops(address);
        for (int i = 0; i < keepAlive + connectionPerRequest; i++) {
            boolean reuse = i < keepAlive;
            loops.threads.add(Thread.ofPlatform().name("client-" + i).start(() -> loops.loop(reuse)));
        }
        return loops;
    }

    private void loop(boolean keepAlive) {
        HttpTestClient client = null;
        while (running) {
            boolean fresh = client == null;
            try {
                if (fresh) client = new HttpTestClient(address);
                HttpTestClient.Response response = client.get("/hello");
                if (response.status() == 200) answered.increment();
                else fail("status " + response.status());
                if (!keepAlive || "close".equalsIgnoreCase(response.header("connection"))) {
                    client = closed(client);
                }
            } catch (IOException e) {
                if (fresh) failedOnNewConnections.increment();
                fail((keepAlive ? "keep-alive" : "connection per request") + (fresh ? ", new connection: " : ", reused connection: ") + e);
                client = closed(client);
            }
        }
        closed(client);
    }

    private void fail(String why) {
        failed.increment();
        if (failures.size() < 10) failures.add(why);
    }

    private static HttpTestClient closed(HttpTestClient client) {
        if (client != null) {
            try {
                client.close();
            } catch (IOException e) {
                // gone either way
            }
        }
        return null;
    }

    public long answered() {
        return answered.sum();
    }

    public long failed() {
        return failed.sum();
    }

    /** Failures of the first request on a connection (including a refused or reset connect). */
    public long failedOnNewConnections() {
        return failedOnNewConnections.sum();
    }

    /** The first few failures, for the assertion message. */
    public List<String> failures() {
        return List.copyOf(failures);
    }

    /** Stops every client after its current request and waits for them. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread thread : threads) thread.join(35_000);
    }
}
