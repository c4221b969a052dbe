package serverlab.labs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import serverlab.labs.load.ErrorKind;
import serverlab.labs.load.Load;
import serverlab.labs.load.LoadResult;
import serverlab.servers.Tracked;

/** Whole clusters on H2 (the data tier needing nothing installed): spread, crashes, sessions, cleanup. */
class ClusterTest {

    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final int CONNECTIONS = 4;

    /** A cluster whose app servers have each answered a few requests (a cold JVM on a busy machine takes seconds). */
    private static Cluster start(int appServers, Balancing balancing, Sessions sessions) throws Exception {
        Cluster cluster = Cluster.builder().appServers(appServers).balancing(balancing).sessions(sessions)
                .dataTier(DataTier.Kind.H2).start();
        for (int i = 0; i < 3 * appServers; i++) assertEquals(200, get(cluster, "/api/items").statusCode());
        return cluster;
    }

    /** Timeouts are generous: the test machine may be busy; a lost request is an error, a slow one is not. */
    private static LoadResult load(Cluster cluster, Duration duration) {
        return Load.closedLoop(cluster).path("/api/items").connections(CONNECTIONS).warmup(Duration.ZERO)
                .duration(duration).timeout(Duration.ofSeconds(15)).exactDurations().progress(false).run();
    }

    @Test
    void roundRobinSpreadsEvenly() throws Exception {
        try (Cluster cluster = start(2, Balancing.ROUND_ROBIN, Sessions.IN_MEMORY)) {
            assertEquals(200, get(cluster, "/api/items/1").statusCode());
            LoadResult result = load(cluster, Duration.ofSeconds(1));
            assertEquals(0, result.totalErrors());
            List<Long> spread = cluster.requestsPerServer();
            long total = spread.get(0) + spread.get(1);
            assertTrue(total >= result.requests(), spread + " vs " + result.requests());
            assertTrue(Math.abs(spread.get(0) - spread.get(1)) <= total / 10, "round robin: " + spread);
        }
    }

    @Test
    void aKilledAppServerIsRoutedAroundWithoutLosingAGet() throws Exception {
        try (Cluster cluster = start(2, Balancing.LEAST_CONN, Sessions.IN_DATABASE)) {
            CompletableFuture<LoadResult> running = CompletableFuture.supplyAsync(() -> load(cluster, Duration.ofSeconds(3)));
            Thread.sleep(1000);
            cluster.kill(0);
            long killedAt = cluster.requestsPerServer().get(0);
            LoadResult result = running.join();
            assertEquals(0, result.totalErrors(), result.summary());
            assertEquals(0, result.unanswered(), result.summary());
            assertEquals(killedAt, cluster.requestsPerServer().get(0));
            assertTrue(cluster.requestsPerServer().get(1) > 0);
            assertEquals(1, cluster.liveAppServers());
        }
    }

    /**
     * Sessions in memory need every request of a user on the same server (ip_hash: one client address, so all
     * users on one server) and die with it; sessions in the database work with any server and survive it.
     */
    @Test
    void sessionsInOneServersMemoryDieWithItThoseInTheDatabaseSurvive() throws Exception {
        try (Cluster cluster = start(2, Balancing.IP_HASH, Sessions.IN_MEMORY)) {
            List<Long> spread = cluster.requestsPerServer(); // both answered the same readiness checks, then start()'s 6 GETs
            assertEquals(6, Math.abs(spread.get(0) - spread.get(1)), "ip_hash, one client, one server: " + spread);
            assertEquals(10, usersLoggedOutByACrash(cluster, 10));
        }
        try (Cluster cluster = start(2, Balancing.ROUND_ROBIN, Sessions.IN_DATABASE)) {
            assertEquals(0, usersLoggedOutByACrash(cluster, 10));
        }
    }

    /** Logs in {@code users} users with a cart item each, kills the busiest app server, then counts carts answered 401. */
    private static int usersLoggedOutByACrash(Cluster cluster, int users) throws Exception {
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < users; i++) {
            Matcher token = Pattern.compile("\"session\":\"([^\"]+)\"").matcher(post(cluster, "/api/login?user=u" + i).body());
            assertTrue(token.find());
            tokens.add(token.group(1));
            assertEquals(200, post(cluster, "/api/cart?item=1&session=" + token.group(1)).statusCode());
        }
        List<Long> spread = cluster.requestsPerServer();
        cluster.kill(spread.indexOf(spread.stream().max(Long::compare).orElseThrow()));
        int loggedOut = 0;
        for (String token : tokens) {
            HttpResponse<String> cart = get(cluster, "/api/cart?session=" + token);
            if (cart.statusCode() == 401) loggedOut++;
            else assertTrue(cart.body().contains("\"items\":[1]"), cart.body());
        }
        return loggedOut;
    }

    /**
     * Removing a server under load reloads nginx: no request reaches the removed server afterwards and none fails
     * but for the reload's keep-alive race (nginx's old worker closes each idle client connection, and a request
     * the client sent at that instant is reset: at most one per connection; browsers resend it, RFC 9112 §9.3.1,
     * our load generator counts it). An added server gets its share.
     */
    @Test
    void serversAreRemovedAndAddedWithoutDroppingRequests() throws Exception {
        try (Cluster cluster = start(2, Balancing.ROUND_ROBIN, Sessions.IN_DATABASE)) {
            CompletableFuture<LoadResult> running = CompletableFuture.supplyAsync(() -> load(cluster, Duration.ofSeconds(2)));
            Thread.sleep(700);
            cluster.setAppServers(1);
            long removedAt = cluster.requestsPerServer().get(1);
            LoadResult result = running.join();
            assertEquals(result.errors(ErrorKind.RESET), result.totalErrors(), result.summary());
            assertTrue(result.errors(ErrorKind.RESET) <= CONNECTIONS, result.summary());
            assertEquals(removedAt, cluster.requestsPerServer().get(1));

            cluster.setAppServers(2);
            for (int i = 0; i < 10; i++) assertEquals(200, get(cluster, "/api/items").statusCode());
            assertTrue(cluster.requestsPerServer().get(2) >= 4, "the added server's share: " + cluster.requestsPerServer());
            assertEquals(2, cluster.liveAppServers());
        }
    }

    @Test
    void closeAndAKernelRestartLeaveNothingBehind() throws Exception {
        Cluster cluster = start(2, Balancing.ROUND_ROBIN, Sessions.IN_MEMORY);
        Path directory = directoryOf(cluster);
        List<Long> pids = new ArrayList<>(List.of(cluster.pid(), cluster.dataTier().pid()));
        pids.addAll(cluster.workerPids());
        Tracked.closeAll(); // what the kernel does on restart
        for (long pid : pids) assertTrue(ProcessHandle.of(pid).isEmpty(), "pid " + pid + " survived");
        assertFalse(Files.exists(directory));
        assertTrue(ClusterDirectory.processesNaming(directory).isEmpty());
    }

    @Test
    void aDeadOwnersLeftoversAreSweptByTheNextStart() throws Exception {
        Process owner = new ProcessBuilder("true").start();
        owner.waitFor();
        Path leftover = Files.createTempDirectory(ClusterDirectory.PREFIX + owner.pid() + "-");
        Process orphan = new ProcessBuilder("sh", "-c", "sleep 60", leftover.toString()).start(); // names the directory
        assertTrue(ClusterDirectory.sweep().contains(leftover));
        assertTrue(orphan.waitFor(5, java.util.concurrent.TimeUnit.SECONDS), "the orphan was not killed");
        assertFalse(Files.exists(leftover));
    }

    private static Path directoryOf(Cluster cluster) {
        long pid = ProcessHandle.current().pid();
        try (var entries = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return entries.filter(p -> p.getFileName().toString().startsWith(ClusterDirectory.PREFIX + pid + "-"))
                    .filter(p -> !ClusterDirectory.processesNaming(p).isEmpty()).findFirst().orElseThrow();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static HttpResponse<String> get(Cluster cluster, String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(cluster.url() + path)).build(), BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(Cluster cluster, String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(cluster.url() + path)).POST(BodyPublishers.noBody()).build(),
                BodyHandlers.ofString());
    }
}
