package serverlab.servers;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import serverlab.servers.control.ControlAddress;

/**
 * A running HTTP/1.1 server. Every architecture, hand-built or reference, looks the same
 * from outside, so a notebook can sweep them uniformly: start by name, load it, read
 * {@link #stats()}, close it. {@link serverlab.servers.core.ServerLifecycle} implements the
 * stopping half once for all of them.
 */
public interface Server extends AutoCloseable {

    /** The registry name this server was started under, e.g. {@code "event-loop"}. */
    String name();

    /** The bound listening address (the real port when {@link ServerOptions#port()} was 0). */
    InetSocketAddress address();

    /** A snapshot of the counters; cheap enough to poll while a load runs. */
    ServerStats stats();

    /** PID of the process that owns the server: this JVM, or the parent/master of a multi-process server. */
    long pid();

    /** PIDs of child worker processes; empty for single-process servers. */
    List<Long> workerPids();

    /** Where the out-of-band control endpoint listens, with its token; empty unless {@link ServerOptions#controlPort()} enabled it. */
    Optional<ControlAddress> controlAddress();

    /** Stops accepting, lets in-flight requests finish (up to {@code timeout}), then closes everything. */
    void stopGracefully(Duration timeout);

    /** Urgent stop: closes the listener and every connection now. Idempotent, never throws a checked exception. */
    @Override
    void close();

    /** Blocks until the server has been closed: by {@link #close()}, a graceful stop or the control endpoint. */
    void awaitClosed() throws InterruptedException;
}
