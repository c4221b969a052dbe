package serverlab.servers.event;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.LongAdder;

import serverlab.servers.core.IoBuffers;
import serverlab.servers.core.LoopCounters.Count;
import serverlab.servers.core.ServerContext;
import serverlab.servers.http.HttpParseException;
import serverlab.servers.http.HttpRequest;
import serverlab.servers.http.RequestParser;
import serverlab.servers.http.Response;
import serverlab.servers.http.ResponseWriter;
import serverlab.servers.http.ResponseWriter.Framing;
import serverlab.servers.http.Status;

/**
 * The state of one connection inside an event loop, driven by readiness events. Because
 * the loop never blocks, everything a blocking thread keeps on its stack lives here: the
 * parser (with a partially received request), input read but not parsed yet, output the
 * socket did not take yet, and whether an answer is pending (a handler running elsewhere,
 * or an answer due later on the loop's timer queue).
 *
 * <p>Responses leave in request order (pipelining): while output is waiting for the socket
 * or an answer is pending, later requests stay unparsed and the connection
 * stops reading, which is also the back-pressure on a client that sends but never reads.
 */
public final class NioConnection {

    private static final long LINGER_NANOS = 500_000_000L;
    private static final int LINGER_BYTES = 64 * 1024;

    private final Reactor reactor;
    private final ServerContext context;
    private final SocketChannel channel;
    private final SelectionKey key;
    private final LongAdder worker;
    private final RequestParser parser;
    private final ArrayDeque<ByteBuffer> unsent = new ArrayDeque<>(2);
    private ByteBuffer pendingInput;  // read but not parsed: we were paused
    private boolean awaitingAnswer;   // a handler runs on a helper thread, or its answer waits on a timer
    private boolean closeAfterFlush;  // last response sent: close once it is flushed
    private boolean lingerAfterFlush; // ...after draining what the client still sends (error responses)
    private boolean lingering;
    private int lingeredBytes;
    private boolean answeredOne;
    private boolean closed;
    private long deadline;

    NioConnection(Reactor reactor, ServerContext context, SocketChannel channel, SelectionKey key, LongAdder worker) {
        this.reactor = reactor;
        this.context = context;
        this.channel = channel;
        this.key = key;
        this.worker = worker;
        this.parser = context.newParser();
        this.deadline = System.nanoTime() + context.idleTimeoutNanos();
        context.stats().connectionOpened();
    }

    void onReady(int readyOps) {
        if ((readyOps & SelectionKey.OP_WRITE) != 0) onWritable();
        if (!closed && (readyOps & SelectionKey.OP_READ) != 0 && key.isValid()) onReadable();
    }

    private void onReadable() {
        ByteBuffer in = reactor.readBuffer.clear();
        int n;
        try {
            n = channel.read(in);
        } catch (IOException e) {
            close();
            return;
        }
        if (n < 0) { // the client closed its side: finish what we owe, then close
            if (lingering || unsent.isEmpty() && !awaitingAnswer) {
                close();
            } else {
                closeAfterFlush = true;
                updateInterest(); // stop watching for reads, or EOF would be reported again and again
            }
            return;
        }
        if (lingering) {
            if ((lingeredBytes += n) > LINGER_BYTES) close();
            return;
        }
        processRead(in.flip());
    }

    // Counted: a read that completed a request, or one whose bytes the parser keeps for later (a slow client).
    private void processRead(ByteBuffer in) {
        boolean completedARequest = process(in, reactor.writeBuffer.clear());
        reactor.counters().increment(completedARequest ? Count.READ : Count.PARTIAL_READ);
    }

    /** Parses and answers every complete request in {@code in} until paused, then writes; true if a request was complete. */
    private boolean process(ByteBuffer in, ByteBuffer out) {
        boolean completed = false;
        while (true) {
            completed |= answerAll(in, out);
            flush(out);
            // The writes may have drained at once: then go on with the pipelined bytes kept aside.
            if (closed || awaitingAnswer || closeAfterFlush || !unsent.isEmpty() || pendingInput == null) return completed;
            in = pendingInput;
            pendingInput = null;
            out = reactor.writeBuffer.clear();
        }
    }

    private boolean answerAll(ByteBuffer in, ByteBuffer out) {
        boolean completed = false;
        while (!closed && !awaitingAnswer && unsent.isEmpty() && !closeAfterFlush) {
            HttpRequest request;
            try {
                request = parser.parse(in);
            } catch (HttpParseException e) {
                respondAndClose(context.reject(e, worker), out);
                completed = true;
                break;
            }
            if (request == null) break; // incomplete: the parser keeps the partial request
            completed = true;
            if (reactor.offloads(request)) {
                awaitingAnswer = true;
                reactor.offload(this, request);
                break;
            }
            Response response = context.handleOnLoop(request, worker);
            if (response.delayNanos() > 0) { // due later (/delay): a timer in the loop, no thread waits
                awaitingAnswer = true;
                reactor.answerWhenDue(this, request, response);
                break;
            }
            respond(request, response, out);
        }
        if (in.hasRemaining() && !closeAfterFlush) {
            // paused with pipelined bytes left: keep them (copying out of the shared read buffer)
            pendingInput = in == reactor.readBuffer ? ByteBuffer.allocate(in.remaining()).put(in).flip() : in;
        }
        if (!parser.inProgress()) deadline = System.nanoTime() + context.idleTimeoutNanos();
        return completed;
    }

    /** Loop thread: the answer is ready (a helper finished, a timer fired); send it and carry on with the pipeline. */
    void complete(HttpRequest request, Response response) {
        awaitingAnswer = false;
        if (closed) return;
        ByteBuffer out = reactor.writeBuffer.clear();
        respond(request, response, out);
        ByteBuffer in = pendingInput != null ? pendingInput : ByteBuffer.allocate(0);
        pendingInput = null;
        process(in, out);
    }

    private void respond(HttpRequest request, Response response, ByteBuffer out) {
        boolean keepAlive = context.keepAlive(request, response);
        if (out.remaining() < ResponseWriter.MAX_HEAD_BYTES + response.extraHeaders().length()) spill(out);
        ByteBuffer rest = context.writer().encode(response, Framing.answering(request, keepAlive), out);
        if (rest != null) {
            spill(out);
            unsent.add(rest); // a large body is queued as a view: no copy
        }
        answeredOne = true;
        if (!keepAlive) closeAfterFlush = true;
    }

    private void respondAndClose(Response response, ByteBuffer out) {
        if (out.remaining() < ResponseWriter.MAX_HEAD_BYTES) spill(out);
        context.writer().encode(response, Framing.CLOSE, out);
        closeAfterFlush = true;
        lingerAfterFlush = true;
    }

    // Moves what `out` holds behind the unsent output (writing it right away if nothing is queued).
    private void spill(ByteBuffer out) {
        out.flip();
        if (unsent.isEmpty()) write(out);
        if (out.hasRemaining()) unsent.add(ByteBuffer.allocate(out.remaining()).put(out).flip());
        out.clear();
    }

    private void flush(ByteBuffer out) {
        if (closed) return;
        spill(out);
        writeUnsent();
        if (closed) return;
        if (unsent.isEmpty() && closeAfterFlush && !awaitingAnswer) {
            if (lingerAfterFlush) startLingering();
            else close();
            return;
        }
        updateInterest();
    }

    private void onWritable() {
        writeUnsent();
        if (closed || !unsent.isEmpty()) return;
        reactor.counters().increment(Count.WRITE_COMPLETED);
        deadline = System.nanoTime() + context.idleTimeoutNanos();
        if (closeAfterFlush) {
            if (awaitingAnswer) return;
            if (lingerAfterFlush) startLingering();
            else close();
        } else if (pendingInput != null && !awaitingAnswer) {
            ByteBuffer in = pendingInput;
            pendingInput = null;
            process(in, reactor.writeBuffer.clear());
        } else {
            updateInterest();
        }
    }

    private void writeUnsent() {
        while (!unsent.isEmpty() && !closed) {
            ByteBuffer head = unsent.peek();
            write(head);
            if (head.hasRemaining()) return; // the socket buffer is full: wait for OP_WRITE
            unsent.poll();
            deadline = System.nanoTime() + context.idleTimeoutNanos(); // progress: the client is reading
        }
    }

    private void write(ByteBuffer buffer) {
        try {
            while (buffer.hasRemaining()) {
                int written;
                if (buffer.remaining() > IoBuffers.WRITE_BYTES && !buffer.isDirect()) {
                    ByteBuffer slice = buffer.slice(buffer.position(), IoBuffers.WRITE_BYTES);
                    written = channel.write(slice);
                    buffer.position(buffer.position() + written);
                } else {
                    written = channel.write(buffer);
                }
                if (written == 0) return;
            }
        } catch (IOException e) {
            close();
        }
    }

    private void updateInterest() {
        int ops;
        if (!unsent.isEmpty()) ops = SelectionKey.OP_WRITE;
        else if (awaitingAnswer || closeAfterFlush) ops = 0; // nothing to read until the pending answer is out
        else ops = SelectionKey.OP_READ;
        if (key.isValid() && key.interestOps() != ops) key.interestOps(ops);
    }

    // Half-close and keep reading (discarding) for a moment, so closing with unread input
    // does not make the kernel send RST and destroy the error response in flight.
    private void startLingering() {
        lingering = true;
        closeAfterFlush = false;
        try {
            channel.shutdownOutput();
        } catch (IOException e) {
            close();
            return;
        }
        deadline = System.nanoTime() + LINGER_NANOS;
        if (key.isValid()) key.interestOps(SelectionKey.OP_READ);
    }

    /** Timer tick: 408 for a request that is late, silent close for an idle keep-alive connection. */
    void expireIfLate(long now) {
        if (closed || awaitingAnswer || now - deadline < 0) return;
        if (lingering || !unsent.isEmpty() || closeAfterFlush) {
            close(); // lingered long enough, or the client stopped reading our response
        } else if (parser.inProgress() || !answeredOne) {
            ByteBuffer out = reactor.writeBuffer.clear();
            respondAndClose(context.timedOut(worker), out);
            flush(out);
        } else {
            close();
        }
    }

    /**
     * Graceful stop: close now if between requests; otherwise the next response says {@code Connection: close}. A
     * connection not yet answered stays: its client has sent, or is sending, a request that a close would lose.
     */
    void closeIfIdle() {
        if (closed || awaitingAnswer || !unsent.isEmpty() || pendingInput != null || parser.inProgress()) return;
        // A request may have arrived but not been read yet (the loop was busy): answer it rather than drop it.
        ByteBuffer in = reactor.readBuffer.clear();
        int n;
        try {
            n = channel.read(in);
        } catch (IOException e) {
            n = -1;
        }
        if (n < 0 || (n == 0 && answeredOne)) close();
        else if (n > 0) processRead(in.flip());
        // n == 0 on a fresh connection: its first request is on its way; it is answered with Connection: close
    }

    void close() {
        if (closed) return;
        closed = true;
        key.cancel();
        closeQuietly(channel);
        context.stats().connectionClosed();
        reactor.connectionClosed();
    }

    /** Answers 503 to a connection there is no room for and closes it (non-blocking: a small write fits the socket buffer). */
    static void refuse(SocketChannel channel, ServerContext context) {
        context.stats().connectionRefused();
        Response response = Response.error(Status.SERVICE_UNAVAILABLE, context.connectionLimitReason(), true);
        ByteBuffer out = ByteBuffer.allocate(ResponseWriter.MAX_HEAD_BYTES + response.bodyLength());
        context.writer().encode(response, Framing.CLOSE, out);
        try {
            channel.write(out.flip());
            channel.shutdownOutput();
        } catch (IOException e) {
            // the client is gone already
        }
        closeQuietly(channel);
    }

    static void closeQuietly(Channel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
