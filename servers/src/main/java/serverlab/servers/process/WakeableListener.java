package serverlab.servers.process;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import serverlab.servers.ServerOptions;
import serverlab.servers.core.Listeners;

/**
 * A worker's SO_REUSEPORT listener whose {@link #accept()} a graceful stop can end without losing the connections
 * queued on it (handshakes completed, not yet accepted). A thread blocked in {@code accept()} wakes only when a
 * connection arrives or the socket is closed, and closing resets the queue; a timed accept would poll, where an idle
 * worker should sleep in the kernel (chapter 02). So {@link #stopAccepting} does what the self-pipe trick does for a
 * blocked {@code select}: it sends the sleeper an event, here a connection from loopback (a <em>wake
 * connection</em>), and from then on {@code accept()} hands out what is queued without blocking, then null.
 *
 * <p>The kernel puts each connection on one listener of the port's group, chosen by a hash of its addresses and
 * ports, so a wake connection may land on another worker. Wherever it lands it is an empty connection, read to EOF
 * and closed: an accepted connection in the stats, no request, no error. The waker connects again while the worker
 * is still in {@code accept()} (a busy worker needs no wake: it sees the stop before it accepts again); if none lands
 * within {@link #WAKE_CONNECTIONS} tries or {@link #WAKE_TIME_MS} ms, it closes the listener after all, and says so.
 *
 * <p>With a shared listener ({@code listener = "shared"}) none of this is needed: the connections queue on the one
 * socket every worker inherited, so a stopping worker just closes its copy and the others take them.
 *
 * <p>What no user program can fix: the kernel keeps hashing new connections to the socket until it is closed, and
 * one whose handshake completes between the last {@code accept()} and the close is reset, unless the kernel
 * migrates it to a sibling ({@link Listeners#kernelMigratesQueuedConnections()}).
 */
final class WakeableListener implements AutoCloseable {

    private static final int WAKE_CONNECTIONS = 100;
    private static final long WAKE_TIME_MS = 2_000;
    /** How long the waker waits for one wake connection to end the worker's accept() before it sends the next. */
    private static final long WAKE_WAIT_MS = 10;
    private static final int CONNECT_TIMEOUT_MS = 200;

    private final ServerSocketChannel channel;
    private final boolean shared;
    private final AtomicBoolean stopping = new AtomicBoolean();
    // Set before the blocking accept() reads stopping, read by the waker after it sets stopping: one of them sees the other.
    private volatile boolean inAccept;
    private final CountDownLatch leftAcceptAfterStop = new CountDownLatch(1);

    private WakeableListener(ServerSocketChannel channel, boolean shared) {
        this.channel = channel;
        this.shared = shared;
    }

    /** The worker's listener ({@link Worker#listener}), in blocking mode: an idle worker sleeps in the kernel's accept. */
    static WakeableListener open(ServerOptions options) throws IOException {
        return new WakeableListener(Worker.listener(options), options.sharedListener());
    }

    /**
     * The next connection: blocks while no stop was asked for; after {@link #stopAccepting}, the connections already
     * queued, then null. Null too once the listener is closed.
     */
    Socket accept() {
        try {
            SocketChannel client = stopping.get() ? acceptQueued() : acceptBlocking();
            return client == null ? null : client.socket();
        } catch (IOException closed) {
            return null;
        }
    }

    private SocketChannel acceptBlocking() throws IOException {
        inAccept = true;
        try {
            return stopping.get() ? acceptQueued() : channel.accept();
        } finally {
            inAccept = false;
            if (stopping.get()) leftAcceptAfterStop.countDown();
        }
    }

    private SocketChannel acceptQueued() throws IOException {
        channel.configureBlocking(false);
        return channel.accept(); // null when nothing waits
    }

    /** Graceful stop: {@link #accept()} hands out what is queued, then null. Returns at once (wakes on a thread of its own). */
    void stopAccepting() {
        if (!stopping.compareAndSet(false, true)) return;
        if (shared) {
            close(); // the queue belongs to the socket every worker shares: closing this worker's copy resets nothing
        } else {
            Thread.ofPlatform().daemon().name("accept-waker").start(this::wakeAccept);
        }
    }

    // A worker that is not in accept() now never blocks in it again: it sees stopping first.
    private void wakeAccept() {
        try {
            InetSocketAddress target = loopbackTarget();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAKE_TIME_MS);
            for (int sent = 0; inAccept; sent++) {
                if (sent == WAKE_CONNECTIONS || System.nanoTime() > deadline) {
                    System.err.println("serverlab: no wake connection reached worker " + ProcessHandle.current().pid()
                            + " in " + sent + " tries; closing its listener (connections queued on it are reset)");
                    close();
                    return;
                }
                connectOnce(target);
                leftAcceptAfterStop.await(WAKE_WAIT_MS, TimeUnit.MILLISECONDS);
            }
        } catch (IOException | InterruptedException e) {
            close(); // cannot wake it: end the accept() the old way
        }
    }

    // The same port, from loopback: a wildcard bind accepts loopback connections too.
    private InetSocketAddress loopbackTarget() throws IOException {
        InetSocketAddress local = (InetSocketAddress) channel.getLocalAddress();
        InetAddress host = local.getAddress().isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : local.getAddress();
        return new InetSocketAddress(host, local.getPort());
    }

    // Connects and closes at once: whoever accepts it reads EOF. A failed connect is just one try fewer.
    private static void connectOnce(InetSocketAddress target) {
        try (Socket wake = new Socket()) {
            wake.connect(target, CONNECT_TIMEOUT_MS);
        } catch (IOException e) {
            // the next try takes another source port, hence maybe another listener
        }
    }

    /** Stops listening; a thread blocked in {@link #accept()} gets null. Connections still queued are reset. */
    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
