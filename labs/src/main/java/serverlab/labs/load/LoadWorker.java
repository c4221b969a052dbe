package serverlab.labs.load;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import org.HdrHistogram.Histogram;

/**
 * One load-generator thread: a single {@link Selector} driving a share of the connections.
 *
 * <p>Closed loop: each connection keeps {@code pipeline} requests outstanding and sends the
 * next one when a response arrives (after the think time, if any). Latency runs from the
 * actual send.
 *
 * <p>Open loop: requests are due on a fixed schedule (constant or Poisson gaps at the
 * {@link RateSchedule}'s rate of the moment), whatever the server does. A due request goes out on any idle connection; if none is idle it waits
 * in a queue. Latency runs from the <em>intended</em> send time, so time spent waiting
 * because the server is slow counts — this is how wrk2 avoids coordinated omission.
 *
 * <p>All timing uses {@link System#nanoTime()}; latencies are recorded in microseconds.
 */
final class LoadWorker implements Runnable {

    enum Mode { CLOSED, OPEN }

    record Plan(Mode mode, Target target, RequestMix mix, int pipeline, long thinkNanos,
                long timeoutNanos, boolean poisson, long seed, long windowNanos, long bucketNanos,
                boolean resendOnKeepAliveClose, long drainNanos) {
    }

    /**
     * One bucket of the measurement window, for the time series. A request belongs to the
     * bucket of its origin (intended send time in the open loop, actual send in the closed
     * loop), however late its response or error arrives.
     */
    static final class Bucket {
        final Histogram latencyMicros = new Histogram(2);
        long requests;
        long errors;
        long unanswered;
    }

    /**
     * What the responses add up to: the measured window's tally, or the warm-up's, which is thrown away. The
     * warm-up records its responses too, through the same code, so that this code is compiled before measuring
     * starts: a branch never taken during the warm-up is compiled away by the JIT, and taking it at the window's
     * start discarded the load generator's hottest compiled code (`LoadWorker::handle` and `onResponse`, "made
     * not entrant: uncommon trap") and measured its re-compilation as a dip in throughput.
     */
    static final class Tally {
        final Histogram latencyMicros = new Histogram(3);
        final Histogram[] latencyPerPath;
        final long[] requestsPerPath;
        final List<Bucket> buckets = new ArrayList<>();
        /** Errors by {@link ErrorKind}: responses add NON_2XX here; the measured tally's is the worker's array. */
        final long[] errors;
        long requests;

        Tally(int paths, int bucketCount, long[] errors) {
            this.latencyPerPath = new Histogram[paths];
            for (int p = 0; p < paths; p++) {
                latencyPerPath[p] = new Histogram(3);
            }
            this.requestsPerPath = new long[paths];
            for (int b = 0; b < bucketCount; b++) {
                buckets.add(new Bucket());
            }
            this.errors = errors;
        }

        /** The bucket {@code sinceStart} ns into the window falls in, clamped to the window (the warm-up has one). */
        Bucket bucketAt(long sinceStart, long bucketNanos) {
            return buckets.get((int) Math.max(0, Math.min(buckets.size() - 1, sinceStart / bucketNanos)));
        }

        void record(long micros, int path, int status, long sinceStart, long bucketNanos) {
            latencyMicros.recordValue(micros);
            latencyPerPath[path].recordValue(micros);
            requests++;
            requestsPerPath[path]++;
            Bucket bucket = bucketAt(sinceStart, bucketNanos);
            bucket.latencyMicros.recordValue(micros);
            bucket.requests++;
            if (status < 200 || status > 299) {
                errors[ErrorKind.NON_2XX.ordinal()]++;
                bucket.errors++;
            }
        }
    }

    private static final long RECONNECT_BACKOFF_NANOS = 10_000_000L;
    private static final long TIMEOUT_SCAN_INTERVAL_NANOS = 20_000_000L;
    private static final int READ_BUFFER_BYTES = 64 * 1024;

    private final Plan plan;
    private final long startNanos;
    /** The measured window; unknown (never) until the warm-up ends, see {@link #measureFrom}. */
    private volatile long measureStartNanos = Long.MAX_VALUE;
    private volatile long measureEndNanos = Long.MAX_VALUE;
    private final RateSchedule rate;
    /** Counted down by every worker of the run when it has drained; connections close only when it reaches 0. */
    private final CountDownLatch allDrained;
    private final Conn[] conns;
    private final SplittableRandom random;
    private final ByteBuffer readBuffer = ByteBuffer.allocate(READ_BUFFER_BYTES);

    // Scheduling state (only touched by this worker's thread).
    private Selector selector;
    private boolean draining;
    private int inFlight;
    private double nextArrivalNanos;
    private final LongQueue dueRequests = new LongQueue();          // open loop: intended send times not yet sent
    private final ArrayDeque<Conn> idle = new ArrayDeque<>();        // open loop: connected, nothing outstanding
    private final ArrayDeque<Conn> thinking = new ArrayDeque<>();    // closed loop: slots waiting out think time
    private final LongQueue thinkingDue = new LongQueue();
    private final ArrayDeque<Conn> reconnecting = new ArrayDeque<>(); // connections waiting out a backoff
    private final LongQueue reconnectDue = new LongQueue();

    // Results, read by the coordinating thread after join().
    /** Responses so far, warm-up included: the warm-up watches this to see throughput settle. */
    final AtomicLong responsesSoFar = new AtomicLong();
    final long[] errors = new long[ErrorKind.values().length];
    /** The measured window's tally, and {warm-up's, measured}: see {@link #phase}. */
    final Tally measured;
    private final Tally[] tallies;
    long unfinished;
    long resent;
    IOException failure;

    private volatile boolean stopRequested;

    LoadWorker(Plan plan, int connections, RateSchedule rate, long startNanos, int index, CountDownLatch allDrained) {
        this.plan = plan;
        this.rate = rate;
        this.allDrained = allDrained;
        this.startNanos = startNanos;
        this.random = new SplittableRandom(plan.seed() * 31 + index);
        int paths = plan.mix().size();
        this.measured = new Tally(paths, bucketsIn(plan.windowNanos(), plan.bucketNanos()), errors);
        this.tallies = new Tally[] {new Tally(paths, 1, new long[errors.length]), measured};
        this.conns = new Conn[connections];
        int outCapacity = plan.mix().maxRequestLength() * plan.pipeline();
        for (int i = 0; i < connections; i++) {
            conns[i] = new Conn(outCapacity, plan.pipeline());
        }
    }

    /** Ends the warm-up: the measured window runs from {@code nanos} for the plan's window length. */
    void measureFrom(long nanos) {
        measureEndNanos = nanos + plan.windowNanos(); // end first: a start without an end would measure forever
        measureStartNanos = nanos;
        Selector s = selector;
        if (s != null) {
            s.wakeup(); // the loop may be asleep until its next timeout scan
        }
    }

    /** Asks the worker to stop now (e.g. the notebook cell was interrupted). */
    void stop() {
        stopRequested = true;
        Selector s = selector;
        if (s != null) {
            s.wakeup();
        }
    }

    @Override
    public void run() {
        try (Selector s = Selector.open()) {
            selector = s;
            waitUntil(startNanos);
            nextArrivalNanos = startNanos;
            for (Conn c : conns) {
                open(c, System.nanoTime());
            }
            loop();
        } catch (IOException e) {
            failure = e;
        } finally {
            awaitOtherWorkers();
            for (Conn c : conns) {
                closeChannel(c);
            }
        }
    }

    private void loop() throws IOException {
        long nextTimeoutScan = System.nanoTime() + TIMEOUT_SCAN_INTERVAL_NANOS;
        long drainDeadline = Long.MAX_VALUE;
        while (!stopRequested) {
            long now = System.nanoTime();
            if (!draining && now >= measureEndNanos) {
                draining = true; // stop sending; give outstanding requests a moment to finish
                drainDeadline = now + plan.drainNanos();
            }
            if (draining && (inFlight == 0 || now >= drainDeadline)) {
                break;
            }
            long wakeAt = Math.min(nextTimeoutScan, draining ? drainDeadline : measureEndNanos);
            if (!draining) {
                reopenDue(now);
                if (plan.mode() == Mode.OPEN) {
                    scheduleArrivals(now);
                    dispatchDueRequests(now);
                    if (dueRequests.isEmpty()) {
                        wakeAt = Math.min(wakeAt, (long) nextArrivalNanos);
                    }
                } else {
                    sendAfterThinkTime(now);
                    if (!thinkingDue.isEmpty()) {
                        wakeAt = Math.min(wakeAt, thinkingDue.peek());
                    }
                }
                if (!reconnectDue.isEmpty()) {
                    wakeAt = Math.min(wakeAt, reconnectDue.peek());
                }
            }
            if (now >= nextTimeoutScan) {
                scanForTimeouts(now);
                nextTimeoutScan = now + TIMEOUT_SCAN_INTERVAL_NANOS;
            }
            long waitNanos = wakeAt - System.nanoTime();
            if (waitNanos < 1_000_000L) {
                selector.selectNow(this::handle);
            } else {
                selector.select(this::handle, waitNanos / 1_000_000L);
            }
        }
        countUnanswered();
    }

    /**
     * Keeps this worker's connections open until every worker of the run has drained. A connection closed early
     * changes the server under the others: a prefork or iterative server, freed by the close, would answer a
     * client still waiting on another worker's connection during its drain, and that client would count as served.
     */
    private void awaitOtherWorkers() {
        allDrained.countDown();
        try {
            allDrained.await(plan.drainNanos() + 1_000_000_000L, TimeUnit.NANOSECONDS); // bounded: a stuck peer cannot hold us
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Requests of the window still without a response or error when the run ends. */
    private void countUnanswered() {
        for (Conn c : conns) {
            if (c.channel != null) {
                forEachOutstandingInWindow(c, this::unansweredAt);
            }
        }
        while (!dueRequests.isEmpty()) {
            long origin = dueRequests.poll();
            if (inWindow(origin)) {
                unansweredAt(origin);
            }
        }
    }

    private void unansweredAt(long origin) {
        unfinished++;
        bucketOf(origin).unanswered++;
    }

    /** Number of (possibly partial) buckets in a window of this length. */
    static int bucketsIn(long windowNanos, long bucketNanos) {
        return (int) Math.max(1, (windowNanos + bucketNanos - 1) / bucketNanos);
    }

    // ---- scheduling -------------------------------------------------------------------

    private void scheduleArrivals(long now) {
        while (nextArrivalNanos <= now && nextArrivalNanos < measureEndNanos) {
            dueRequests.add((long) nextArrivalNanos);
            nextArrivalNanos += nextGapNanos();
        }
    }

    private double nextGapNanos() {
        double meanGap = 1e9 / rate.at((long) nextArrivalNanos - startNanos);
        if (!plan.poisson()) {
            return meanGap;
        }
        // Exponential inter-arrival times make a Poisson process: -ln(U) * mean.
        return -Math.log(1.0 - random.nextDouble()) * meanGap;
    }

    private void dispatchDueRequests(long now) {
        while (!dueRequests.isEmpty() && !idle.isEmpty()) {
            Conn c = idle.poll();
            sendAndHandleFailure(c, dueRequests.poll(), now);
        }
    }

    private void sendAfterThinkTime(long now) {
        while (!thinkingDue.isEmpty() && thinkingDue.peek() <= now) {
            thinkingDue.poll();
            Conn c = thinking.poll();
            if (c.connected && c.count < c.capacity()) {
                sendAndHandleFailure(c, now, now);
            }
        }
    }

    private void reopenDue(long now) {
        while (!reconnectDue.isEmpty() && reconnectDue.peek() <= now) {
            reconnectDue.poll();
            open(reconnecting.poll(), now);
        }
    }

    private void scanForTimeouts(long now) {
        for (Conn c : conns) {
            if (c.channel == null) {
                continue;
            }
            if (!c.connected && now - c.connectStartedAt > plan.timeoutNanos()) {
                countError(ErrorKind.CONNECT, 1, now);
                dropAndRetryLater(c, now);
            } else if (c.connected && c.count > 0 && now - c.sentAt[c.head] > plan.timeoutNanos()) {
                countRequestErrors(c, ErrorKind.TIMEOUT);
                dropAndRetryLater(c, now);
            }
        }
    }

    // ---- connection lifecycle -----------------------------------------------------------

    private void open(Conn c, long now) {
        c.connectStartedAt = now;
        try {
            c.channel = SocketChannel.open();
            c.channel.configureBlocking(false);
            c.channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            boolean connectedAtOnce = c.channel.connect(plan.target().address());
            c.key = c.channel.register(selector, connectedAtOnce ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, c);
            if (connectedAtOnce) {
                onConnected(c, now);
            }
        } catch (IOException e) {
            countError(ErrorKind.CONNECT, 1, now);
            dropAndRetryLater(c, now);
        }
    }

    private void onConnected(Conn c, long now) {
        c.connected = true;
        if (draining || now >= measureEndNanos) {
            return;
        }
        if (plan.mode() == Mode.CLOSED) {
            for (int i = 0; i < c.capacity(); i++) {
                if (!sendAndHandleFailure(c, now, now)) {
                    break;
                }
            }
        } else {
            idle.add(c);
        }
    }

    /** Closes after an error and reconnects after a short backoff, so a dead server does not spin us. */
    private void dropAndRetryLater(Conn c, long now) {
        closeChannel(c);
        if (!draining) {
            reconnecting.add(c);
            reconnectDue.add(now + RECONNECT_BACKOFF_NANOS);
        }
    }

    /** Closes a connection the server ended cleanly (Connection: close, idle close) and reconnects now. */
    private void reopenNow(Conn c, long now) {
        closeChannel(c);
        if (!draining) {
            open(c, now);
        }
    }

    private void closeChannel(Conn c) {
        if (c.channel == null) {
            return;
        }
        if (c.key != null) {
            c.key.cancel();
        }
        try {
            c.channel.close();
        } catch (IOException ignored) {
            // closing a broken socket can fail; it is gone either way
        }
        inFlight -= c.count;
        c.reset();
        if (plan.mode() == Mode.OPEN) {
            idle.remove(c);
        }
    }

    // ---- I/O ---------------------------------------------------------------------------

    private void handle(SelectionKey key) {
        Conn c = (Conn) key.attachment();
        long now = System.nanoTime();
        try {
            if (key.isConnectable()) {
                if (c.channel.finishConnect()) {
                    key.interestOps(SelectionKey.OP_READ);
                    onConnected(c, now);
                }
                return;
            }
            if (key.isWritable()) {
                flush(c);
            }
            if (key.isValid() && key.isReadable()) {
                read(c, now);
            }
        } catch (IOException e) {
            onIoFailure(c, e, now);
        }
    }

    private void onIoFailure(Conn c, IOException e, long now) {
        if (c.channel == null || resendAfterKeepAliveClose(c, now)) {
            return;
        }
        if (!c.connected || e instanceof ConnectException) {
            countError(ErrorKind.CONNECT, 1, now);
        } else if (c.count > 0) {
            countRequestErrors(c, ErrorKind.RESET);
        }
        dropAndRetryLater(c, now);
    }

    /**
     * Queues one request and tries to write it. A write failure is only recorded here
     * (this may run inside the parser's callback); callers outside the parser use
     * {@link #sendAndHandleFailure}.
     */
    private void send(Conn c, long originNanos, long now) {
        int path = plan.mix().pick(random);
        c.push(originNanos, now, path);
        inFlight++;
        c.out.put(plan.mix().request(path));
        try {
            flush(c);
        } catch (IOException e) {
            c.sendFailure = e;
        }
    }

    /** Sends and, if the write failed, drops the connection. Returns false on failure. */
    private boolean sendAndHandleFailure(Conn c, long originNanos, long now) {
        send(c, originNanos, now);
        if (c.sendFailure == null) {
            return true;
        }
        IOException failure = c.sendFailure;
        c.sendFailure = null;
        onIoFailure(c, failure, now);
        return false;
    }

    private void flush(Conn c) throws IOException {
        c.out.flip();
        c.channel.write(c.out);
        boolean more = c.out.hasRemaining();
        c.out.compact();
        int wanted = more ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ;
        if (c.key.interestOps() != wanted) {
            c.key.interestOps(wanted);
        }
    }

    private void read(Conn c, long now) throws IOException {
        readBuffer.clear();
        int n = c.channel.read(readBuffer);
        if (n < 0) {
            onEndOfStream(c, now);
            return;
        }
        c.now = now;
        try {
            c.parser.feed(readBuffer.array(), 0, n);
        } catch (ResponseParser.ProtocolException e) {
            countFailure(c, ErrorKind.PROTOCOL, now);
            dropAndRetryLater(c, now);
            return;
        }
        if (c.sendFailure != null) {
            IOException failure = c.sendFailure;
            c.sendFailure = null;
            onIoFailure(c, failure, now);
        } else if (c.closeRequested) {
            if (c.count > 0) {
                countRequestErrors(c, ErrorKind.RESET); // pipelined requests the server will never answer
            }
            reopenNow(c, now);
        }
    }

    private void onEndOfStream(Conn c, long now) {
        c.now = now;
        c.parser.endOfStream();
        if (resendAfterKeepAliveClose(c, now)) {
            return;
        }
        if (c.count > 0 || c.parser.midResponse()) {
            countFailure(c, ErrorKind.RESET, now);
            dropAndRetryLater(c, now);
        } else {
            reopenNow(c, now); // an idle keep-alive connection closed by the server: not an error
        }
    }

    /**
     * RFC 9112 §9.3.1, what browsers do: the server closed a keep-alive connection that had already answered
     * (nginx's old workers do on a reload) before a byte of the next response came, so the GETs on it were never
     * served: reconnect and send them again. The open loop requeues them with their intended send times, so the
     * latency counts the detour; the closed loop sends afresh on the new connection.
     */
    private boolean resendAfterKeepAliveClose(Conn c, long now) {
        if (!plan.resendOnKeepAliveClose() || !c.reused || c.count == 0 || c.parser.midResponse()) {
            return false;
        }
        forEachOutstandingInWindow(c, origin -> resent++);
        if (plan.mode() == Mode.OPEN) {
            for (int i = 0; i < c.count; i++) {
                dueRequests.add(c.originAt[(c.head + i) % c.capacity()]);
            }
        }
        reopenNow(c, now);
        return true;
    }

    /** Called by the parser for each complete response, in order. */
    private void onResponse(Conn c, int status, boolean connectionClose) {
        long now = c.now;
        int head = c.head;
        long origin = c.originAt[head];
        int path = c.pathOf[head];
        c.pop();
        c.reused = true;
        inFlight--;
        responsesSoFar.incrementAndGet();
        tallies[phase(origin)].record(Math.max(0, (now - origin) / 1_000L), path, status,
                origin - measureStartNanos, plan.bucketNanos());
        if (connectionClose) {
            c.closeRequested = true;
            return;
        }
        // Past the end no new request is sent, even before the loop notices and starts draining,
        // so that everything the server answers was sent inside the measured window.
        if (draining || now >= measureEndNanos || stopRequested || c.sendFailure != null) {
            return;
        }
        if (plan.mode() == Mode.CLOSED) {
            if (plan.thinkNanos() == 0) {
                send(c, now, now);
            } else {
                thinking.add(c);
                thinkingDue.add(now + plan.thinkNanos());
            }
        } else if (c.count == 0) {
            idle.add(c);
        }
    }

    /**
     * An error not tied to a request (a failed connect, a stray close): counted if it happens
     * after the warm-up, in the bucket it happens (the last bucket if during the drain).
     */
    private void countError(ErrorKind kind, long n, long now) {
        if (now < measureStartNanos) {
            return; // warm-up
        }
        errors[kind.ordinal()] += n;
        bucketOf(now).errors += n;
    }

    /** Every request outstanding on {@code c} failed: each counts if it was sent in the window, in its bucket. */
    private void countRequestErrors(Conn c, ErrorKind kind) {
        forEachOutstandingInWindow(c, origin -> {
            errors[kind.ordinal()]++;
            bucketOf(origin).errors++;
        });
    }

    /** {@code c} failed: its outstanding requests each count as {@code kind}; with none outstanding, one error. */
    private void countFailure(Conn c, ErrorKind kind, long now) {
        if (c.count > 0) {
            countRequestErrors(c, kind);
        } else {
            countError(kind, 1, now);
        }
    }

    /** The origins (send times) of the requests outstanding on {@code c} that fall in the window, oldest first. */
    private void forEachOutstandingInWindow(Conn c, LongConsumer action) {
        for (int i = 0; i < c.count; i++) {
            long origin = c.originAt[(c.head + i) % c.capacity()];
            if (inWindow(origin)) {
                action.accept(origin);
            }
        }
    }

    /**
     * 1 for a request sent in the measured window, 0 for one of the warm-up: by arithmetic, not a branch (see
     * {@link Tally}). Nothing is sent from the window's end on, so "not before the start" is "in the window". The
     * difference cannot overflow: nanoTime counts from boot here (CLOCK_MONOTONIC), and the start is at most
     * Long.MAX_VALUE ("not yet").
     */
    private int phase(long origin) {
        return (int) ((origin - measureStartNanos) >>> 63) ^ 1;
    }

    private boolean inWindow(long origin) {
        return origin >= measureStartNanos && origin < measureEndNanos;
    }

    /** The bucket of the window that {@code t} falls in, clamped to the window. */
    private Bucket bucketOf(long t) {
        return measured.bucketAt(t - measureStartNanos, plan.bucketNanos());
    }

    private static void waitUntil(long nanos) {
        long wait;
        while ((wait = nanos - System.nanoTime()) > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(wait);
        }
    }

    // ---- per-connection state -------------------------------------------------------------

    /** A connection and the requests outstanding on it (a small ring, in send order). */
    private final class Conn implements ResponseParser.Listener {
        SocketChannel channel;
        SelectionKey key;
        boolean connected;
        /** Has answered a request: a close before the next answer is the keep-alive race, not a failure. */
        boolean reused;
        boolean closeRequested;
        IOException sendFailure;
        long connectStartedAt;
        long now;
        final ResponseParser parser = new ResponseParser(this);
        final ByteBuffer out;
        final long[] originAt;
        final long[] sentAt;
        final int[] pathOf;
        int head;
        int count;

        Conn(int outCapacity, int pipeline) {
            out = ByteBuffer.allocate(outCapacity);
            originAt = new long[pipeline];
            sentAt = new long[pipeline];
            pathOf = new int[pipeline];
        }

        int capacity() {
            return originAt.length;
        }

        void push(long origin, long sent, int path) {
            int tail = (head + count) % originAt.length;
            originAt[tail] = origin;
            sentAt[tail] = sent;
            pathOf[tail] = path;
            count++;
        }

        void pop() {
            head = (head + 1) % originAt.length;
            count--;
        }

        void reset() {
            channel = null;
            key = null;
            connected = false;
            reused = false;
            closeRequested = false;
            sendFailure = null;
            head = 0;
            count = 0;
            out.clear();
            parser.reset();
        }

        @Override
        public void onResponse(int status, boolean connectionClose) {
            if (channel != null && !closeRequested) {
                LoadWorker.this.onResponse(this, status, connectionClose);
            }
        }
    }
}
