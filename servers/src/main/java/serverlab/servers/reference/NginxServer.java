package serverlab.servers.reference;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import serverlab.servers.Reloadable;
import serverlab.servers.ServerOptions;
import serverlab.servers.ServerStats;
import serverlab.servers.core.Listeners;
import serverlab.servers.core.ServerLifecycle;

/**
 * {@code nginx}: the real thing, for comparison rows. Debian's nginx is started in the
 * foreground with a generated config in a temp directory: a master process and
 * {@code workers} worker processes, each one event loop ({@code use epoll|poll} from
 * {@code selector}), all sharing one listening socket (nginx's default: no {@code reuseport}). It answers
 * {@code /hello} with {@code return 200} and exposes stub_status for {@link #stats()}; other paths are 404
 * (it does not run our handlers). The access log holds only the pid of the worker that answered
 * ({@code $pid}, buffered, flushed every 100 ms), counted for the per-worker spread of {@link #stats()}.
 * Signalled by PID: SIGHUP for a {@link #reload}, SIGQUIT for a graceful stop, SIGTERM then SIGKILL for
 * close(). nginx cannot watch its parent, so a small shell guard stops it if this JVM dies without closing it.
 *
 * <p>Other {@link Routes} make it something else with the same process handling: a load balancer is an
 * {@code upstream} block and a {@code proxy_pass} location ({@link #reroute} swaps them with a reload).
 */
public final class NginxServer extends ServerLifecycle implements Reloadable {

    /** The system property that moves nginx from /usr/sbin/nginx (a test's missing nginx). */
    public static final String BINARY_PROPERTY = "serverlab.nginx";
    private static final String STATUS_PATH = "/serverlab_nginx_status";

    private static final Duration RELOAD_TIMEOUT = Duration.ofSeconds(10);

    /**
     * What this nginx serves: {@code httpBlocks} go into the {@code http} block (an {@code upstream}, say),
     * {@code locations} into the {@code server} block, next to the status location this class reads.
     */
    public record Routes(String httpBlocks, String locations) {

        /** The reference's own: {@code /hello} answered by nginx itself, everything else 404. */
        public static final Routes HELLO = new Routes("", """
                location = /hello {
                    default_type "text/plain; charset=utf-8";
                    return 200 "Hello, world!\\n";
                }
                location / {
                    return 404;
                }
                """);
    }

    /** Where nginx is: /usr/sbin/nginx unless {@value #BINARY_PROPERTY} says otherwise. */
    public static Path binary() {
        return Path.of(System.getProperty(BINARY_PROPERTY, "/usr/sbin/nginx"));
    }

    private volatile ServerOptions options;
    private volatile Routes routes;
    private volatile int reloads;
    private final AccessLogCounts perWorker;
    private final AtomicLong statusProbes = new AtomicLong();
    private final Path directory;
    private final Process process;
    private final Process orphanGuard;
    private final InetSocketAddress address;

    public NginxServer(ServerOptions options) throws IOException {
        this(options, Routes.HELLO);
    }

    public NginxServer(ServerOptions options, Routes routes) throws IOException {
        Path nginx = binary();
        if (!Files.isExecutable(nginx)) {
            throw new IOException(nginx + " not found: install it (apt-get install nginx-light)");
        }
        this.options = options;
        this.routes = routes;
        int port = options.port() != 0 ? options.port() : freePort(options.bindAddress());
        this.directory = Files.createTempDirectory("serverlab-nginx-");
        Files.createDirectories(directory.resolve("logs"));
        Files.writeString(directory.resolve("nginx.conf"), config(options, routes, port, directory));
        this.perWorker = new AccessLogCounts(directory.resolve("logs/pids.log"));
        this.process = new ProcessBuilder(nginx.toString(), "-p", directory + "/", "-c", directory.resolve("nginx.conf").toString(),
                "-e", directory.resolve("logs/error.log").toString())
                .redirectErrorStream(true)
                .redirectOutput(directory.resolve("logs/stdout.log").toFile())
                .start();
        this.orphanGuard = startOrphanGuard(process.pid(), directory);
        this.address = new InetSocketAddress(options.bindAddress(), port);
        awaitListening();
        announce(options);
    }

    /**
     * The guard reads a pipe from this JVM. The kernel closes the pipe when the JVM dies, even by
     * SIGKILL; the guard then stops nginx (only if that pid still runs this nginx) and its workers.
     */
    private static Process startOrphanGuard(long nginxPid, Path directory) throws IOException {
        String script = """
                cat >/dev/null
                workers=$(awk -v p="$1" '$4 == p { print $1 }' /proc/[0-9]*/stat 2>/dev/null)
                if grep -qsF -- "$2" "/proc/$1/cmdline"; then
                  kill -TERM "$1"; sleep 2; kill -KILL "$1" 2>/dev/null
                  for w in $workers; do grep -qs 'nginx: worker' "/proc/$w/cmdline" && kill -KILL "$w"; done
                fi
                """;
        return new ProcessBuilder("sh", "-c", script, "serverlab-nginx-guard", Long.toString(nginxPid), directory.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    static String config(ServerOptions options, Routes routes, int port, Path directory) {
        long idleSeconds = Math.max(1, options.idleTimeout().toSeconds());
        return """
                worker_processes %d;
                daemon off;
                master_process on;
                pid %s/nginx.pid;
                error_log %s/logs/error.log warn;
                events {
                    worker_connections %d;
                    use %s;
                }
                http {
                    log_format pid_only '$pid';
                    access_log %s/logs/pids.log pid_only buffer=4k flush=100ms;
                    server_tokens off;
                    keepalive_requests 1000000;
                    keepalive_timeout %ds;
                    client_header_timeout %ds;
                    client_body_timeout %ds;
                    client_max_body_size %d;
                    client_body_temp_path %s/tmp-body;
                    proxy_temp_path %s/tmp-proxy;
                    fastcgi_temp_path %s/tmp-fastcgi;
                    uwsgi_temp_path %s/tmp-uwsgi;
                    scgi_temp_path %s/tmp-scgi;
                %s
                    server {
                        listen %s:%d backlog=%d;
                %s
                        location = %s {
                            access_log off;
                            stub_status;
                            allow 127.0.0.1;
                            deny all;
                        }
                    }
                }
                """.formatted(options.workers(), directory, directory, Math.min(options.maxConnections(), 16_384),
                options.selector(), directory, idleSeconds, idleSeconds, idleSeconds, options.maxBodyBytes(),
                directory, directory, directory, directory, directory, routes.httpBlocks().indent(4),
                options.bindAddress(), port, Listeners.BACKLOG, routes.locations().indent(8), STATUS_PATH);
    }

    private void awaitListening() throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                String log = readLog();
                dismissOrphanGuard();
                deleteDirectory();
                throw new IOException("nginx exited with " + process.exitValue() + ":\n" + log);
            }
            try (Socket probe = new Socket(address.getAddress(), address.getPort())) {
                return;
            } catch (IOException notYet) {
                sleep(20);
            }
        }
        String log = readLog();
        close();
        throw new IOException("nginx did not start listening on " + address + " within 10 s:\n" + log);
    }

    @Override
    public String name() {
        return "nginx";
    }

    @Override
    public InetSocketAddress address() {
        return address;
    }

    /**
     * From stub_status: accepted connections, requests (without this object's own status requests), active
     * connections; requests per worker pid from the access log, which lags by up to 0.1 s (its flush interval).
     */
    @Override
    public ServerStats stats() {
        try {
            String status = fetchStatus();
            long probes = statusProbes.incrementAndGet(); // nginx counts the status request itself
            // "Active connections: 1 \nserver accepts handled requests\n 5 5 9 \nReading: 0 Writing: 1 Waiting: 0"
            Matcher active = Pattern.compile("Active connections:\\s*(\\d+)").matcher(status);
            Matcher counts = Pattern.compile("\\n\\s*(\\d+)\\s+(\\d+)\\s+(\\d+)").matcher(status);
            if (active.find() && counts.find()) {
                return new ServerStats(Long.parseLong(counts.group(1)) - probes, Long.parseLong(counts.group(3)) - probes,
                        Math.max(0, Integer.parseInt(active.group(1)) - 1), 0, perWorker.read());
            }
        } catch (IOException | RuntimeException e) {
            // stopped or unreachable: no counters
        }
        return new ServerStats(0, 0, 0, 0, Map.of());
    }

    /**
     * Requests nginx is working on right now (stub_status's Reading + Writing, without the status request itself): for a
     * balancer, the requests at or queued for its upstreams. 0 if nginx does not answer.
     */
    public int requestsInProgress() {
        try {
            Matcher states = Pattern.compile("Reading:\\s*(\\d+)\\s+Writing:\\s*(\\d+)").matcher(fetchStatus());
            if (states.find()) return Math.max(0, Integer.parseInt(states.group(1)) + Integer.parseInt(states.group(2)) - 1);
        } catch (IOException e) {
            // stopped or unreachable
        }
        return 0;
    }

    private String fetchStatus() throws IOException {
        try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
            socket.setSoTimeout(2000);
            socket.getOutputStream().write(("GET " + STATUS_PATH + " HTTP/1.0\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            try (InputStream in = socket.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            }
        }
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public List<Long> workerPids() {
        try (Stream<ProcessHandle> children = process.toHandle().children()) {
            return children.map(ProcessHandle::pid).sorted().toList();
        }
    }

    @Override
    public ServerOptions options() {
        return options;
    }

    /**
     * nginx's {@code -s reload}: rewrite nginx.conf and send SIGHUP to the master, which starts workers with the new
     * configuration on the listening socket it keeps, then tells the old workers to finish and exit (they close
     * idle keep-alive connections at once). Returns once the new workers run and the old ones are gone.
     * The bind address, port and control port are kept.
     */
    @Override
    public Reload reload(ServerOptions newOptions) throws IOException {
        return reload(newOptions, routes);
    }

    /** A {@link #reload} that serves {@code newRoutes}: a balancer's new set of servers, with no request dropped. */
    public Reload reroute(Routes newRoutes) throws IOException {
        return reload(options, newRoutes);
    }

    private synchronized Reload reload(ServerOptions newOptions, Routes newRoutes) throws IOException {
        long start = System.nanoTime();
        ServerOptions next = newOptions.withBindAddress(options.bindAddress()).withPort(options.port())
                .withControlPort(options.controlPort());
        Path conf = directory.resolve("nginx.conf");
        String previous = Files.readString(conf);
        Files.writeString(conf, config(next, newRoutes, address.getPort(), directory));
        List<Long> oldPids = workerPids();
        signal("HUP");
        List<Long> pids = oldPids;
        for (long deadline = System.nanoTime() + RELOAD_TIMEOUT.toNanos(); System.nanoTime() < deadline; sleep(20)) {
            pids = workerPids();
            if (pids.size() == next.workers() && Collections.disjoint(pids, oldPids)) break;
        }
        if (pids.size() != next.workers() || !Collections.disjoint(pids, oldPids)) {
            Files.writeString(conf, previous); // nginx keeps its old configuration when the new one fails
            throw new IOException("nginx did not reload within " + RELOAD_TIMEOUT + " (workers " + oldPids + " -> " + pids + "):\n" + readLog());
        }
        options = next;
        routes = newRoutes;
        return new Reload(++reloads, oldPids, pids, (System.nanoTime() - start) / 1_000_000);
    }

    @Override
    public int reloads() {
        return reloads;
    }

    /** SIGQUIT: nginx closes its listeners, lets workers finish in-flight requests, then exits. */
    @Override
    protected void drain(Duration timeout) {
        try {
            signal("QUIT");
        } catch (IOException e) {
            // the urgent stop follows at the deadline
        }
    }

    private void signal(String name) throws IOException {
        if (!process.isAlive()) throw new IOException("nginx is not running");
        try {
            int status = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
            if (status != 0) throw new IOException("kill -" + name + " " + process.pid() + " exited with " + status);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while signalling nginx", e);
        }
    }

    @Override
    protected boolean quiescent() {
        return !process.isAlive();
    }

    /** SIGTERM (nginx's fast shutdown), SIGKILL to master and workers if they linger, then removes the temp directory. */
    @Override
    protected void shutdown() {
        dismissOrphanGuard();
        List<ProcessHandle> workers;
        try (Stream<ProcessHandle> children = process.toHandle().children()) {
            workers = children.toList();
        }
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(3, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(3, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        workers.forEach(ProcessHandle::destroyForcibly);
        deleteDirectory();
    }

    /** Ends the guard before nginx stops, so it never acts on a pid that could be reused. */
    private void dismissOrphanGuard() {
        if (!orphanGuard.isAlive()) return;
        orphanGuard.destroy();   // the shell dies at SIGTERM; closing the pipe then ends its cat
        try {
            orphanGuard.waitFor(2, TimeUnit.SECONDS);
            orphanGuard.getOutputStream().close();
        } catch (IOException ignored) {
            // the pipe is already closed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The generated configuration, for the curious. */
    public String configuration() throws IOException {
        return Files.readString(directory.resolve("nginx.conf"));
    }

    private String readLog() {
        try {
            return Files.readString(directory.resolve("logs/error.log")) + Files.readString(directory.resolve("logs/stdout.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private void deleteDirectory() {
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temp directory is harmless
        }
    }

    private static int freePort(String host) throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getByName(host))) {
            return socket.getLocalPort();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "nginx on " + address + " (pid " + process.pid() + ")";
    }
}
