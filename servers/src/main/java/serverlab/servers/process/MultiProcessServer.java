package serverlab.servers.process;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import serverlab.servers.ServerOptions;
import serverlab.servers.ServerStats;
import serverlab.servers.core.ServerLifecycle;

/**
 * What prefork, nginx-style and IIS-style share on the parent side: a reserved port, {@code options.workers()}
 * supervised worker JVMs listening on it with SO_REUSEPORT, stats summed over the workers' pipes.
 * A subclass says only how to start one worker ({@link #launchWorker}); the worker's main loop is the
 * architecture.
 */
public abstract class MultiProcessServer extends ServerLifecycle {

    private static final Duration STATS_TIMEOUT = Duration.ofSeconds(2);

    private final String name;
    private final ServerOptions options;
    private final PortReservation port;
    private final Supervisor supervisor;

    @SuppressWarnings("this-escape")
    protected MultiProcessServer(String name, ServerOptions options) throws IOException {
        this.name = name;
        this.options = options;
        this.port = new PortReservation(options.bindAddress(), options.port());
        // workers listen on the reserved port; the parent, not each worker, would own a control endpoint
        ServerOptions workerOptions = options.withPort(port.address().getPort()).withControlPort(-1);
        // the launcher lambda only runs from startWorkers(), after construction
        this.supervisor = new Supervisor(options.workers(),
                slot -> WorkerProcess.start(launchWorker(slot, workerOptions)));
    }

    /** Starts the worker JVM for {@code slot}; it must call {@link WorkerLink#ready()} once it listens. */
    protected abstract Process launchWorker(int slot, ServerOptions workerOptions) throws IOException;

    /** Starts every worker, then announces the server; subclasses' factories end with this. */
    protected static <S extends MultiProcessServer> S startWorkers(S server) throws IOException {
        MultiProcessServer started = server;
        try {
            started.supervisor.start();
        } catch (IOException | RuntimeException e) {
            started.port.close();
            throw e;
        }
        started.announce(started.options);
        return server;
    }

    public ServerOptions options() {
        return options;
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
        return supervisor.restarts();
    }

    @Override
    public ServerStats stats() {
        long accepted = 0, requests = 0, errors = 0;
        int active = 0;
        Map<String, Long> perWorker = new HashMap<>();
        Map<String, Long> loopEvents = new HashMap<>(); // a worker's loop is named after its pid: keys stay apart
        for (WorkerStats w : supervisor.stats(STATS_TIMEOUT).values()) {
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
    protected void drain(Duration timeout) {
        supervisor.stopGracefully(timeout);
    }

    @Override
    protected boolean quiescent() {
        return supervisor.livePids().isEmpty();
    }

    @Override
    protected void shutdown() {
        supervisor.close();
        port.close();
    }

    @Override
    public String toString() {
        return name + " on " + address() + ", workers " + workerPids();
    }
}
