package serverlab.servers.core;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import serverlab.servers.ServerOptions;
import serverlab.servers.ServerStats;
import serverlab.servers.handlers.Handlers;

/**
 * The in-process servers: one {@link ServerContext} (options, handlers, counters, draining flag) on top of the
 * shared {@link ServerLifecycle}. Subclasses say how to {@link #drain()} (stop accepting, close idle
 * connections) and how to {@link #shutdown()} (close everything now).
 */
public abstract class AbstractServer extends ServerLifecycle {

    protected final ServerContext context;

    protected AbstractServer(String architecture, ServerOptions options) {
        this.context = new ServerContext(architecture, options, Handlers.of(options, this::stats));
    }

    /** Call at the end of the subclass constructor, once the server accepts connections. */
    protected final void announce() throws IOException {
        announce(context.options());
    }

    /** Stop accepting; close connections that are between requests. Called once, before waiting. */
    protected abstract void drain();

    @Override
    protected final void drain(Duration timeout) {
        context.startDraining();
        drain();
    }

    /** True once nothing is left to drain; by default, once every connection has closed. */
    @Override
    protected boolean quiescent() {
        return context.stats().activeConnections() == 0;
    }

    @Override
    public String name() {
        return context.architecture();
    }

    @Override
    public ServerStats stats() {
        return context.stats().snapshot();
    }

    @Override
    public long pid() {
        return ProcessHandle.current().pid();
    }

    @Override
    public List<Long> workerPids() {
        return List.of();
    }

    public ServerOptions options() {
        return context.options();
    }
}
