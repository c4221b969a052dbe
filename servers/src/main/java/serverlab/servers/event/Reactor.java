package serverlab.servers.event;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;

import serverlab.servers.core.IoBuffers;
import serverlab.servers.core.LoopCounters;
import serverlab.servers.core.LoopCounters.Count;
import serverlab.servers.core.ServerContext;
import serverlab.servers.http.HttpRequest;
import serverlab.servers.http.Response;

/**
 * One event loop: one thread, one {@link Selector}, many non-blocking connections (CS:APP's
 * {@code echoservers}, libuv's loop, one Netty {@code EventLoop}, one nginx worker). Every
 * event-driven architecture runs this loop; the protocol work per connection is in
 * {@link NioConnection}, the hand-off to a thread pool in {@link Offload}. Answers due later
 * ({@code /delay}) wait on the loop's timer queue, not on a thread. The loop counts what it
 * does ({@link LoopCounters}: wake-ups, ready keys, events by type) for the server's stats.
 */
public final class Reactor implements Runnable {

    @Override
    public void run() {
        thread = Thread.currentThread();
        long nextTick = System.nanoTime() + tickNanos;
        try {
            while (!stopping && !(draining && connections == 0)) {
                // Wait until channels are ready, a task is queued (wakeup), a timer or the tick is due,
                // then dispatch() each ready channel: accept, or read + parse + handle + write.
                int ready = selector.select(this::dispatch, millisUntil(nextWake(nextTick)));
                counters.wokeUp(ready);
                runTasks(); // queued by other threads: adopted connections, offloaded answers, drain
                runDueTimers(); // answers due now (/delay): setTimeout's callbacks
                long now = System.nanoTime();
                if (now - nextTick >= 0) { // the tick: 408 for late requests, close idle and stalled connections
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
        for (int i = 0; i < acceptsPerWakeup; i++) {
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

    // ---- timers: answers due later, waited for without a thread (setTimeout, libuv's timers) ----

    private record Timer(long dueNanos, Runnable action) {
    }

    /** Loop thread: answers {@code request} on {@code connection} once {@code response} is due. */
    void answerWhenDue(NioConnection connection, HttpRequest request, Response response) {
        timers.add(new Timer(System.nanoTime() + response.delayNanos(), () -> {
            counters.increment(Count.TIMER);
            connection.complete(request, response);
        }));
    }

    private void runDueTimers() {
        long now = System.nanoTime();
        while (!timers.isEmpty() && timers.peek().dueNanos() - now <= 0) timers.poll().action().run();
    }

    /** The earlier of the expiry tick and the first timer. */
    private long nextWake(long nextTick) {
        Timer first = timers.peek();
        return first == null || nextTick - first.dueNanos() < 0 ? nextTick : first.dueNanos();
    }

    /** select()'s timeout: rounded up, so the loop does not wake just before the time and spin; never 0 (forever). */
    private static long millisUntil(long nanoTime) {
        return Math.max(1, (nanoTime - System.nanoTime() + 999_999) / 1_000_000);
    }

    // ---- state and plumbing ----

    private static final int ACCEPTS_PER_WAKEUP = 64; // fairness: ready connections are not starved by a connect storm

    private final String name;
    private final ServerContext context;
    private final Selector selector;
    private final ServerSocketChannel listener; // null when an acceptor thread feeds this reactor
    private int acceptsPerWakeup = ACCEPTS_PER_WAKEUP;
    private final Offload offload;
    private final LongAdder requests;
    private final LoopCounters counters; // what this loop did, for stats: written by the loop thread only
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>(Comparator.comparingLong(Timer::dueNanos));
    private final long tickNanos;
    // One read and one write buffer per loop, shared by its connections (only one runs at a time). Reads land on
    // the heap (the parser walks them); writes go out from direct memory (no copy inside the JDK).
    final ByteBuffer readBuffer = ByteBuffer.allocate(IoBuffers.READ_BYTES);
    final ByteBuffer writeBuffer = ByteBuffer.allocateDirect(IoBuffers.WRITE_BYTES);
    private int connections;
    private boolean draining;
    private volatile boolean stopping;
    private volatile Thread thread;

    /**
     * @param listener the listening socket this loop accepts from, or null when it is fed by {@link #adopt}
     * @param offload  which requests run on a thread pool instead of this loop
     */
    public Reactor(String name, ServerContext context, SelectorProvider provider, ServerSocketChannel listener,
                   Offload offload) throws IOException {
        this.name = name;
        this.context = context;
        this.selector = provider.openSelector();
        this.listener = listener;
        this.offload = offload;
        this.requests = context.stats().requestCounter(name);
        this.counters = context.stats().loopCounters(name);
        this.tickNanos = context.expiryTickNanos();
        if (listener != null) {
            listener.configureBlocking(false);
            listener.register(selector, SelectionKey.OP_ACCEPT);
        }
    }

    /**
     * For a listener shared with other processes' loops, which one new connection wakes all at once: one accept per
     * wake-up leaves the next connections to the siblings, as nginx does by default ({@code multi_accept off});
     * taking up to 64 would let the first loop awake take them all. Call before the loop runs.
     */
    public Reactor acceptingOnePerWakeup() {
        acceptsPerWakeup = 1;
        return this;
    }

    /** Runs the loop on a new platform thread named after this reactor. */
    public void start() {
        thread = Thread.ofPlatform().name(name).unstarted(this); // set here too: a stop() right after start() waits for it
        thread.start();
    }

    public String name() { return name; }

    public Selector selector() { return selector; }

    ServerContext context() { return context; }

    LoopCounters counters() { return counters; }

    /** Thread-safe: hands over a connection accepted elsewhere (multi-reactor acceptor). */
    public void adopt(SocketChannel channel) {
        execute(() -> register(channel));
    }

    /** Thread-safe: a helper thread hands back the answer to an offloaded request; the loop sends it. */
    void completeLater(NioConnection connection, HttpRequest request, Response response) {
        execute(() -> {
            counters.increment(Count.COMPLETION);
            connection.complete(request, response);
        });
    }

    /** Thread-safe: runs {@code task} on the loop thread soon (the task queue plus a selector wakeup). */
    public void execute(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    private void register(SocketChannel channel) {
        counters.increment(Count.ACCEPT);
        if (draining || stopping) {
            NioConnection.closeQuietly(channel);
            return;
        }
        if (!context.admitsConnection()) {
            NioConnection.refuse(channel, context);
            return;
        }
        try {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
            key.attach(new NioConnection(this, context, channel, key, requests));
            connections++;
        } catch (IOException e) {
            NioConnection.closeQuietly(channel);
        }
    }

    void connectionClosed() {
        connections--;
    }

    /** Whether this request leaves the loop for the offload pool. */
    boolean offloads(HttpRequest request) {
        return offload.rule().test(request);
    }

    void offload(NioConnection connection, HttpRequest request) {
        offload.handOff(this, connection, request, requests);
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
        context.startDraining(); // later answers say Connection: close
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

    /**
     * Thread-safe. Urgent: the loop closes everything and ends; a handler sleeping on it is
     * interrupted. Waits up to 5 s for the loop thread to end.
     */
    public void stop() {
        stopping = true;
        selector.wakeup();
        Thread loop = thread;
        if (loop == null || loop == Thread.currentThread()) return;
        loop.interrupt();
        try {
            loop.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
