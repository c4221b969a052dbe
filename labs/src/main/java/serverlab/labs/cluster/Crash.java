package serverlab.labs.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import serverlab.labs.Quick;
import serverlab.labs.load.Load;
import serverlab.labs.load.LoadResult;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * What an app server's crash costs: requests (a stateless GET is resent by the balancer) and sessions (kept in the
 * crashed server's memory, or in the data tier). The crash is a SIGKILL of the busiest running app server.
 *
 * <pre>{@code
 * Table lost = Crash.underLoad(cluster, "/api/items", 16, Duration.ofSeconds(3));
 * Table carts = Crash.sessions(cluster, 20);
 * }</pre>
 */
public final class Crash {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final Pattern SESSION = Pattern.compile("\"session\":\"([^\"]+)\"");

    private Crash() {
    }

    /**
     * A closed-loop load of GET {@code path}; a third of the way in, the busiest app server is killed. Columns:
     * {@code balancing}, {@code killed} ("app N"), {@code requests} (answered), {@code failed} (errors: resets,
     * timeouts, 5xx), {@code unanswered}. Timeouts are generous: a slow request is not a lost one.
     */
    public static Table underLoad(Cluster cluster, String path, int connections, Duration duration) {
        Duration measured = Quick.duration(duration);
        CompletableFuture<LoadResult> load = CompletableFuture.supplyAsync(() -> Load.closedLoop(cluster).path(path)
                .connections(connections).duration(measured).exactDurations().warmup(Duration.ZERO).timeout(TIMEOUT)
                .progress(false).run());
        int killed;
        try {
            Thread.sleep(measured.toMillis() / 3);
            killed = killBusiest(cluster);
        } catch (InterruptedException e) {
            load.cancel(true);
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted");
        }
        LoadResult r = load.join();
        return Table.create("an app server killed under load, GET " + path,
                StringColumn.create("balancing", List.of(cluster.balancing().label())),
                StringColumn.create("killed", List.of("app " + (killed + 1))),
                IntColumn.create("requests", new int[] {Math.toIntExact(r.requests())}),
                IntColumn.create("failed", new int[] {Math.toIntExact(r.totalErrors())}),
                IntColumn.create("unanswered", new int[] {Math.toIntExact(r.unanswered())}));
    }

    /**
     * {@code users} users log in and put one item in their cart; the busiest app server is killed; each user reads
     * their cart again. Columns: {@code setup} (balancing and sessions, for a chart), {@code balancing},
     * {@code sessions} (where they are kept), {@code users}, {@code carts_before} (users whose cart worked before the crash: a session kept in one server's memory works
     * only if every request of its user reaches that server), {@code logged_out} (a cart that worked before and is
     * answered 401 after), {@code carts_kept}.
     */
    public static Table sessions(Cluster cluster, int users) {
        if (users < 1) throw new IllegalArgumentException("need at least one user");
        int cartsBefore = 0, loggedOut = 0, kept = 0;
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build()) {
            List<String> working = new ArrayList<>();
            for (int i = 0; i < users; i++) {
                Matcher token = SESSION.matcher(send(http, cluster, "POST", "/api/login?user=user" + i).body());
                if (!token.find()) throw new IllegalStateException("the shop answered a login without a session");
                if (send(http, cluster, "POST", "/api/cart?item=1&session=" + token.group(1)).statusCode() == 200) {
                    working.add(token.group(1));
                }
            }
            cartsBefore = working.size();
            killBusiest(cluster);
            for (String token : working) {
                HttpResponse<String> cart = send(http, cluster, "GET", "/api/cart?session=" + token);
                if (cart.statusCode() == 401) loggedOut++;
                else if (cart.statusCode() == 200 && cart.body().contains("\"items\":[1]")) kept++;
            }
        }
        return Table.create("sessions through a crash",
                StringColumn.create("setup", List.of(cluster.balancing().label() + ", sessions " + cluster.sessions().label())),
                StringColumn.create("balancing", List.of(cluster.balancing().label())),
                StringColumn.create("sessions", List.of(cluster.sessions().label())),
                IntColumn.create("users", new int[] {users}),
                IntColumn.create("carts_before", new int[] {cartsBefore}),
                IntColumn.create("logged_out", new int[] {loggedOut}),
                IntColumn.create("carts_kept", new int[] {kept}));
    }

    /** SIGKILLs the running app server that has answered the most requests; returns its index. */
    private static int killBusiest(Cluster cluster) {
        List<Long> answered = cluster.requestsPerServer();
        int busiest = cluster.running().stream().max(Comparator.comparing(answered::get))
                .orElseThrow(() -> new IllegalStateException("no running app server to kill"));
        cluster.kill(busiest);
        return busiest;
    }

    private static HttpResponse<String> send(HttpClient http, Cluster cluster, String method, String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(cluster.url() + path)).timeout(TIMEOUT)
                .method(method, BodyPublishers.noBody()).build();
        try {
            return http.send(request, BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " through the balancer failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted");
        }
    }
}
