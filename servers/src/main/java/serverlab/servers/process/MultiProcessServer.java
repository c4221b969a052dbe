package serverlab.servers.process;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import serverlab.servers.Reloadable;
import serverlab.servers.ServerOptions;
import serverlab.servers.ServerStats;
import serverlab.servers.core.ServerLifecycle;

/**
 * What prefork, nginx-style and IIS-style share on the parent side: a reserved port, {@code options.workers()}
 * supervised worker JVMs listening on it, stats summed over the workers' pipes. Each worker listens on a socket of
 * its own with SO_REUSEPORT, and the kernel picks a worker for each new connection by a hash of its addresses; or,
 * with {@code listener = "shared"}, every worker inherits the one socket the master listens on ({@link SharedListener})
 * and the kernel hands each new connection to a worker that waits for one.
 * A subclass says only how to start one worker ({@link #launchWorker}); the worker's main loop is the
 * architecture.
 *
 * <p>A graceful {@link #reload} (nginx's {@code -s reload}) starts a new generation of workers beside the old
 * one (SO_REUSEPORT lets both listen, or both share the socket), then tells the old one to drain and exit.
 */
public abstract class MultiProcessServer extends ServerLifecycle implements Reloadable {

    private static final Duration STATS_TIMEOUT = Duration.ofSeconds(2);
    /** How long a retiring generation may take to finish what it has read. */
    private static final Duration RELOAD_DRAIN = Duration.ofSeconds(10);

    private final String name;
    private final PortReservation port;
    private final SharedListener shared;          // null: every worker opens its own SO_REUSEPORT socket
    private volatile ServerOptions options;
    private volatile Supervisor supervisor;       // the current generation
    private volatile Supervisor retiring;         // the previous one while it drains, else null
    /** Last counters of every worker of a finished generation, so totals survive reloads. */
    private final Map<Long, WorkerStats> retired = new ConcurrentHashMap<>();
    private volatile int retiredRestarts;
    private volatile int reloads;
    private boolean stopping;

    @SuppressWarnings("this-escape")
    protected MultiProcessServer(String name, ServerOptions options) throws IOException {
        this.name = name;
        this.options = options;
        this.port = new PortReservation(options.bindAddress(), options.port());
        try {
            this.shared = options.sharedListener() ? SharedListener.open(workerOptions(options)) : null;
        } catch (IOException | RuntimeException e) {
            port.close();
            throw e;
        }
        this.supervisor = generation(options);
    }

    /** Starts the worker JVM for {@code slot}; it must call {@link WorkerLink#ready()} once it listens. */
    protected abstract Process launchWorker(int slot, ServerOptions workerOptions) throws IOException;

    /** Called before a generation of workers starts, with the options they will run with (nginx-style writes its file). */
    protected void configure(ServerOptions workerOptions) throws IOException {
    }

    /** Workers listen on the reserved port; the parent, not each worker, owns a control endpoint. */
    protected final ServerOptions workerOptions(ServerOptions options) {
        return options.withPort(port.address().getPort()).withControlPort(-1);
    }

    // The launcher only runs from Supervisor.start(), after construction.
    private Supervisor generation(ServerOptions options) {
        ServerOptions workerOptions = workerOptions(options);
        return new Supervisor(options.workers(), slot -> WorkerProcess.start(shared == null
                ? launchWorker(slot, workerOptions) : shared.passTo(() -> launchWorker(slot, workerOptions))));
    }

    /** Starts every worker, then announces the server; subclasses' factories end with this. */
    protected static <S extends MultiProcessServer> S startWorkers(S server) throws IOException {
        MultiProcessServer started = server;
        try {
            started.configure(started.workerOptions(started.options));
            started.supervisor.start();
        } catch (IOException | RuntimeException e) {
            started.closeListeners();
            throw e;
        }
        started.announce(started.options);
        return server;
    }

    @Override
    public ServerOptions options() {
        return options;
    }

    /**
     * Graceful reload: the master starts a new generation of workers with {@code newOptions} (e.g. another worker
     * count) on the same port, waits until every one of them listens, then asks the old generation to drain
     * (stop accepting, finish what they have read, close idle connections) and waits for it to exit. If the new
     * workers do not start, they are stopped and the old ones keep serving with the old configuration.
     * The bind address, port, listener and control port are kept.
     */
    @Override
    public synchronized Reload reload(ServerOptions newOptions) throws IOException {
        if (stopping || isClosed()) throw new IOException(name + " is stopping");
        long start = System.nanoTime();
        ServerOptions next = newOptions.withBindAddress(options.bindAddress()).withPort(options.port())
                .withListener(options.listener()).withControlPort(options.controlPort());
        Supervisor old = supervisor, fresh = generation(next);
        try {
            configure(workerOptions(next));
            fresh.start(); // listens beside the old generation: in the port's SO_REUSEPORT group, or on the shared socket
        } catch (IOException | RuntimeException e) {
            configure(workerOptions(options)); // a worker of the old generation that restarts reads the old configuration
            throw e;
        }
        List<Long> oldPids = old.livePids();
        retiring = old;
        supervisor = fresh;
        options = next;
        old.stopGracefully(RELOAD_DRAIN);
        retired.putAll(old.stats(STATS_TIMEOUT));
        retiredRestarts += old.restarts();
        retiring = null;
        reloads++;
        return new Reload(reloads, oldPids, fresh.livePids(), (System.nanoTime() - start) / 1_000_000);
    }

    @Override
    public int reloads() {
        return reloads;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public InetSocketAddress address() {
        return port.address();
    }

    @Override
    public long pid() {
        return ProcessHandle.current().pid();
    }

    @Override
    public List<Long> workerPids() {
        return supervisor.livePids();
    }

    /** Workers started to replace dead ones since start-up. */
    public int restarts() {
        return supervisor.restarts() + retiredRestarts;
    }

    @Override
    public ServerStats stats() {
        long accepted = 0, requests = 0, errors = 0;
        int active = 0;
        Map<String, Long> perWorker = new HashMap<>();
        Map<String, Long> loopEvents = new HashMap<>(); // a worker's loop is named after its pid: keys stay apart
        Map<Long, WorkerStats> all = new HashMap<>(retired);
        Supervisor draining = retiring;
        if (draining != null) all.putAll(draining.stats(STATS_TIMEOUT));
        all.putAll(supervisor.stats(STATS_TIMEOUT));
        for (WorkerStats w : all.values()) {
            accepted += w.stats().acceptedConnections();
            requests += w.stats().requests();
            errors += w.stats().errors();
            active += w.stats().activeConnections();
            perWorker.put(String.valueOf(w.pid()), w.stats().requests());
            loopEvents.putAll(w.stats().loopEvents());
        }
        return new ServerStats(accepted, requests, active, errors, perWorker, loopEvents);
    }

    /** Every worker stops accepting and drains; the supervisor waits for them (up to {@code timeout}) and kills what is left. */
    @Override
    protected synchronized void drain(Duration timeout) {
        stopping = true;
        supervisor.stopGracefully(timeout);
    }

    @Override
    protected boolean quiescent() {
        return supervisor.livePids().isEmpty();
    }

    @Override
    protected synchronized void shutdown() {
        stopping = true;
        supervisor.close();
        closeListeners();
    }

    private void closeListeners() {
        if (shared != null) shared.close();
        port.close();
    }

    @Override
    public String toString() {
        return name + " on " + address() + ", workers " + workerPids();
    }
}
