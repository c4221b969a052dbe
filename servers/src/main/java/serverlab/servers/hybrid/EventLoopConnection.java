package serverlab.servers.hybrid;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
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
    private long lastActivity = System.nanoTime();

    private EventLoopConnection(SocketChannel channel, Loop loop) {
        this.channel = channel;
        this.loop = loop;
        this.parser = loop.context.newParser();
    }

    void onReady(SelectionKey key) {
        lastActivity = System.nanoTime();
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
            while (!closeAfterWrite) {
                HttpRequest request;
                Response response;
                try {
                    request = parser.parse(in);
                    if (request == null) {
                        break;
                    }
                    response = loop.context.handle(request, loop.requests);
                } catch (HttpParseException e) {
                    encode(loop.context.reject(e, loop.requests), false, false, false);
                    flush(); // closes the connection once the error response is out
                    break;
                }
                answeredOne = true;
                encode(response, loop.context.keepAlive(request, response), request.minorVersion() == 0, request.isHead());
                if (!flush()) {
                    break;
                }
            }
        } finally {
            in.compact();
        }
        if (closeAfterWrite && out == null) {
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
            channel.write(out);
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
        return out == null && in.position() == 0 && !parser.inProgress();
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

    /** The loop's state: its connections, and the stop flag set from the worker's command thread. */
    static final class Loop {
        final Selector selector;
        final ServerContext context;
        final LongAdder requests;
        final Set<EventLoopConnection> open = new HashSet<>();
        private volatile boolean stopRequested;
        private long lastSweep = System.nanoTime();

        Loop(Selector selector, ServerContext context, LongAdder requests) {
            this.selector = selector;
            this.context = context;
            this.requests = requests;
        }

        void requestStop() {
            stopRequested = true;
            selector.wakeup();
        }

        boolean stopRequested() {
            return stopRequested;
        }

        boolean finished() {
            return stopRequested && context.draining() && open.isEmpty();
        }

        void acceptPending(ServerSocketChannel listener) throws IOException {
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
         * Closes connections silent for longer than {@code idleTimeout} (408 if a request had started), and, while
         * draining, keep-alive connections waiting between requests. Runs at most every 100 ms.
         */
        void closeExpired(Duration idleTimeout) {
            long now = System.nanoTime();
            if (now - lastSweep < 100_000_000L && !context.draining()) {
                return;
            }
            lastSweep = now;
            for (EventLoopConnection c : new ArrayList<>(open)) {
                boolean silent = now - c.lastActivity > idleTimeout.toNanos();
                if (silent && c.parser.inProgress()) {
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
