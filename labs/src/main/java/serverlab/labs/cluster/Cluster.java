package serverlab.labs.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

    public static Builder builder() {
        return new Builder();
    }

    /** What to start; every setting has a default, so {@code Cluster.builder().start()} is a whole cluster. */
    public static final class Builder {
        private int appServers = 2;
        private String architecture = "thread-pool";
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
         * The app servers' architecture, a name from the servers registry (default thread-pool). The shop blocks on
         * the database, so architectures that run handlers on threads suit it; multi-process ones do not carry the
         * database settings into their workers.
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

    private HostedServer startAppServer() {
        List<String> flags = new ArrayList<>(APP_JVM_FLAGS);
        flags.addAll(dataTier.database().jvmFlags());
        flags.add("-D" + Sessions.PROPERTY + "=" + config.sessions.name());
        return HostedServer.start(config.architecture,
                ServerOptions.defaults().withHandler(Shop.class.getName()).withThreads(config.threadsPerServer),
                flags.toArray(String[]::new));
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
        members.forEach(m -> m.server.close());
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
