package serverlab.servers.event;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;

import serverlab.servers.core.ServerContext;
import serverlab.servers.handlers.Workloads;
import serverlab.servers.http.HttpRequest;
import serverlab.servers.http.Response;
import serverlab.servers.http.Status;

/**
 * One event loop: one thread, one {@link Selector}, many non-blocking connections
 * (CS:APP's {@code echoservers}, libuv's loop, one Netty {@code EventLoop}).
 *
 * <pre>
 * loop:
 *   wait until some channels are ready (or a task arrives, or the timer tick)
 *   for each ready channel: accept / read + parse + handle + write / finish a write
 *   run tasks queued by other threads (new connections, completed blocking work, stop)
 *   every tick: time out silent or too slow connections (408)
 * </pre>
 *
 * Nothing here blocks except the wait, so one thread can serve thousands of connections, and
 * a handler that blocks (a long {@code /sleep}) stalls all of them. A reactor may own the
 * listening socket (a lone event loop) or be fed connections by an acceptor ({@link #adopt});
 * with a {@code blockingWork} executor it runs blocking handlers there instead of on the loop.
 * The per-connection protocol work is in {@link NioConnection}.
 */
public final class Reactor implements Runnable {

    private static final int BUFFER_BYTES = 64 * 1024;
    private static final int ACCEPTS_PER_WAKEUP = 64; // fairness: ready connections are not starved by a connect storm

    private final String name;
    private final ServerContext context;
    private final Selector selector;
    private final ServerSocketChannel listener; // null when an acceptor thread feeds this reactor
    private final ExecutorService blockingWork; // null: every handler runs on the loop
    private final LongAdder worker;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final long tickNanos;
    // Shared by all connections of this loop: only one runs at a time. Reads land on the heap
    // (the parser walks them); writes go out from direct memory (no copy inside the JDK).
    final ByteBuffer readBuffer = ByteBuffer.allocate(BUFFER_BYTES);
    final ByteBuffer writeBuffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
    private int connections;
    private boolean draining;
    private volatile boolean stopping;
    private volatile Thread thread;

    public Reactor(String name, ServerContext context, SelectorProvider provider, ServerSocketChannel listener,
                   ExecutorService blockingWork) throws IOException {
        this.name = name;
        this.context = context;
        this.selector = provider.openSelector();
        this.listener = listener;
        this.blockingWork = blockingWork;
        this.worker = context.stats().worker(name);
        this.tickNanos = Math.clamp(context.idleTimeoutNanos() / 4, 10_000_000L, 250_000_000L);
        if (listener != null) {
            listener.configureBlocking(false);
            listener.register(selector, SelectionKey.OP_ACCEPT);
        }
    }

    public String name() { return name; }

    public Selector selector() { return selector; }

    @Override
    public void run() {
        thread = Thread.currentThread();
        long nextTick = System.nanoTime() + tickNanos;
        try {
            while (!stopping && !(draining && connections == 0)) {
                selector.select(this::dispatch, Math.max(1, (nextTick - System.nanoTime()) / 1_000_000));
                runTasks();
                long now = System.nanoTime();
                if (now - nextTick >= 0) {
                    expireConnections(now);
                    nextTick = now + tickNanos;
                }
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("serverlab: event loop " + name + " failed: " + e);
        } finally {
            closeEverything();
        }
    }

    private void dispatch(SelectionKey key) {
        if (key.attachment() instanceof NioConnection connection) {
            connection.onReady(key.readyOps());
        } else if (key.isValid() && key.isAcceptable()) {
            acceptReady();
        }
    }

    private void acceptReady() {
        for (int i = 0; i < ACCEPTS_PER_WAKEUP; i++) {
            SocketChannel channel;
            try {
                channel = listener.accept();
            } catch (IOException e) { // e.g. out of file descriptors: try again on the next wakeup
                return;
            }
            if (channel == null) return;
            register(channel);
        }
    }

    /** Thread-safe: hands over a connection accepted elsewhere (multi-reactor acceptor). */
    public void adopt(SocketChannel channel) {
        execute(() -> register(channel));
    }

    /** Thread-safe: runs {@code task} on the loop thread soon. */
    public void execute(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    private void register(SocketChannel channel) {
        if (draining || stopping) {
            NioConnection.closeQuietly(channel);
            return;
        }
        if (!context.admitsConnection()) {
            NioConnection.refuse(channel, context, "more than " + context.options().maxConnections() + " connections");
            return;
        }
        try {
            channel.configureBlocking(false);
            channel.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
            SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
            key.attach(new NioConnection(this, context, channel, key, worker));
            connections++;
        } catch (IOException e) {
            NioConnection.closeQuietly(channel);
        }
    }

    void connectionClosed() {
        connections--;
    }

    /** Whether this request must leave the loop: only when helpers exist and the handler may block. */
    boolean offloads(HttpRequest request) {
        return blockingWork != null && Workloads.isBlocking(request);
    }

    /** Runs the handler on a helper thread; the response comes back through the task queue. */
    void offload(NioConnection connection, HttpRequest request) {
        try {
            blockingWork.execute(() -> {
                Response response = context.handle(request, context.stats().worker(Thread.currentThread().getName()));
                execute(() -> connection.complete(request, response)); // back to the loop: the queue + wakeup
            });
        } catch (RejectedExecutionException stopped) {
            connection.complete(request, Response.error(Status.SERVICE_UNAVAILABLE, "server is stopping", true));
        }
    }

    private void runTasks() {
        for (Runnable task; (task = tasks.poll()) != null; ) task.run();
    }

    private void expireConnections(long now) {
        for (SelectionKey key : new ArrayList<>(selector.keys())) {
            if (key.attachment() instanceof NioConnection connection) connection.expireIfLate(now);
        }
    }

    /** Thread-safe. Graceful: stop accepting, close idle connections, end once the others have answered. */
    public void drain() {
        execute(() -> {
            // Connections the kernel has already completed are clients waiting for us: take them in
            // (their requests get answered below if they have arrived), then stop listening.
            if (listener != null) {
                acceptReady();
                NioConnection.closeQuietly(listener);
            }
            draining = true;
            for (SelectionKey key : new ArrayList<>(selector.keys())) {
                if (key.attachment() instanceof NioConnection connection) connection.closeIfIdle();
            }
        });
    }

    /** Thread-safe. Urgent: the loop closes everything and ends; a handler sleeping on it is interrupted. */
    public void stop() {
        stopping = true;
        selector.wakeup();
        Thread loop = thread;
        if (loop != null && loop != Thread.currentThread()) loop.interrupt();
    }

    boolean draining() {
        return draining;
    }

    private void closeEverything() {
        for (SelectionKey key : selector.keys()) {
            if (key.attachment() instanceof NioConnection connection) connection.close();
            else NioConnection.closeQuietly(key.channel());
        }
        try {
            selector.close();
        } catch (IOException e) {
            // closing anyway
        }
        // Queued tasks still run: a connection handed over but never registered is closed by its
        // task (register() sees the stop), a completion for a closed connection is dropped.
        stopping = true;
        runTasks();
    }
}
