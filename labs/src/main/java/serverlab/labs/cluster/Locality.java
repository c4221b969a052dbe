package serverlab.labs.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CancellationException;
import serverlab.labs.cluster.DelayProxy.Link;
import serverlab.labs.load.PageClient;
import serverlab.servers.Server;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * LAN vs WAN on one machine: the same server seen by a near client, a far client, and a far client that
 * reads through a cache near it ({@link EdgeCache}), the distances made by {@link DelayProxy}s.
 *
 * <pre>
 * near client   ──near──▶ server
 * far client    ──far───▶ server
 * cached client ──near──▶ EdgeCache ──far──▶ server      (misses only cross the far link)
 * </pre>
 *
 * <pre>{@code
 * Table t = Locality.compare(server, Duration.ofMillis(1), Duration.ofMillis(40), Duration.ofSeconds(1), "/hello", 500);
 * Table p = Locality.pageLoads(server, Duration.ofMillis(20), "/page?resources=16", 1, 2, 4, 8);
 * }</pre>
 */
public final class Locality {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int WARM_UP = 50;

    private Locality() {
    }

    /**
     * Each client sends {@code requests} GETs of {@code path} one after another on one keep-alive connection.
     * Columns: {@code client}, {@code requests}, {@code origin_requests} (how many reached the server),
     * {@code p50_ms}, {@code p99_ms}. The cache keeps each answer for {@code cacheTtl}; its misses, which cross the
     * far link, show in p99 once they are more than 1 % of the requests.
     */
    public static Table compare(Server server, Duration nearDelay, Duration farDelay, Duration cacheTtl, String path, int requests) {
        if (requests < 1) throw new IllegalArgumentException("need at least one request");
        StringColumn client = StringColumn.create("client");
        IntColumn sent = IntColumn.create("requests");
        LongColumn reachedOrigin = LongColumn.create("origin_requests");
        DoubleColumn p50 = DoubleColumn.create("p50_ms");
        DoubleColumn p99 = DoubleColumn.create("p99_ms");
        InetSocketAddress origin = server.address();
        try (DelayProxy near = DelayProxy.start(origin, Link.delay(nearDelay));
             DelayProxy far = DelayProxy.start(origin, Link.delay(farDelay));
             DelayProxy farFromCache = DelayProxy.start(origin, Link.delay(farDelay));
             EdgeCache cache = EdgeCache.start(farFromCache.address(), cacheTtl);
             DelayProxy nearCache = DelayProxy.start(cache.address(), Link.delay(nearDelay))) {
            latencies(near.address(), path, WARM_UP); // JIT-compile the server, proxy and client paths; the cache stays cold
            record Client(String name, InetSocketAddress address, boolean throughCache) {
            }
            for (Client c : new Client[] {new Client("near", near.address(), false), new Client("far", far.address(), false),
                    new Client("far, near cache", nearCache.address(), true)}) {
                double[] ms = latencies(c.address(), path, requests);
                client.append(c.name());
                sent.append(requests);
                reachedOrigin.append(c.throughCache() ? cache.misses() : requests);
                p50.append(percentile(ms, 50));
                p99.append(percentile(ms, 99));
            }
        }
        return Table.create("latency by distance, GET " + path + " (near " + nearDelay.toMillis() + " ms, far "
                + farDelay.toMillis() + " ms one way, cache ttl " + cacheTtl.toMillis() + " ms)", client, sent, reachedOrigin, p50, p99);
    }

    /**
     * Page-load time vs client threads ({@link PageClient}) on the LAN (straight to the server) and across a
     * WAN link of {@code oneWayDelay}. Columns: {@code client_threads}, {@code resources}, {@code lan_page_ms},
     * {@code wan_page_ms} (medians of 3 loads). Every load opens new connections, and across the WAN each pays
     * a handshake round trip, as a browser's would.
     */
    public static Table pageLoads(Server server, Duration oneWayDelay, String pagePath, int... clientThreads) {
        Table lan = PageClient.of(server).pageTimes(pagePath, clientThreads);
        Table wan;
        try (DelayProxy far = DelayProxy.start(server.address(), Link.delay(oneWayDelay))) {
            wan = PageClient.of(far.address()).pageTimes(pagePath, clientThreads);
        }
        return Table.create("page load time vs client threads, LAN and WAN (" + oneWayDelay.toMillis() + " ms one way), GET " + pagePath,
                lan.intColumn("client_threads"), lan.intColumn("resources"),
                lan.doubleColumn("page_ms").copy().setName("lan_page_ms"), wan.doubleColumn("page_ms").copy().setName("wan_page_ms"));
    }

    /** Round-trip times in ms of {@code n} sequential GETs on one connection; the first includes connecting. */
    private static double[] latencies(InetSocketAddress address, String path, int n) {
        URI uri = URI.create("http://127.0.0.1:" + address.getPort() + path);
        double[] ms = new double[n];
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build()) {
            for (int i = 0; i < n; i++) {
                long start = System.nanoTime();
                HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofByteArray());
                ms[i] = (System.nanoTime() - start) / 1e6;
                if (response.statusCode() != 200) {
                    throw new IllegalStateException("GET " + path + " via " + address + " answered " + response.statusCode());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + path + " via " + address + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted");
        }
        return ms;
    }

    /** Nearest-rank percentile. */
    private static double percentile(double[] values, double p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }
}
