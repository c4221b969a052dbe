package serverlab.labs.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on 127.0.0.1 that makes a server look far away: every byte crosses a simulated link with a
 * one-way {@link Link#delay() delay} (optionally ± {@link Link#jitter() jitter}) and, optionally, a
 * {@link Link#bytesPerSecond() bandwidth} limit, in each direction. A new connection also pays the TCP
 * handshake: the client's first bytes leave one round trip after it connected (after SYN and SYN-ACK), so
 * its first request takes two round trips.
 *
 * <p>Why a proxy: the usual tool, {@code tc qdisc … netem} (inside network namespaces), needs the kernel's
 * {@code sch_netem} module, which this machine's kernel does not have.
 *
 * <p>Concurrency: per connection and direction, a reader and a writer virtual thread joined by a bounded
 * queue. The reader stamps each chunk with the time it would arrive at the far end
 * ({@code max(now, link free) + size / bandwidth + delay ± jitter}, never before the previous chunk: TCP keeps
 * order); the writer sleeps until then and writes it. Reading never waits for the delay, so many connections
 * and many chunks in flight each get the configured delay, not a sum of delays.
 *
 * <pre>{@code
 * try (DelayProxy far = DelayProxy.start(server.address(), Link.delay(Duration.ofMillis(40)))) {
 *     PageClient.of(far.address()).pageTimes("/page?resources=8", 1, 8);
 * }
 * }</pre>
 */
public final class DelayProxy implements AutoCloseable {

    /** A simulated network path: one-way delay, ± uniform jitter, and bytes per second (0: unlimited). */
    public record Link(Duration delay, Duration jitter, long bytesPerSecond) {

        public Link {
            if (delay.isNegative() || jitter.isNegative() || bytesPerSecond < 0) {
                throw new IllegalArgumentException("delay, jitter and bandwidth must not be negative: " + delay + ", " + jitter + ", " + bytesPerSecond);
            }
        }

        public static Link delay(Duration oneWay) {
            return new Link(oneWay, Duration.ZERO, 0);
        }

        public Link withJitter(Duration plusOrMinus) {
            return new Link(delay, plusOrMinus, bytesPerSecond);
        }

        public Link withBandwidth(long bytesPerSecond) {
            return new Link(delay, jitter, bytesPerSecond);
        }
    }

    private static final int CHUNK_BYTES = 16 * 1024;
    /** Chunks buffered per direction (1 MiB): beyond that the reader waits, and TCP pushes back on the sender. */
    private static final int CHUNKS_IN_FLIGHT = 64;

    private final InetSocketAddress upstream;
    private final Link link;
    private final ServerSocket listener;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();

    private DelayProxy(InetSocketAddress upstream, Link link) throws IOException {
        this.upstream = upstream;
        this.link = link;
        this.listener = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("delay-proxy-acceptor").start(this::acceptLoop);
    }

    /** Starts a proxy on a free 127.0.0.1 port that forwards to {@code upstream} across {@code link}. */
    public static DelayProxy start(InetSocketAddress upstream, Link link) {
        try {
            return new DelayProxy(upstream, link);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the delay proxy's listening socket", e);
        }
    }

    /** Where clients connect. */
    public InetSocketAddress address() {
        return new InetSocketAddress(listener.getInetAddress(), listener.getLocalPort());
    }

    public Link link() {
        return link;
    }

    /** Stops accepting and closes every proxied connection. */
    @Override
    public void close() {
        closeQuietly(listener);
        open.forEach(DelayProxy::closeQuietly);
    }

    private void acceptLoop() {
        while (true) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            long connectedAt = System.nanoTime();
            Thread.ofVirtual().name("delay-proxy-connect").start(() -> proxy(client, connectedAt));
        }
    }

    private void proxy(Socket client, long connectedAt) {
        open.add(client);
        Socket server = new Socket();
        open.add(server);
        if (listener.isClosed()) { // close() ran after accept() and may have missed these two
            closeBoth(client, server);
            return;
        }
        try {
            server.connect(upstream, 10_000);
            client.setTcpNoDelay(true);
            server.setTcpNoDelay(true);
        } catch (IOException e) {
            closeBoth(client, server);
            return;
        }
        long handshakeDone = connectedAt + 2 * link.delay().toNanos();
        AtomicInteger directionsLeft = new AtomicInteger(2);
        Runnable whenBothDone = () -> {
            if (directionsLeft.decrementAndGet() == 0) closeBoth(client, server);
        };
        new Direction(client, server, handshakeDone, whenBothDone).start();
        new Direction(server, client, connectedAt, whenBothDone).start();
    }

    /** One direction of one connection: bytes read from {@code from}, written to {@code to} when they "arrive". */
    private final class Direction {

        /** {@code bytes == null}: the sender closed its side. */
        private record Chunk(byte[] bytes, long arrivesAtNanos) {
        }

        private final Socket from;
        private final Socket to;
        private final Runnable done;
        private final BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(CHUNKS_IN_FLIGHT);
        private long linkFreeAtNanos;
        private long lastArrivalNanos;
        private Thread reader;

        /** Nothing is sent before {@code sendsFromNanos}: until then the link is busy with the handshake. */
        Direction(Socket from, Socket to, long sendsFromNanos, Runnable done) {
            this.from = from;
            this.to = to;
            this.linkFreeAtNanos = sendsFromNanos;
            this.done = done;
        }

        void start() {
            reader = Thread.ofVirtual().name("delay-proxy-read").start(this::read);
            Thread.ofVirtual().name("delay-proxy-write").start(this::write);
        }

        private void read() {
            byte[] buffer = new byte[CHUNK_BYTES];
            try { // not try-with-resources: closing a socket's stream closes the socket, both directions
                InputStream in = from.getInputStream();
                int n;
                while ((n = in.read(buffer)) > 0) {
                    queue.put(new Chunk(Arrays.copyOf(buffer, n), arrival(n)));
                }
            } catch (IOException e) {
                // reset or closed: pass on the end of the stream
            } catch (InterruptedException e) {
                return;
            }
            try {
                queue.put(new Chunk(null, arrival(0)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** When {@code n} bytes read now reach the far end: after the bytes before them, serialization and the delay. */
        private long arrival(int n) {
            long now = System.nanoTime();
            long sendAt = Math.max(now, linkFreeAtNanos);
            long serialization = link.bytesPerSecond() == 0 ? 0 : n * 1_000_000_000L / link.bytesPerSecond();
            linkFreeAtNanos = sendAt + serialization;
            long jitter = link.jitter().isZero() ? 0
                    : ThreadLocalRandom.current().nextLong(-link.jitter().toNanos(), link.jitter().toNanos() + 1);
            long arrival = linkFreeAtNanos + Math.max(0, link.delay().toNanos() + jitter);
            lastArrivalNanos = Math.max(arrival, lastArrivalNanos);
            return lastArrivalNanos;
        }

        private void write() {
            try {
                OutputStream out = to.getOutputStream();
                while (true) {
                    Chunk chunk = queue.take();
                    sleepUntil(chunk.arrivesAtNanos());
                    if (chunk.bytes() == null) {
                        to.shutdownOutput();
                        break;
                    }
                    out.write(chunk.bytes());
                }
            } catch (IOException | InterruptedException e) {
                closeBoth(from, to); // the receiver is gone: so is the connection
                reader.interrupt(); // it may wait to queue into a full queue that no one takes from
            } finally {
                done.run();
            }
        }
    }

    private static void sleepUntil(long deadlineNanos) throws InterruptedException {
        long wait = deadlineNanos - System.nanoTime();
        if (wait > 0) Thread.sleep(Duration.ofNanos(wait));
    }

    private void closeBoth(Socket a, Socket b) {
        closeQuietly(a);
        closeQuietly(b);
        open.remove(a);
        open.remove(b);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // already closed
        }
    }
}
