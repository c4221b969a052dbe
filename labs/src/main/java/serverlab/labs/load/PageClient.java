package serverlab.labs.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import serverlab.servers.Server;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Table;

/**
 * A multithreaded client, like a browser: fetch a page, then the resources it references
 * ({@code src="..."}), with K client threads fetching resources at once. With one thread the
 * resources come one after another; with K, K at a time, so a page of N slow resources takes
 * about ⌈N/K⌉ resource times after the page itself.
 *
 * <pre>{@code
 * Table t = PageClient.of(server).pageTimes("/page?resources=8&ms=50", 1, 2, 4, 8);
 * }</pre>
 *
 * The servers' {@code /page?resources=N&ms=M} fixture serves such a page.
 */
public final class PageClient {

    private static final Pattern RESOURCE = Pattern.compile("src=\"(/[^\"]*)\"");
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Target target;
    private int repeats = 3;

    private PageClient(Target target) {
        this.target = target;
    }

    public static PageClient of(Server server) {
        return new PageClient(Target.of(server.address(), false));
    }

    public static PageClient of(InetSocketAddress address) {
        return new PageClient(Target.of(address, false));
    }

    /** Page loads per thread count; the table reports their median. Default 3. */
    public PageClient repeats(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("repeats must be at least 1");
        }
        this.repeats = n;
        return this;
    }

    /**
     * Loads {@code pagePath} and its resources with each number of client threads: columns
     * {@code client_threads}, {@code resources}, {@code page_ms} (median time to the last resource),
     * {@code min_ms}, {@code max_ms}.
     */
    public Table pageTimes(String pagePath, int... clientThreads) {
        IntColumn threads = IntColumn.create("client_threads");
        IntColumn resources = IntColumn.create("resources");
        DoubleColumn median = DoubleColumn.create("page_ms");
        DoubleColumn min = DoubleColumn.create("min_ms");
        DoubleColumn max = DoubleColumn.create("max_ms");
        for (int k : clientThreads) {
            double[] ms = new double[repeats];
            int count = 0;
            for (int r = 0; r < repeats; r++) {
                PageLoad load = load(pagePath, k);
                ms[r] = load.millis();
                count = load.resources();
            }
            Arrays.sort(ms);
            threads.append(k);
            resources.append(count);
            median.append(ms[repeats / 2]);
            min.append(ms[0]);
            max.append(ms[repeats - 1]);
        }
        return Table.create("page load time vs client threads, GET " + pagePath, threads, resources, median, min, max);
    }

    /** One page load: how many resources it had and how long page plus resources took. */
    public record PageLoad(int resources, double millis) {
    }

    /** Loads the page, then its resources with {@code clientThreads} threads at once. */
    public PageLoad load(String pagePath, int clientThreads) {
        if (clientThreads < 1) {
            throw new IllegalArgumentException("need at least one client thread");
        }
        ExecutorService pool = Executors.newFixedThreadPool(clientThreads, Thread.ofPlatform().daemon(true).name("page-client-", 0).factory());
        // the client threads block in send(); the HttpClient completes responses on its own executor
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build()) {
            long start = System.nanoTime();
            String html = get(http, pagePath);
            List<Future<String>> fetches = new ArrayList<>();
            Matcher m = RESOURCE.matcher(html);
            while (m.find()) {
                String resource = m.group(1);
                fetches.add(pool.submit(() -> get(http, resource)));
            }
            for (Future<String> fetch : fetches) {
                fetch.get();
            }
            return new PageLoad(fetches.size(), (System.nanoTime() - start) / 1e6);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("page load interrupted");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof UncheckedIOException u ? u : new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private String get(HttpClient http, String path) throws InterruptedException {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(target + path)).timeout(TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET " + path + " answered " + response.statusCode() + ": " + response.body());
            }
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + path + " failed", e);
        }
    }
}
