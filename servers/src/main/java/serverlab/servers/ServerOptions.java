package serverlab.servers;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

import serverlab.servers.handlers.SampleData;

/**
 * Everything a server can be tuned with. Not every architecture uses every field
 * ({@code threads} is the pool size of pool-based servers, {@code workers} the number of
 * event loops or processes, {@code selector} only matters to event loops).
 *
 * @param bindAddress    address to listen on; keep it on loopback
 * @param port           TCP port, 0 picks a free one
 * @param workers        event loops or worker processes
 * @param threads        size of a thread pool
 * @param queueCapacity  connections waiting for a pool thread before new ones are refused with 503
 * @param selector       {@code "epoll"} (the JDK default on Linux) or {@code "poll"}
 * @param maxConnections open connections beyond which new ones get 503 and are closed
 * @param idleTimeout    how long a connection may stay silent, and how long one request may take to arrive (408)
 * @param maxHeaderBytes request line plus headers, larger gets 431
 * @param maxBodyBytes   request body, larger gets 413
 * @param dataDir        directory served by {@code /file?name=}
 * @param controlPort    out-of-band control endpoint: -1 disabled, 0 ephemeral, else the port
 */
public record ServerOptions(String bindAddress, int port, int workers, int threads, int queueCapacity,
                            String selector, int maxConnections, Duration idleTimeout, int maxHeaderBytes,
                            long maxBodyBytes, Path dataDir, int controlPort) {

    public static final String EPOLL = "epoll";
    public static final String POLL = "poll";

    public ServerOptions {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(selector, "selector");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(dataDir, "dataDir");
        require(port >= 0 && port <= 65535, "port must be 0..65535: " + port);
        require(workers >= 1, "workers must be >= 1: " + workers);
        require(threads >= 1, "threads must be >= 1: " + threads);
        require(queueCapacity >= 0, "queueCapacity must be >= 0: " + queueCapacity);
        require(selector.equals(EPOLL) || selector.equals(POLL), "selector must be \"epoll\" or \"poll\": " + selector);
        require(maxConnections >= 1, "maxConnections must be >= 1: " + maxConnections);
        require(!idleTimeout.isNegative() && !idleTimeout.isZero(), "idleTimeout must be positive: " + idleTimeout);
        require(maxHeaderBytes >= 64, "maxHeaderBytes must be >= 64: " + maxHeaderBytes);
        require(maxBodyBytes >= 0, "maxBodyBytes must be >= 0: " + maxBodyBytes);
        require(controlPort >= -1 && controlPort <= 65535, "controlPort must be -1 (off), 0 (ephemeral) or a port: " + controlPort);
    }

    /** Loopback, ephemeral port, 2 workers, 10 threads, queue 1000, epoll, 20k connections, 30 s idle, 8 KiB headers, 1 MiB bodies, sample data, no control port. */
    public static ServerOptions defaults() {
        return new ServerOptions("127.0.0.1", 0, 2, 10, 1000, EPOLL, 20_000, Duration.ofSeconds(30),
                8192, 1 << 20, SampleData.directory(), -1);
    }

    private static void require(boolean condition, String message) {
        if (!condition) throw new IllegalArgumentException(message);
    }

    public ServerOptions withBindAddress(String v) { return new ServerOptions(v, port, workers, threads, queueCapacity, selector, maxConnections, idleTimeout, maxHeaderBytes, maxBodyBytes, dataDir, controlPort); }
    public ServerOptions withPort(int v) { return new ServerOptions(bindAddress, v, workers, threads, queueCapacity, selector, maxConnections, idleTimeout, maxHeaderBytes, maxBodyBytes, dataDir, controlPort); }
    public ServerOptions withWorkers(int v) { return new ServerOptions(bindAddress, port, v, threads, queueCapacity, selector, maxConnections, idleTimeout, maxHeaderBytes, maxBodyBytes, dataDir, controlPort); }
    public ServerOptions withThreads(int v) { return new ServerOptions(bindAddress, port, workers, v, queueCapacity, selector, maxConnections, idleTimeout, maxHeaderBytes, maxBodyBytes, dataDir, controlPort); }
    public ServerOptions withQueueCapacity(int v) { return new ServerOptions(bindAddress, port, workers, threads, v, selector, maxConnections, idleTimeout, maxHeaderBytes, maxBodyBytes, dataDir, controlPort); }
    public ServerOptions withSelector(String v) { return new ServerOptions(bindAddress, port, workers, threads, queueCapacity, v, maxConnections, idleTimeout, maxHeaderBytes, maxBodyBytes, dataDir, controlPort); }
    public ServerOptions withMaxConnections(int v) { return new ServerOptions(bindAddress, port, workers, threads, queueCapacity, selector, v, idleTimeout, maxHeaderBytes, maxBodyBytes, dataDir, controlPort); }
    public ServerOptions withIdleTimeout(Duration v) { return new ServerOptions(bindAddress, port, workers, threads, queueCapacity, selector, maxConnections, v, maxHeaderBytes, maxBodyBytes, dataDir, controlPort); }
    public ServerOptions withMaxHeaderBytes(int v) { return new ServerOptions(bindAddress, port, workers, threads, queueCapacity, selector, maxConnections, idleTimeout, v, maxBodyBytes, dataDir, controlPort); }
    public ServerOptions withMaxBodyBytes(long v) { return new ServerOptions(bindAddress, port, workers, threads, queueCapacity, selector, maxConnections, idleTimeout, maxHeaderBytes, v, dataDir, controlPort); }
    public ServerOptions withDataDir(Path v) { return new ServerOptions(bindAddress, port, workers, threads, queueCapacity, selector, maxConnections, idleTimeout, maxHeaderBytes, maxBodyBytes, v, controlPort); }
    public ServerOptions withControlPort(int v) { return new ServerOptions(bindAddress, port, workers, threads, queueCapacity, selector, maxConnections, idleTimeout, maxHeaderBytes, maxBodyBytes, dataDir, v); }
}
