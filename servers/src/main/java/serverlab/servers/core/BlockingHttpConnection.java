package serverlab.servers.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;

import serverlab.servers.http.HttpParseException;
import serverlab.servers.http.HttpRequest;
import serverlab.servers.http.RequestParser;
import serverlab.servers.http.Response;
import serverlab.servers.http.ResponseWriter;
import serverlab.servers.http.ResponseWriter.Framing;
import serverlab.servers.http.Status;

/**
 * One HTTP/1.1 conversation on a blocking socket, run entirely by the calling thread:
 * read, parse, handle, write, repeat while the connection is kept alive. Every blocking
 * architecture (iterative, thread per connection, pool, virtual threads, prefork children)
 * runs exactly this; they differ only in which thread calls {@link #run()}.
 *
 * <p>Timeouts: a request must arrive completely within the idle timeout, counted from the
 * end of the previous response (or the accept). A slow or silent client gets 408 and is
 * closed; an idle keep-alive connection that already had a request is closed silently.
 * A response write that makes no progress for the idle timeout (the client stopped reading)
 * is ended by the registry's sweeper closing the socket.
 */
public final class BlockingHttpConnection implements Runnable {

    private final Socket socket;
    private final ServerContext context;
    private LongAdder worker;
    private final OpenConnections registry;
    private final RequestParser parser;
    private ByteBuffer outBuffer; // allocated at the first response: idle connections stay small
    private boolean idle;          // answered, blocked waiting for the first byte of the next request (guarded by this)
    private boolean closed;        // guarded by this
    private Thread owner;
    // Registries that sweep reads only (see OpenConnections.sweepReads): the deadline of the read in progress.
    private volatile boolean reading;
    private volatile long readDeadline;
    private volatile boolean timedOut;
    // Every registry: the deadline of the write in progress, renewed by each chunk written.
    private volatile boolean writing;
    private volatile long writeDeadline;

    /**
     * Registers a newly accepted connection.
     *
     * @param worker the counter its requests go to; null to count them under the name of
     *               the thread that will {@link #run()} it (pools: one key per pool thread)
     */
    public BlockingHttpConnection(Socket socket, ServerContext context, LongAdder worker, OpenConnections registry) {
        this.socket = socket;
        this.context = context;
        this.worker = worker;
        this.registry = registry;
        this.parser = context.newParser();
        context.stats().connectionOpened();
        registry.add(this);
    }

    /** Answers 503 on a connection the server has no room for, and closes it. */
    public static void refuse(Socket socket, ServerContext context, String why) {
        context.stats().connectionRefused();
        refuseQuietly(socket, context, why);
    }

    private static void refuseQuietly(Socket socket, ServerContext context, String why) {
        try (socket) {
            Response response = Response.error(Status.SERVICE_UNAVAILABLE, why, true);
            ByteBuffer out = ByteBuffer.allocate(ResponseWriter.MAX_HEAD_BYTES + response.bodyLength());
            context.writer().encode(response, Framing.CLOSE, out);
            socket.getOutputStream().write(out.array(), 0, out.position());
            socket.shutdownOutput();
        } catch (IOException e) {
            // the client is gone already; nothing more to say to it
        }
    }

    /**
     * For a connection that will never be {@linkplain #run() run} (pool queue full, no thread
     * could be created): answers 503 and closes it.
     */
    public void rejectUnserved(String why) {
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        registry.remove(this);
        context.stats().connectionClosed();
        context.stats().connectionRefused();
        context.stats().connectionRefusedAfterAccept();
        refuseQuietly(socket, context, why);
    }

    @Override
    public void run() {
        if (worker == null) worker = context.stats().requestCounter(Thread.currentThread().getName());
        synchronized (this) {
            owner = Thread.currentThread();
            if (closed) {
                finish();
                return;
            }
        }
        try {
            socket.setTcpNoDelay(true);
            converse(socket.getInputStream(), socket.getOutputStream());
        } catch (IOException e) {
            // reset by the peer, or closed by shutdown(): the conversation is over either way
        } finally {
            finish();
        }
    }

    private void converse(InputStream in, OutputStream out) throws IOException {
        ByteBuffer inBuffer = ByteBuffer.allocate(IoBuffers.READ_BYTES).flip();
        long deadline = System.nanoTime() + context.idleTimeoutNanos();
        boolean answeredOne = false;
        while (true) {
            HttpRequest request;
            try {
                request = parser.parse(inBuffer);
            } catch (HttpParseException e) {
                send(context.reject(e, worker), Framing.CLOSE, out);
                lingerAndClose();
                return;
            }
            if (request == null) { // need more bytes
                if (!parser.inProgress() && !markIdle(answeredOne)) return; // draining: leave between requests
                long wait = deadline - System.nanoTime();
                int n;
                try {
                    if (wait <= 0) throw new SocketTimeoutException();
                    n = registry.sweepsReads() ? readUntil(deadline, in, inBuffer) : readWithin(wait, in, inBuffer);
                } catch (SocketTimeoutException e) {
                    if (parser.inProgress() || !answeredOne) {
                        send(context.timedOut(worker), Framing.CLOSE, out);
                        lingerAndClose();
                    }
                    return;
                }
                if (n < 0 || !markBusy()) return;
                inBuffer.position(0).limit(n);
                continue;
            }
            Response response = context.handle(request, worker);
            boolean keepAlive = context.keepAlive(request, response);
            send(response, Framing.answering(request, keepAlive), out);
            answeredOne = true;
            if (!keepAlive) {
                socket.shutdownOutput();
                return;
            }
            deadline = System.nanoTime() + context.idleTimeoutNanos();
        }
    }

    private int readWithin(long waitNanos, InputStream in, ByteBuffer buffer) throws IOException {
        socket.setSoTimeout((int) Math.max(1, waitNanos / 1_000_000));
        return in.read(buffer.array(), 0, buffer.capacity());
    }

    /** A read without SO_TIMEOUT; the registry's sweeper ends it with end-of-stream when late. */
    private int readUntil(long deadline, InputStream in, ByteBuffer buffer) throws IOException {
        readDeadline = deadline;
        reading = true;
        int n;
        try {
            n = in.read(buffer.array(), 0, buffer.capacity());
        } finally {
            reading = false;
        }
        if (timedOut) throw new SocketTimeoutException();
        return n;
    }

    /**
     * Sweeper side of {@link #readUntil} and {@link #write}: a reader still waiting after its deadline
     * is woken by EOF; a writer stuck past its deadline by closing the socket, since nobody reads.
     */
    void expireIfLate(long now) {
        if (writing && now - writeDeadline > 0) {
            closeSocket();
        } else if (reading && now - readDeadline > 0) {
            timedOut = true;
            try {
                socket.shutdownInput();
            } catch (IOException e) {
                // already closed: the reader is on its way out anyway
            }
        }
    }

    private void send(Response response, Framing framing, OutputStream out) throws IOException {
        if (outBuffer == null) outBuffer = ByteBuffer.allocate(IoBuffers.WRITE_BYTES);
        outBuffer.clear();
        ByteBuffer rest = context.writer().encode(response, framing, outBuffer);
        write(out, outBuffer.position());
        while (rest != null && rest.hasRemaining()) { // large body: copy through the buffer in chunks
            int n = Math.min(rest.remaining(), outBuffer.capacity());
            rest.get(outBuffer.array(), 0, n);
            write(out, n);
        }
    }

    /** Writes the first {@code length} bytes of the out buffer; the sweeper ends it if it makes no progress in time. */
    private void write(OutputStream out, int length) throws IOException {
        writeDeadline = System.nanoTime() + context.idleTimeoutNanos();
        writing = true;
        try {
            out.write(outBuffer.array(), 0, length);
        } finally {
            writing = false;
        }
    }

    // Half-close, then discard what the client is still sending for a moment: closing with
    // unread input makes the kernel send RST, which can destroy the error response in flight.
    private void lingerAndClose() {
        try {
            socket.shutdownOutput();
            socket.setSoTimeout(100);
            byte[] discard = new byte[4096];
            long limit = 64 * 1024;
            for (int n; limit > 0 && (n = socket.getInputStream().read(discard)) >= 0; ) limit -= n;
        } catch (IOException e) {
            // timeout or reset: stop lingering
        }
    }

    /*
     * Only a connection that has been answered is idle. A fresh one is a client whose request is on its way (a
     * graceful stop that closed it would lose a request the client has already sent): it reads its first request
     * even while draining and is answered with Connection: close.
     */
    private synchronized boolean markIdle(boolean answeredOne) {
        if (closed || (answeredOne && context.draining())) return false;
        idle = answeredOne;
        return true;
    }

    private synchronized boolean markBusy() {
        if (closed) return false;
        idle = false;
        return true;
    }

    /** Closes the connection if it is waiting between requests (graceful stop); one not yet answered stays. */
    public synchronized boolean closeIfIdle() {
        if (!idle || closed) return false;
        closed = true;
        closeSocket();
        return true;
    }

    /** Closes the connection whatever it is doing (urgent stop) and interrupts its thread. */
    public synchronized void closeNow() {
        if (closed) return;
        closed = true;
        closeSocket();
        // wakes a handler sleeping in /sleep; a thread blocked in read is woken by the close
        if (owner != null && owner != Thread.currentThread()) owner.interrupt();
    }

    private void closeSocket() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    private void finish() {
        synchronized (this) {
            closed = true;
            owner = null;
        }
        closeSocket();
        registry.remove(this);
        context.stats().connectionClosed();
    }
}
