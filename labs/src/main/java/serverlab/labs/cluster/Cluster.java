package serverlab.labs.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;

import com.zaxxer.hikari.HikariDataSource;

import serverlab.labs.experiment.HostedServer;
import serverlab.labs.metrics.ProcessTreeProbe;
import serverlab.servers.Server;
import serverlab.servers.ServerOptions;
import serverlab.servers.ServerStats;
import serverlab.servers.Tracked;
import serverlab.servers.control.ControlAddress;
import serverlab.servers.reference.NginxServer;

/**
 * A three-tier cluster on this machine: nginx balancing over N app servers (ServerLab servers in their own
 * JVMs running the {@link Shop}), over one database server. One call starts it, one stops it; every process
 * is tracked, so a kernel restart stops them all, and a killed kernel's leftovers are reaped by the next start.
 *
 * <pre>{@code
 * try (Cluster cluster = Cluster.builder().appServers(2).balancing(Balancing.ROUND_ROBIN).start()) {
 *     LoadResult r = Load.closedLoop(cluster).path("/api/items").duration(Duration.ofSeconds(5)).run();
 *     cluster.requestsPerServer();   // the balancer's spread
 *     cluster.kill(0);               // SIGKILL one app server
 * }
 * }</pre>
 * The cluster is a {@link Server} whose address is the balancer's.
 */
public final class Cluster implements Server {

    private static final int ITEMS = 100;
    private static final int READINESS_REQUESTS = 100;
    private static final Duration READINESS_TIMEOUT = Duration.ofSeconds(30);
    private static final List<String> APP_JVM_FLAGS = List.of("-Xmx256m", "-XX:-UsePerfData", "-Dslf4j.internal.verbosity=ERROR");

    /** One app server: running (routed), killed (still routed: the balancer finds out), or removed (stopped, unrouted). */
    private static final class Member {
        final HostedServer server;
        long lastRequests;
        boolean killed;
        boolean removed;

        Member(HostedServer server) {
            this.server = server;
        }

        long requests() {
            if (!killed && !removed) lastRequests = server.stats().requests();
            return lastRequests;
        }
    }

    private final Builder config;
    private final Path directory;
    private final DataTier dataTier;
    private final HikariDataSource pool;
    private final List<Member> members = new ArrayList<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private Balancer balancer;

    private Cluster(Builder config, Path directory, DataTier dataTier, HikariDataSource pool) {
        this.config = config;
        this.directory = directory;
        this.dataTier = dataTier;
        this.pool = pool;
    }

    /**
     * Why no cluster can start on this machine, in one line saying what to install, or null if it can (nginx is the
     * one requirement: without PostgreSQL the data tier is H2).
     */
    public static String missing() {
        Path nginx = NginxServer.binary();
        return Files.isExecutable(nginx) ? null
                : "nginx is not installed (" + nginx + "): install it with sudo apt-get install nginx-light, or sudo scripts/tools.sh";
    }

    public static Builder builder() {
        return new Builder();
    }

    /** What to start; every setting has a default, so {@code Cluster.builder().start()} is a whole cluster. */
    public static final class Builder {
        private int appServers = 2;
        private String architecture = "virtual-threads";
        private int threadsPerServer = ServerOptions.defaults().threads();
        private int balancerPort;
        private Balancing balancing = Balancing.ROUND_ROBIN;
        private Sessions sessions = Sessions.IN_MEMORY;
        private DataTier.Kind dataTier = DataTier.Kind.AUTO;

        private Builder() {
        }

        /** How many app servers (default 2). */
        public Builder appServers(int n) {
            if (n < 1) throw new IllegalArgumentException("appServers must be >= 1: " + n);
            this.appServers = n;
            return this;
        }

        /**
         * The app servers' architecture, a name from the servers registry (default virtual-threads). The shop blocks
         * on the database, so architectures that run handlers on threads suit it; multi-process ones do not carry the
         * database settings into their workers. A small pool ({@code thread-pool}'s 10 threads) starves: nginx keeps
         * upstream connections alive, and each holds a pool thread (chapter 03).
         */
        public Builder architecture(String name) {
            this.architecture = name;
            return this;
        }

        /**
         * Each app server's pool size (default the servers' default, 10). A thread-pool server gives each connection a
         * thread for as long as it is open, and nginx keeps its connections to app servers open: more requests in
         * progress at one server than it has threads wait for a thread that an idle connection holds.
         */
        public Builder threadsPerServer(int n) {
            if (n < 1) throw new IllegalArgumentException("threadsPerServer must be >= 1: " + n);
            this.threadsPerServer = n;
            return this;
        }

        /** The port clients connect to (default 0: a free one). */
        public Builder balancerPort(int port) {
            this.balancerPort = port;
            return this;
        }

        /** The balancer's policy (default round robin). */
        public Builder balancing(Balancing policy) {
            this.balancing = policy;
            return this;
        }

        /** Where sessions live (default in each app server's memory). */
        public Builder sessions(Sessions where) {
            this.sessions = where;
            return this;
        }

        /** Which database (default AUTO: PostgreSQL if installed, else H2). */
        public Builder dataTier(DataTier.Kind kind) {
            this.dataTier = kind;
            return this;
        }

        /**
         * Starts the data tier, the app servers and the balancer, in that order.
         *
         * @throws IllegalStateException with one line saying what is missing or failed (nginx, PostgreSQL, a port)
         */
        public Cluster start() {
            Balancer.requireFree(balancerPort);
            Path directory = ClusterDirectory.create();
            Cluster cluster = null;
            DataTier data = null;
            try {
                data = DataTier.start(dataTier, directory);
                HikariDataSource pool = data.database().pool(2, "cluster");
                cluster = new Cluster(this, directory, data, pool);
                new ShopStore(pool).reset(ITEMS);
                cluster.startAppServers(appServers);
                cluster.balancer = Balancer.start(balancing, cluster.routed(), balancerPort);
                Tracked.register(cluster);
                return cluster;
            } catch (IOException | SQLException | RuntimeException e) {
                if (cluster != null) cluster.close();
                else if (data != null) data.close();
                ClusterDirectory.delete(directory);
                throw new IllegalStateException("cluster did not start: " + e.getMessage(), e);
            }
        }
    }

    /** Starts {@code n} app servers side by side (a JVM takes a second or so to start). */
    private void startAppServers(int n) {
        List<HostedServer> started = IntStream.range(0, n).parallel().mapToObj(i -> startAppServer()).toList();
        started.forEach(server -> members.add(new Member(server)));
    }

    /** Starts an app server and lets it pass a readiness check before anything routes to it. */
    private HostedServer startAppServer() {
        List<String> flags = new ArrayList<>(APP_JVM_FLAGS);
        flags.addAll(dataTier.database().jvmFlags());
        flags.add("-D" + Sessions.PROPERTY + "=" + config.sessions.name());
        HostedServer server = HostedServer.start(config.architecture,
                ServerOptions.defaults().withHandler(Shop.class.getName()).withThreads(config.threadsPerServer),
                flags.toArray(String[]::new));
        try {
            awaitReady(server);
            return server;
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /**
     * A platform's readiness check: {@link #READINESS_REQUESTS} GETs straight to the new server, so that its database
     * pool is connected and its code loaded before the balancer sends it users (a cold JVM takes seconds over its
     * first requests, and round robin would make every client wait for it).
     */
    private static void awaitReady(HostedServer server) {
        URI items = URI.create("http://127.0.0.1:" + server.address().getPort() + "/api/items");
        try (HttpClient http = HttpClient.newHttpClient()) {
            for (int i = 0; i < READINESS_REQUESTS; i++) {
                int status = http.send(HttpRequest.newBuilder(items).timeout(READINESS_TIMEOUT).build(), BodyHandlers.discarding()).statusCode();
                if (status != 200) throw new IllegalStateException("a new app server answered its readiness check with " + status);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("a new app server failed its readiness check", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted");
        }
    }

    private List<InetSocketAddress> routed() {
        return members.stream().filter(m -> !m.removed).map(m -> m.server.address()).toList();
    }

    /** The balancer's address: where clients send requests. */
    @Override
    public InetSocketAddress address() {
        return balancer.nginx().address();
    }

    /** {@code http://127.0.0.1:<balancer port>} */
    public String url() {
        return "http://127.0.0.1:" + address().getPort();
    }

    public DataTier dataTier() {
        return dataTier;
    }

    public Balancing balancing() {
        return config.balancing;
    }

    public Sessions sessions() {
        return config.sessions;
    }

    /** The shop's catalogue, read and written from this JVM through the same JDBC code the app servers use. */
    public ShopStore shop() {
        return new ShopStore(pool);
    }

    /** The generated nginx.conf, for the curious. */
    public String balancerConfiguration() throws IOException {
        return balancer.nginx().configuration();
    }

    /**
     * Requests each app server has answered since it started, in the order they were started (killed and removed
     * ones keep their last count): the balancer's spread.
     */
    public synchronized List<Long> requestsPerServer() {
        return members.stream().map(Member::requests).toList();
    }

    /** Indexes (in {@link #requestsPerServer()} order) of the app servers running: not killed, not removed. */
    public synchronized List<Integer> running() {
        return IntStream.range(0, members.size()).filter(i -> !members.get(i).killed && !members.get(i).removed).boxed().toList();
    }

    /**
     * Requests in progress at the balancer right now: being read, or forwarded and awaiting an app server's answer
     * (nginx's stub_status). By Little's law the arrival rate times the time each request spends in the cluster; it
     * grows without bound when the app servers cannot keep up. Not synchronized: it answers while servers start.
     */
    public int requestsInProgress() {
        return balancer.nginx().requestsInProgress();
    }

    /** App servers running (not killed, not removed). */
    public synchronized int liveAppServers() {
        return (int) members.stream().filter(m -> !m.killed && !m.removed).count();
    }

    /**
     * SIGKILLs app server {@code index} (in {@link #requestsPerServer()} order), as a crash would: no draining, its
     * memory (in-memory sessions) gone. It stays in the balancer's list; nginx notices on the next request to it.
     */
    public synchronized void kill(int index) {
        Member member = members.get(index);
        if (member.killed || member.removed) throw new IllegalStateException("app server " + index + " is not running");
        member.requests();
        member.killed = true;
        ProcessHandle.of(member.server.pid()).ifPresent(process -> {
            process.destroyForcibly();
            process.onExit().join();
        });
    }

    /** Starts one more app server and routes to it (nginx reloads; no request is dropped). Returns its index. */
    public synchronized int addServer() throws IOException {
        addServers(1);
        return members.size() - 1;
    }

    /** Starts {@code n} more app servers side by side, then routes to them with one nginx reload. */
    public synchronized void addServers(int n) throws IOException {
        startAppServers(n);
        balancer.route(routed());
    }

    /** Stops routing to the newest running app server, lets it finish its requests, then stops it. */
    public synchronized void removeServer() throws IOException {
        Member member = members.reversed().stream().filter(m -> !m.killed && !m.removed).findFirst()
                .orElseThrow(() -> new IllegalStateException("no running app server to remove"));
        member.requests();
        member.removed = true;
        balancer.route(routed()); // returns once nginx's old worker has finished its requests
        member.server.stopGracefully(Duration.ofSeconds(5));
    }

    /** Adds or removes app servers until {@code n} run. */
    public synchronized void setAppServers(int n) throws IOException {
        if (n < 1) throw new IllegalArgumentException("at least one app server: " + n);
        if (liveAppServers() < n) addServers(n - liveAppServers());
        while (liveAppServers() > n) removeServer();
    }

    /** Balances by {@code policy} from now on: nginx reloads, finishing the requests in flight. */
    public synchronized void balancing(Balancing policy) throws IOException {
        config.balancing = policy;
        balancer.route(policy, routed());
    }

    /**
     * A rolling redeploy: starts a new app server for each routed one (crashed ones are replaced too), keeping
     * sessions {@code where}, routes to the new ones, then drains and stops the old ones. Requests keep flowing;
     * sessions in the old servers' memory are gone.
     */
    public synchronized void redeploy(Sessions where) throws IOException {
        List<Member> old = members.stream().filter(m -> !m.removed).toList();
        config.sessions = where;
        startAppServers(old.size());
        old.forEach(m -> {
            m.requests();
            m.removed = true;
        });
        balancer.route(routed()); // returns once nginx's old worker has finished its requests
        old.parallelStream().filter(m -> !m.killed).forEach(m -> m.server.stopGracefully(Duration.ofSeconds(5)));
    }

    /**
     * What a platform's health manager does after a crash: the crashed app servers leave the balancer's list and a
     * new one starts for each (same settings). Returns how many were replaced.
     */
    public synchronized int replaceCrashed() throws IOException {
        List<Member> crashed = members.stream().filter(m -> m.killed && !m.removed).toList();
        if (crashed.isEmpty()) return 0;
        crashed.forEach(m -> m.removed = true);
        addServers(crashed.size());
        return crashed.size();
    }

    /**
     * CPU time (ms, user + system, since each process started) of the balancer (nginx master and worker), the
     * running app servers together, and the data tier (with PostgreSQL's per-connection backends).
     */
    public synchronized Map<String, Long> cpuPerTier() {
        Map<String, Long> cpu = new LinkedHashMap<>();
        cpu.put("balancer", cpuMs(balancer.nginx().pid()));
        cpu.put("app", members.stream().filter(m -> !m.killed && !m.removed).mapToLong(m -> cpuMs(m.server.pid())).sum());
        cpu.put("data", cpuMs(dataTier.pid()));
        return cpu;
    }

    private static long cpuMs(long pid) {
        return ProcessTreeProbe.of(pid).sample().cpuMs();
    }

    @Override
    public String name() {
        return "cluster";
    }

    /** The balancer's counters: requests and connections as nginx saw them. */
    @Override
    public ServerStats stats() {
        return balancer.nginx().stats();
    }

    /** The balancer's (nginx master) pid. */
    @Override
    public long pid() {
        return balancer.nginx().pid();
    }

    /** The running app servers' JVMs. */
    @Override
    public synchronized List<Long> workerPids() {
        return members.stream().filter(m -> !m.killed && !m.removed).map(m -> m.server.pid()).toList();
    }

    @Override
    public Optional<ControlAddress> controlAddress() {
        return Optional.empty();
    }

    /** A cluster stops as a whole: {@link #close()}. */
    @Override
    public void stopGracefully(Duration timeout) {
        close();
    }

    /** Stops the balancer, the app servers and the data tier, in that order, then deletes the temp directory. */
    @Override
    public synchronized void close() {
        if (closed.getCount() == 0) return;
        Tracked.unregister(this);
        if (balancer != null) balancer.close();
        members.parallelStream().forEach(m -> m.server.close()); // each waits for its JVM to exit
        pool.close();
        dataTier.close();
        ClusterDirectory.delete(directory);
        closed.countDown();
    }

    @Override
    public void awaitClosed() throws InterruptedException {
        closed.await();
    }

    @Override
    public String toString() {
        return "cluster: nginx (" + config.balancing + ") on " + (balancer == null ? "-" : address()) + ", "
                + members.size() + " × " + config.architecture + " app servers (sessions " + config.sessions + "), "
                + dataTier.describe();
    }
}
