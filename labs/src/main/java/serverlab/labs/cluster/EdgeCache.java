package serverlab.labs.cluster;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;

/**
 * A cache near the clients of a far origin, like a CDN's edge server: answers GET from memory when it has
 * a fresh copy (stored for {@code ttl} after the origin's 200 answer), otherwise asks the origin. Nothing
 * else is proxied (other methods get 405). Two concurrent misses of one path both go to the origin.
 *
 * <p>Built on the JDK's {@code com.sun.net.httpserver} with a virtual thread per exchange: it is a helper
 * for a few latency-measuring clients, not one of the servers under test.
 */
public final class EdgeCache implements AutoCloseable {

    private record Copy(int status, String contentType, byte[] body, long freshUntilNanos) {
    }

    private final URI origin;
    private final long ttlNanos;
    private final HttpServer server;
    private final ExecutorService exchanges = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final Map<String, Copy> copies = new ConcurrentHashMap<>();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();

    private EdgeCache(InetSocketAddress origin, Duration ttl) throws IOException {
        this.origin = URI.create("http://127.0.0.1:" + origin.getPort());
        this.ttlNanos = ttl.toNanos();
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
        server.setExecutor(exchanges);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts a cache on a free 127.0.0.1 port in front of {@code origin}, keeping answers for {@code ttl}. */
    public static EdgeCache start(InetSocketAddress origin, Duration ttl) {
        try {
            return new EdgeCache(origin, ttl);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the edge cache", e);
        }
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** Requests answered from memory. */
    public long hits() {
        return hits.sum();
    }

    /** Requests that went to the origin. */
    public long misses() {
        return misses.sum();
    }

    @Override
    public void close() {
        server.stop(0);
        exchanges.shutdownNow();
        http.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("GET")) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            String path = exchange.getRequestURI().toString();
            Copy copy = copies.get(path);
            if (copy != null && System.nanoTime() < copy.freshUntilNanos()) {
                hits.increment();
            } else {
                misses.increment();
                copy = fetch(path);
                if (copy.status() == 200) copies.put(path, copy);
            }
            exchange.getResponseHeaders().set("Content-Type", copy.contentType());
            exchange.sendResponseHeaders(copy.status(), copy.body().length == 0 ? -1 : copy.body().length);
            exchange.getResponseBody().write(copy.body());
        }
    }

    /** The origin's answer, or a 502 saying why there is none. */
    private Copy fetch(String path) {
        try {
            HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(origin.resolve(path)).build(), HttpResponse.BodyHandlers.ofByteArray());
            String type = response.headers().firstValue("Content-Type").orElse("application/octet-stream");
            return new Copy(response.statusCode(), type, response.body(), System.nanoTime() + ttlNanos);
        } catch (IOException e) {
            return new Copy(502, "text/plain", ("origin unreachable: " + e + "\n").getBytes(StandardCharsets.UTF_8), 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Copy(502, "text/plain", "interrupted while asking the origin\n".getBytes(StandardCharsets.UTF_8), 0);
        }
    }
}
