package serverlab.servers.hybrid;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;

import serverlab.servers.core.ServerContext;
import serverlab.servers.http.HttpParseException;
import serverlab.servers.http.HttpRequest;
import serverlab.servers.http.RequestParser;
import serverlab.servers.http.Response;
import serverlab.servers.http.ResponseWriter;
import serverlab.servers.http.Status;

/**
 * One non-blocking connection of a single-threaded event loop: read what arrived, parse, handle, write as much
 * as the socket takes, and wait for OP_WRITE when it takes less. Pipelined requests are answered in order.
 * A loop with a request pool (IIS-style, the loop playing HTTP.sys) hands each parsed request to a pool thread
 * and stops reading that connection until the answer is back; without one (nginx-style) it handles it itself.
 */
final class EventLoopConnection {

    private static final int READ_BUFFER = 4096;

    private final SocketChannel channel;
    private final Loop loop;
    private final RequestParser parser;
    private final ByteBuffer in = ByteBuffer.allocate(READ_BUFFER); // write mode between events
    private ByteBuffer out;                                         // head and start of body, read mode
    private ByteBuffer rest;                                        // body beyond what fit in out
    private boolean closeAfterWrite;
    private boolean answeredOne;
    private boolean awaitingWork; // a pool thread has its request
    private long deadline; // a request must arrive whole by then (408), an idle connection is closed then

    private EventLoopConnection(SocketChannel channel, Loop loop) {
        this.channel = channel;
        this.loop = loop;
        this.parser = loop.context.newParser();
        this.deadline = System.nanoTime() + loop.context.idleTimeoutNanos();
    }

    void onReady(SelectionKey key) {
        try {
            if (key.isWritable() && !flush()) {
                return;
            }
            if (key.isReadable()) {
                int n = channel.read(in);
                if (n < 0) {
                    close();
                    return;
                }
            }
            answerBuffered();
        } catch (IOException e) {
            close();
        }
    }

    // Parses and answers the requests in `in` until it is empty or the socket stops taking output.
    private void answerBuffered() throws IOException {
        in.flip();
        try {
            while (!closeAfterWrite && !awaitingWork) {
                HttpRequest request;
                try {
                    request = parser.parse(in);
                } catch (HttpParseException e) {
                    encode(loop.context.reject(e, loop.requests), false, false, false);
                    flush(); // closes the connection once the error response is out
                    break;
                }
                if (request == null) {
                    break;
                }
                if (loop.pool != null) {
                    offload(request);
                } else if (!answer(request, loop.context.handle(request, loop.requests))) {
                    break;
                }
            }
        } finally {
            in.compact();
        }
        if (!parser.inProgress()) {
            deadline = System.nanoTime() + loop.context.idleTimeoutNanos(); // a trickled request does not extend it
        }
        if (closeAfterWrite && out == null) {
            close();
        }
    }

    /** Encodes and writes one answer; true when all of it went out. */
    private boolean answer(HttpRequest request, Response response) throws IOException {
        answeredOne = true;
        encode(response, loop.context.keepAlive(request, response), request.minorVersion() == 0, request.isHead());
        return flush();
    }

    // Queues the request to the pool (as HTTP.sys queues it to w3wp); the answer comes back through loop.completed.
    private void offload(HttpRequest request) throws IOException {
        awaitingWork = true;
        channel.keyFor(loop.selector).interestOps(0); // read nothing more until this answer is out
        try {
            loop.pool.execute(() -> {
                Response response = loop.context.handle(request, loop.requests);
                loop.completed.add(() -> complete(request, response));
                loop.selector.wakeup();
            });
        } catch (RejectedExecutionException queueFull) {
            awaitingWork = false;
            loop.context.stats().requestAnswered(loop.requests, Status.SERVICE_UNAVAILABLE);
            answer(request, Response.error(Status.SERVICE_UNAVAILABLE, "request queue full", true));
        }
    }

    // Loop thread: a pool thread answered; send it, then go on with pipelined requests already read.
    private void complete(HttpRequest request, Response response) {
        awaitingWork = false;
        if (!loop.open.contains(this)) {
            return; // closed meanwhile
        }
        try {
            if (answer(request, response)) {
                answerBuffered();
            }
        } catch (IOException e) {
            close();
        }
    }

    private void encode(Response response, boolean keepAlive, boolean http10, boolean head) {
        ByteBuffer buffer = ByteBuffer.allocate(ResponseWriter.MAX_HEAD_BYTES + response.extraHeaders().length()
                + Math.min(response.bodyLength(), 16 << 10));
        rest = loop.context.writer().encode(response, keepAlive, http10, head, buffer);
        out = buffer.flip();
        closeAfterWrite = !keepAlive;
    }

    /** Writes pending output; true when all of it went out (then waits for reads again), false if OP_WRITE is needed. */
    private boolean flush() throws IOException {
        while (out != null) {
            if (channel.write(out) > 0) {
                deadline = System.nanoTime() + loop.context.idleTimeoutNanos(); // progress: the client is reading
            }
            if (out.hasRemaining()) {
                channel.keyFor(loop.selector).interestOps(SelectionKey.OP_WRITE);
                return false;
            }
            out = rest;
            rest = null;
        }
        if (closeAfterWrite) {
            close();
            return false;
        }
        channel.keyFor(loop.selector).interestOps(SelectionKey.OP_READ);
        return true;
    }

    private boolean idleBetweenRequests() {
        return !awaitingWork && out == null && in.position() == 0 && !parser.inProgress();
    }

    private void close() {
        if (loop.open.remove(this)) {
            loop.context.stats().connectionClosed();
        }
        try {
            channel.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    /** The loop's state: its connections, the answers pool threads hand back, the stop flag set from the worker's command thread. */
    static final class Loop {
        final Selector selector;
        final ServerContext context;
        final LongAdder requests;
        final ExecutorService pool; // null: handlers run on the loop thread
        final Set<EventLoopConnection> open = new HashSet<>();
        final Queue<Runnable> completed = new ConcurrentLinkedQueue<>();
        private volatile boolean stopRequested;
        private long lastSweep = System.nanoTime();

        Loop(Selector selector, ServerContext context, LongAdder requests, ExecutorService pool) {
            this.selector = selector;
            this.context = context;
            this.requests = requests;
            this.pool = pool;
        }

        /** Serves {@code listener} until a requested stop has drained every connection. */
        void run(ServerSocketChannel listener) throws IOException {
            listener.register(selector, SelectionKey.OP_ACCEPT);
            while (!finished()) {
                selector.select(250);
                if (stopRequested && listener.isOpen()) {
                    acceptPending(listener); // connections already queued to this worker are served, not reset
                    listener.close();
                    context.startDraining();
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        acceptPending(listener);
                    } else {
                        ((EventLoopConnection) key.attachment()).onReady(key);
                    }
                }
                selector.selectedKeys().clear();
                for (Runnable answer; (answer = completed.poll()) != null; ) {
                    answer.run();
                }
                closeExpired();
            }
        }

        void requestStop() {
            stopRequested = true;
            selector.wakeup();
        }

        private boolean finished() {
            return stopRequested && context.draining() && open.isEmpty();
        }

        private void acceptPending(ServerSocketChannel listener) throws IOException {
            for (SocketChannel client; (client = listener.accept()) != null; ) {
                if (!context.admitsConnection()) {
                    refuse(client);
                    continue;
                }
                client.configureBlocking(false);
                client.socket().setTcpNoDelay(true);
                EventLoopConnection connection = new EventLoopConnection(client, this);
                client.register(selector, SelectionKey.OP_READ, connection);
                open.add(connection);
                context.stats().connectionOpened();
            }
        }

        private void refuse(SocketChannel client) {
            context.stats().connectionRefused();
            try (client) {
                ByteBuffer out = ByteBuffer.allocate(ResponseWriter.MAX_HEAD_BYTES + 64);
                context.writer().encode(Response.error(Status.SERVICE_UNAVAILABLE, "too many connections", true), false, false, false, out);
                client.write(out.flip()); // a fresh socket's send buffer takes this in one go
            } catch (IOException e) {
                // the client is gone already
            }
        }

        /**
         * Answers 408 and closes when a request has not arrived whole within the idle timeout (counted from the
         * accept or the previous answer, however slowly it trickles in), closes idle keep-alive connections and, while draining,
         * connections waiting between requests. Runs at most every 100 ms.
         */
        private void closeExpired() {
            long now = System.nanoTime();
            if (now - lastSweep < 100_000_000L && !context.draining()) {
                return;
            }
            lastSweep = now;
            for (EventLoopConnection c : new ArrayList<>(open)) {
                boolean silent = !c.awaitingWork && now - c.deadline > 0; // a handler may take its time
                if (silent && c.out == null && (c.parser.inProgress() || !c.answeredOne)) {
                    c.encode(context.timedOut(requests), false, false, false);
                    try {
                        c.flush();
                    } catch (IOException e) {
                        c.close();
                    }
                    c.close();
                } else if (silent || (context.draining() && c.answeredOne && c.idleBetweenRequests())) {
                    c.close();
                }
            }
        }
    }
}
