package serverlab.labs.experiment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import serverlab.servers.ServerOptions;
import serverlab.servers.ServerStats;
import serverlab.servers.core.ServerLifecycle;
import serverlab.servers.process.ServerHost;
import serverlab.servers.process.WorkerProcess;

/**
 * A server running in its own child JVM (same class path), so that measuring its process
 * tree measures the server alone — not the load generator sharing our JVM. The child is a
 * {@link ServerHost}; it speaks the same pipe protocol as the workers of multi-process servers.
 *
 * <pre>
 * HostedServer.start("event-loop", ServerOptions.defaults().withSelector("poll"), "-Xint")
 * </pre>
 */
public final class HostedServer extends ServerLifecycle {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STATS_TIMEOUT = Duration.ofSeconds(10);

    private final String name;
    private final WorkerProcess child;
    private final InetSocketAddress address;

    private HostedServer(String name, WorkerProcess child, int port) {
        this.name = name;
        this.child = child;
        this.address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    /**
     * Starts {@code name} with {@code options} in a child JVM and waits until it listens.
     *
     * @param jvmFlags extra flags for the child JVM, after its own so they win: {@code -Xint},
     *                 {@code -XX:TieredStopAtLevel=1}, {@code -Xmx256m}, {@code -Djdk.virtualThreadScheduler.parallelism=1}
     * @throws IllegalStateException if the server cannot start there (its error is on stderr)
     */
    public static HostedServer start(String name, ServerOptions options, String... jvmFlags) {
        WorkerProcess child;
        try {
            child = WorkerProcess.start(ServerHost.command(name, options, List.of(jvmFlags))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a JVM for " + name, e);
        }
        try {
            HostedServer server = new HostedServer(name, child, child.awaitReady(START_TIMEOUT));
            server.announce(options.withControlPort(-1)); // the server in the child owns the control endpoint
            return server;
        } catch (IOException e) {
            child.requestTermination();
            child.awaitExit(Duration.ofSeconds(5));
            throw new IllegalStateException("server " + name + " failed to start in its child JVM (see stderr)", e);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public InetSocketAddress address() {
        return address;
    }

    @Override
    public ServerStats stats() {
        return child.stats(STATS_TIMEOUT).stats();
    }

    /** The JVM that hosts the server. */
    @Override
    public long pid() {
        return child.pid();
    }

    @Override
    public List<Long> workerPids() {
        return child.stats(STATS_TIMEOUT).workerPids();
    }

    @Override
    protected void drain(Duration timeout) {
        child.requestStop(timeout);
    }

    @Override
    protected boolean quiescent() {
        return !child.isAlive();
    }

    /** SIGTERM: the host closes its server (and that server its workers); forced after 5 s. */
    @Override
    protected void shutdown() {
        child.requestTermination();
        child.awaitExit(Duration.ofSeconds(5));
    }

    @Override
    public String toString() {
        return name + " (child JVM pid " + pid() + ") on " + address;
    }
}
