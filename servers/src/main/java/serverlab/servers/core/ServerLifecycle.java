package serverlab.servers.core;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import serverlab.servers.Server;
import serverlab.servers.ServerOptions;
import serverlab.servers.Tracked;
import serverlab.servers.control.ControlAddress;
import serverlab.servers.control.ControlEndpoint;

/**
 * The one lifecycle of every server, whether it runs in this JVM, in worker processes, in CGI children, as
 * nginx, or in a hosted child JVM:
 *
 * <pre>
 * start      the subclass constructor (or factory) binds and starts serving, then calls {@link #announce}
 * announce   tracked (closed when the JVM or kernel exits) and, if asked for, a control endpoint
 * graceful   {@link #drain} (stop accepting, let in-flight requests finish), wait until {@link #quiescent}
 *            or the timeout, then close
 * urgent     {@link #close}: {@link #shutdown} everything now; idempotent
 * closed     {@link #awaitClosed} returns
 * </pre>
 *
 * A subclass says only how to drain, when it is quiescent and how to shut down.
 */
public abstract class ServerLifecycle implements Server {

    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch closedLatch = new CountDownLatch(1);
    private volatile ControlEndpoint control;

    /** Call once the server accepts connections; if the control endpoint cannot start, the server is closed. */
    protected final void announce(ServerOptions options) throws IOException {
        Tracked.register(this);
        if (options.controlPort() >= 0) {
            try {
                control = ControlEndpoint.start(this, options);
            } catch (IOException e) {
                close();
                throw e;
            }
        }
    }

    /** Stop accepting; let in-flight work finish within {@code timeout}. Called once; may return before it is done. */
    protected abstract void drain(Duration timeout);

    /** True once nothing is left to drain; polled after {@link #drain} until the timeout. */
    protected abstract boolean quiescent();

    /** Close the listener, every connection, thread and process now. Called once. */
    protected abstract void shutdown();

    @Override
    public final Optional<ControlAddress> controlAddress() {
        return Optional.ofNullable(control).map(ControlEndpoint::controlAddress);
    }

    public final boolean isClosed() {
        return closed.get();
    }

    @Override
    public final void awaitClosed() throws InterruptedException {
        closedLatch.await();
    }

    @Override
    public final void stopGracefully(Duration timeout) {
        if (closed.get()) return;
        long deadline = System.nanoTime() + timeout.toNanos();
        drain(timeout);
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
        ControlEndpoint endpoint = control;
        if (endpoint != null) endpoint.close();
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
