package serverlab.servers.core;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import serverlab.servers.Server;
import serverlab.servers.ServerOptions;
import serverlab.servers.ServerStats;
import serverlab.servers.Tracked;
import serverlab.servers.control.ControlAddress;
import serverlab.servers.control.ControlEndpoint;
import serverlab.servers.handlers.Workloads;

/**
 * Lifecycle shared by the in-process servers: tracking, control endpoint, stats, and the
 * two ways to stop. Subclasses only say how to {@link #drain()} (stop accepting, close idle
 * connections) and how to {@link #shutdown()} (close everything now).
 */
public abstract class AbstractServer implements Server {

    protected final ServerContext context;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch closedLatch = new CountDownLatch(1);
    private ControlEndpoint control;

    protected AbstractServer(String architecture, ServerOptions options) {
        this.context = new ServerContext(architecture, options, new Workloads(options.dataDir(), this::stats));
    }

    /** Call at the end of the subclass constructor, once the server accepts connections. */
    protected final void announce() throws IOException {
        Tracked.register(this);
        if (context.options().controlPort() >= 0) {
            try {
                control = ControlEndpoint.start(this, context.options());
            } catch (IOException e) {
                close();
                throw e;
            }
        }
    }

    /** Stop accepting; close connections that are between requests. Called once, before waiting. */
    protected abstract void drain();

    /** Close the listener, every connection and every thread now. Called once. */
    protected abstract void shutdown();

    /** True once nothing is left to drain; by default, once every connection has closed. */
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

    /** Where the control endpoint listens, if {@link ServerOptions#controlPort()} enabled it. */
    public Optional<ControlAddress> controlAddress() {
        return Optional.ofNullable(control).map(ControlEndpoint::controlAddress);
    }

    public boolean isClosed() {
        return closed.get();
    }

    /** Blocks until the server has been closed (by {@link #close()}, a graceful stop or the control endpoint). */
    public void awaitClosed() throws InterruptedException {
        closedLatch.await();
    }

    @Override
    public final void stopGracefully(Duration timeout) {
        if (closed.get()) return;
        context.startDraining();
        drain();
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (!quiescent() && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(5);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        close();
    }

    @Override
    public final void close() {
        if (!closed.compareAndSet(false, true)) return;
        Tracked.unregister(this);
        if (control != null) control.close();
        try {
            shutdown();
        } finally {
            closedLatch.countDown();
        }
    }

    @Override
    public String toString() {
        return name() + " on " + address();
    }
}
