package serverlab.labs.isolation;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import serverlab.servers.ServerOptions;
import serverlab.servers.ServerStats;
import serverlab.servers.core.ServerLifecycle;
import serverlab.servers.process.ServerHost;
import serverlab.servers.process.WorkerProcess;

/**
 * A ServerLab server in a container: its own PID, mount, UTS and network namespaces, reached from the host through
 * a veth pair ({@link VethNetwork}), and a cgroup that caps its CPU and memory ({@link ControlGroup}). The server
 * is a {@link ServerHost} JVM, like {@code HostedServer}'s; the container is made by hand from the kernel's
 * interfaces ({@link NamespaceContainer}) or by podman ({@link PodmanContainer}).
 *
 * <pre>{@code
 * try (Sandbox box = Sandbox.builder().cpus(0.5).memory(512L << 20).start("event-loop", ServerOptions.defaults())) {
 *     box.exec("ps", "-e");                          // what the server sees: its own tree
 *     Load.closedLoop(box).connections(10).run();    // through the veth, from the host
 * }
 * }</pre>
 *
 * Everything a sandbox creates is named {@code serverlab-sbx-<owner pid>-<n>} (host link {@code sbx<pid>-<n>}):
 * {@link #close} removes it all, and a sandbox whose owner died without closing it (a killed kernel) is reaped
 * when the next one starts ({@link #sweep}). Needs root, {@code ip} (iproute2) and {@code unshare}/{@code nsenter}
 * (util-linux); podman also needs runc and busybox-static.
 */
public final class Sandbox extends ServerLifecycle {

    /**
     * How the sandbox is made: the kernel's interfaces by hand, or podman (a real container engine, same kernel
     * interfaces underneath). AUTO takes podman where it runs, else namespaces.
     */
    public enum Engine { AUTO, NAMESPACES, PODMAN }

    /** Whether a sandbox can start here; if not, what is missing and how to get it, in one line. */
    public record Availability(boolean available, String engine, String missing) {
    }

    /**
     * What the server's JVM believes about its machine: the processors it will use ({@code availableProcessors}),
     * the memory it thinks it has, the heap it may grow to ({@code maxMemory}), and the cgroup version it
     * detected ("none" when no limit makes it look).
     */
    public record JvmView(int availableProcessors, long memoryBytes, long maxHeapBytes, String containerType) {
    }

    static final String PREFIX = "serverlab-sbx-";
    private static final Pattern OWNED = Pattern.compile("(?:" + PREFIX + "|sbx)(\\d+)-(\\d+)");
    /** The port servers listen on inside when the options leave it to the system: the namespace has no one else. */
    private static final int DEFAULT_PORT = 8080;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration STATS_TIMEOUT = Duration.ofSeconds(10);
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Set<Sandbox> LIVE = ConcurrentHashMap.newKeySet();
    private static volatile Availability namespaces, podman;

    private final String id;
    private final Engine engine;
    private final String serverName;
    private final VethNetwork network;
    private final Container container;
    private final WorkerProcess child;
    private final Path stderr;
    private final long jvmPid;
    private final InetSocketAddress address;

    private Sandbox(String id, Engine engine, String serverName, VethNetwork network, Container container,
                    WorkerProcess child, Path stderr, int port) {
        this.id = id;
        this.engine = engine;
        this.serverName = serverName;
        this.network = network;
        this.container = container;
        this.child = child;
        this.stderr = stderr;
        this.jvmPid = container.serverPid(child.pid());
        this.address = new InetSocketAddress(network.sandboxAddress(), port);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether the best engine here can start a sandbox. */
    public static Availability availability() {
        return availability(Engine.AUTO);
    }

    /** For AUTO: podman's if it can run here, else the namespaces' with why podman cannot in {@code missing}. */
    public static Availability availability(Engine engine) {
        if (namespaces == null) {
            namespaces = probeNamespaces();
        }
        if (engine == Engine.NAMESPACES || !namespaces.available()) {
            return namespaces; // podman runs in our network namespace: it needs what the namespaces need
        }
        if (podman == null) {
            String missing = PodmanContainer.missing();
            podman = new Availability(missing == null, missing == null ? podmanEngine() : "podman", missing == null ? "" : missing);
        }
        if (engine == Engine.PODMAN || podman.available()) {
            return podman;
        }
        return new Availability(true, namespaces.engine(), "podman not used: " + podman.missing());
    }

    /**
     * Removes what sandboxes of dead owners left behind: their processes, network namespaces, host links and
     * cgroups. Runs before every start; call it to tidy up after a kernel was killed.
     *
     * @return the names of the sandboxes reaped
     */
    public static List<String> sweep() {
        List<String> names = new ArrayList<>();
        List<String> candidates = new ArrayList<>(availability(Engine.PODMAN).available() ? PodmanContainer.containers() : List.of());
        candidates.addAll(VethNetwork.namespaces());
        candidates.addAll(ControlGroup.existing(PREFIX));
        candidates.addAll(VethNetwork.hostLinks());
        for (String name : candidates) {
            Matcher owned = OWNED.matcher(name);
            if (owned.matches() && ProcessHandle.of(Long.parseLong(owned.group(1))).isEmpty()) {
                String id = PREFIX + owned.group(1) + "-" + owned.group(2);
                if (!names.contains(id)) {
                    if (availability(Engine.PODMAN).available()) {
                        PodmanContainer.remove(id);
                    }
                    ControlGroup.reap(id);
                    VethNetwork.reap(id, hostLink(owned.group(1), owned.group(2)));
                    names.add(id);
                }
            }
        }
        return names;
    }

    /** True if a sandbox of this JVM is running and serving at exactly {@code address}: the load generator may load it. */
    public static boolean serves(InetSocketAddress address) {
        return LIVE.stream().anyMatch(box -> box.address.equals(address));
    }

    /** Limits and engine of a sandbox to start. */
    public static final class Builder {

        private double cpus;
        private long memoryBytes;
        private Engine engine = Engine.AUTO;
        private String hostname;
        private List<String> jvmFlags = List.of();

        private Builder() {
        }

        /** CPU quota in CPUs (0.5: half of one core's time per period); default none. */
        public Builder cpus(double cpus) {
            if (!(cpus > 0)) throw new IllegalArgumentException("cpus must be positive: " + cpus);
            this.cpus = cpus;
            return this;
        }

        /** Memory limit in bytes, for every process inside together; default none. */
        public Builder memory(long bytes) {
            if (bytes < (16L << 20)) throw new IllegalArgumentException("memory below 16 MiB cannot hold a JVM: " + bytes);
            this.memoryBytes = bytes;
            return this;
        }

        public Builder engine(Engine engine) {
            this.engine = engine;
            return this;
        }

        /** The hostname inside; default the sandbox's name. */
        public Builder hostname(String hostname) {
            this.hostname = hostname;
            return this;
        }

        /** Extra flags for the server's JVM, after its own: {@code -Xmx64m}, {@code -XX:ActiveProcessorCount=2}. */
        public Builder jvmFlags(String... flags) {
            this.jvmFlags = List.of(flags);
            return this;
        }

        /**
         * Starts server {@code name} (a registry name) inside, listening on 0.0.0.0 there (port 8080 unless the
         * options give one), and waits until it answers through the veth pair.
         *
         * @throws IllegalStateException if sandboxes cannot run here (the reason from {@link #availability}) or the
         *                               server does not start (with the sandbox's stderr)
         */
        public Sandbox start(String name, ServerOptions options) {
            Engine chosen = engine != Engine.AUTO ? engine
                    : availability(Engine.PODMAN).available() ? Engine.PODMAN : Engine.NAMESPACES;
            Availability available = availability(chosen);
            if (!available.available()) {
                throw new IllegalStateException("cannot start a sandbox: " + available.missing());
            }
            sweep();
            String owner = Long.toString(ProcessHandle.current().pid());
            String n = Integer.toString(COUNTER.incrementAndGet());
            String id = PREFIX + owner + "-" + n;
            ServerOptions inside = options.withBindAddress("0.0.0.0").withPort(options.port() == 0 ? DEFAULT_PORT : options.port());
            VethNetwork network = VethNetwork.create(id, hostLink(owner, n), Integer.parseInt(n) * 977 + Integer.parseInt(owner));
            String host = hostname == null ? id : hostname;
            Container container = null;
            Path stderr = null;
            WorkerProcess child = null;
            try {
                container = chosen == Engine.PODMAN ? new PodmanContainer(id, network, host, cpus, memoryBytes)
                        : NamespaceContainer.create(id, network, host, cpus, memoryBytes);
                stderr = Files.createTempFile(id, ".stderr");
                List<String> command = container.command(ServerHost.command(name, inside, jvmFlags).command());
                child = WorkerProcess.start(new ProcessBuilder(command).redirectError(stderr.toFile()).start());
                int port = child.awaitReady(START_TIMEOUT);
                Sandbox box = new Sandbox(id, chosen, name, network, container, child, stderr, port);
                box.awaitAnswer();
                LIVE.add(box);
                box.announce(inside.withControlPort(-1)); // the server inside owns the control endpoint, if any
                return box;
            } catch (IOException | RuntimeException e) {
                if (child != null) {
                    child.requestTermination();
                    child.awaitExit(Duration.ofSeconds(5));
                }
                String tail = stderr == null ? "" : stderrTail(stderr);
                removeAll(container, network, stderr);
                throw new IllegalStateException("server " + name + " did not start in sandbox " + id + ": " + e.getMessage()
                        + (tail.isEmpty() ? "" : "; its stderr:\n" + tail), e);
            }
        }
    }

    /** The sandbox's name, also its network namespace's and cgroup's: {@code serverlab-sbx-<owner pid>-<n>}. */
    public String id() {
        return id;
    }

    /** The engine that made this sandbox, in words. */
    public String engine() {
        return availability(engine).engine();
    }

    @Override
    public String name() {
        return serverName;
    }

    /** The server as reached from the host: the sandbox's end of the veth pair. */
    @Override
    public InetSocketAddress address() {
        return address;
    }

    /** Host PID of the server's JVM (pid 1 inside), so host-side probes can measure it. */
    @Override
    public long pid() {
        return jvmPid;
    }

    /** Host PIDs of the server's worker processes (the server itself knows them by their pids inside). */
    @Override
    public List<Long> workerPids() {
        List<Long> inside = child.stats(STATS_TIMEOUT).workerPids();
        return ProcessHandle.of(jvmPid).stream().flatMap(ProcessHandle::descendants).map(ProcessHandle::pid)
                .filter(pid -> inside.contains(pidInside(pid))).toList();
    }

    @Override
    public ServerStats stats() {
        return child.stats(STATS_TIMEOUT).stats();
    }

    /**
     * Runs {@code command} inside the sandbox (its namespaces and cgroup), as a sibling of the server, and returns
     * its stdout.
     *
     * @throws IllegalStateException if it fails, with its stderr
     */
    public String exec(String... command) {
        return HostCommand.run(container.exec(List.of(command)));
    }

    /** The hostname as seen inside. */
    public String hostname() {
        return exec("hostname").strip();
    }

    /** The network interfaces as seen inside: lo and eth0, the sandbox's end of the pair. */
    public List<String> interfaces() {
        return VethNetwork.linkNames(exec("ip", "-o", "link", "show"));
    }

    /** The host's end of the veth pair: its interface name (the sandbox's end is eth0 inside, at {@link #address()}). */
    public String hostLink() {
        return network.hostLink();
    }

    /** The host's address on the veth pair, the other address of the sandbox's /30. */
    public InetAddress hostAddress() {
        return network.hostAddress();
    }

    /** CPUs the cgroup allows (0.5 = half a core), infinity if unlimited. */
    public double cpuLimit() {
        return container.cgroup().cpuLimit();
    }

    /** The cgroup's memory limit in bytes, {@link Long#MAX_VALUE} if unlimited. */
    public long memoryLimit() {
        return container.cgroup().memoryLimit();
    }

    /** Memory charged to the sandbox's cgroup now (every process inside, page cache included), in bytes. */
    public long memoryUsage() {
        return container.cgroup().memoryUsage();
    }

    /** Processes inside killed by the kernel's OOM killer because the sandbox reached its memory limit. */
    public long oomKills() {
        return container.cgroup().oomKills();
    }

    /**
     * What the server's JVM detected, asked with {@code jcmd} (the attach mechanism works across the namespaces):
     * a JVM sizes its thread pools from the processors it sees and its default heap from the memory it sees.
     */
    public JvmView jvmView() {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        String info = HostCommand.run(jcmd, Long.toString(jvmPid), "VM.info");
        String flags = HostCommand.run(jcmd, Long.toString(jvmPid), "VM.flags");
        Matcher container = Pattern.compile("container_type: (\\S+)").matcher(info);
        return new JvmView((int) number(info, "CPUs: \\d+ total, (\\d+) available"), number(info, "Memory: (\\d+)M") << 20,
                number(flags, "MaxHeapSize=(\\d+)"), container.find() ? container.group(1) : "none");
    }

    /** Everything the sandbox's stderr received so far (the server's and its workers' errors). */
    public String stderr() {
        return stderrTail(stderr);
    }

    @Override
    protected void drain(Duration timeout) {
        child.requestStop(timeout);
    }

    @Override
    protected boolean quiescent() {
        return !child.isAlive();
    }

    /** SIGTERM to the JVM (it closes its server and workers), SIGKILL after 5 s; then every trace removed. */
    @Override
    protected void shutdown() {
        LIVE.remove(this);
        try {
            container.stop();
            child.awaitExit(Duration.ofSeconds(5)); // then forced; remove() kills whatever is left
        } finally {
            removeAll(container, network, stderr);
        }
    }

    @Override
    public String toString() {
        return serverName + " in " + id + " on " + address;
    }

    private static void removeAll(Container container, VethNetwork network, Path stderr) {
        try {
            if (container != null) {
                container.remove();
            }
        } finally {
            network.remove();
            if (stderr != null) {
                try {
                    Files.deleteIfExists(stderr);
                } catch (IOException e) {
                    // a stray temp file; the OS cleans /tmp
                }
            }
        }
    }

    /** Waits until GET /hello through the veth pair gets an answer. */
    private void awaitAnswer() throws IOException {
        long deadline = System.nanoTime() + ANSWER_TIMEOUT.toNanos();
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(address, 1_000);
                socket.setSoTimeout(5_000);
                OutputStream out = socket.getOutputStream();
                out.write("GET /hello HTTP/1.1\r\nHost: sandbox\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                InputStream in = socket.getInputStream();
                if (new String(in.readNBytes(12), StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200")) {
                    return;
                }
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("no answer at " + address + " within " + ANSWER_TIMEOUT.toSeconds() + " s: " + e.getMessage(), e);
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("no 200 for GET /hello at " + address + " within " + ANSWER_TIMEOUT.toSeconds() + " s");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for " + address, e);
            }
        }
    }

    /** The last pid of the NSpid line of /proc/PID/status: the process's pid in its innermost namespace. */
    static long pidInside(long hostPid) {
        try {
            String status = Files.readString(Path.of("/proc", Long.toString(hostPid), "status"));
            String[] nsPids = status.lines().filter(l -> l.startsWith("NSpid:")).findFirst().orElse("NSpid: -1").split("\\s+");
            return Long.parseLong(nsPids[nsPids.length - 1]);
        } catch (IOException e) {
            return -1; // exited meanwhile
        }
    }

    private static String hostLink(String owner, String n) {
        return "sbx" + owner + "-" + n; // at most 15 characters: sbx + a 7-digit pid + - + n
    }

    private static String stderrTail(Path stderr) {
        try {
            List<String> lines = Files.readAllLines(stderr);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
    }

    private static long number(String jcmdOutput, String regex) {
        Matcher m = Pattern.compile(regex).matcher(jcmdOutput);
        if (!m.find()) throw new IllegalStateException("jcmd's output has no " + regex + " (another JDK version?)");
        return Long.parseLong(m.group(1));
    }

    private static String podmanEngine() {
        return PodmanContainer.version() + " (" + ControlGroup.version() + ")";
    }

    private static Availability probeNamespaces() {
        String missing = missingForNamespaces();
        return new Availability(missing == null, NamespaceContainer.ENGINE, missing == null ? "" : missing);
    }

    private static String missingForNamespaces() {
        if (!System.getProperty("os.name").equals("Linux")) {
            return "needs Linux (namespaces and cgroups are Linux kernel features): see the recorded results";
        }
        if (!isRoot()) {
            return "needs root: run the chapter as root, or see the recorded results";
        }
        if (!HostCommand.succeeds("ip", "-V")) {
            return "needs ip: apt-get install iproute2";
        }
        return NamespaceContainer.missing();
    }

    private static boolean isRoot() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .anyMatch(l -> l.startsWith("Uid:") && l.split("\\s+")[1].equals("0"));
        } catch (IOException e) {
            return false;
        }
    }
}
