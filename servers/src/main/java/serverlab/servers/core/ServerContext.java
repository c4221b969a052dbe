package serverlab.servers.core;

import java.util.concurrent.atomic.LongAdder;

import serverlab.servers.ServerOptions;
import serverlab.servers.http.Handler;
import serverlab.servers.http.HttpParseException;
import serverlab.servers.http.HttpRequest;
import serverlab.servers.http.RequestParser;
import serverlab.servers.http.Response;
import serverlab.servers.http.ResponseWriter;
import serverlab.servers.http.Status;

/**
 * What every connection of one server shares: options, handler, response writer, counters
 * and the draining flag. Architectures differ in who calls these methods, never in what
 * the methods do.
 */
public final class ServerContext {

    private static final String STOPPING = "server is stopping";

    private final String architecture;
    private final ServerOptions options;
    private final Handler handler;
    private final ResponseWriter writer;
    private final StatsRecorder stats = new StatsRecorder();
    private volatile boolean draining;

    public ServerContext(String architecture, ServerOptions options, Handler handler) {
        this.architecture = architecture;
        this.options = options;
        this.handler = handler;
        this.writer = new ResponseWriter(architecture);
    }

    public String architecture() { return architecture; }

    public ServerOptions options() { return options; }

    public ResponseWriter writer() { return writer; }

    public StatsRecorder stats() { return stats; }

    public RequestParser newParser() {
        return new RequestParser(options.maxHeaderBytes(), options.maxBodyBytes());
    }

    public long idleTimeoutNanos() {
        return options.idleTimeout().toNanos();
    }

    /**
     * How often an event loop looks for expired connections (late requests, idle or stalled ones):
     * a quarter of the idle timeout, 10 ms … 250 ms, so a deadline is missed by at most a quarter.
     */
    public long expiryTickNanos() {
        return Math.clamp(idleTimeoutNanos() / 4, 10_000_000L, 250_000_000L);
    }

    /** Graceful stop in progress: finish in-flight requests, answer them with {@code Connection: close}, accept nothing new. */
    public boolean draining() {
        return draining;
    }

    public void startDraining() {
        draining = true;
    }

    /** Room for new connections? Beyond {@code maxConnections} a server answers 503 and closes. */
    public boolean admitsConnection() {
        return stats.activeConnections() < options.maxConnections();
    }

    /**
     * Runs the handler and counts the answer for {@code worker}; a failing handler becomes a 500. An answer
     * due later ({@code /delay}) is waited for here: the calling thread sleeps.
     */
    public Response handle(HttpRequest request, LongAdder worker) {
        return handle(request, worker, true);
    }

    /** For an event loop: as {@link #handle}, but an answer due later is returned as it is, for the loop's timers. */
    public Response handleOnLoop(HttpRequest request, LongAdder worker) {
        return handle(request, worker, false);
    }

    private Response handle(HttpRequest request, LongAdder worker, boolean awaitDue) {
        Response response;
        try {
            response = handler.handle(request);
            if (awaitDue) response = response.awaitDue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            response = Response.error(Status.SERVICE_UNAVAILABLE, STOPPING, true);
        } catch (Exception e) {
            response = Response.error(Status.INTERNAL_ERROR, e.toString(), false);
        }
        stats.requestAnswered(worker, response.status());
        return response;
    }

    /** The answer to a request the parser refused; the connection closes after it. */
    public Response reject(HttpParseException e, LongAdder worker) {
        stats.requestAnswered(worker, e.status());
        return Response.error(e.status(), e.getMessage(), true);
    }

    /** The answer when a client took longer than the idle timeout to send its request. */
    public Response timedOut(LongAdder worker) {
        stats.requestAnswered(worker, Status.REQUEST_TIMEOUT);
        return Response.error(Status.REQUEST_TIMEOUT, "request not received within " + options.idleTimeout().toMillis() + " ms", true);
    }

    /** The answer to work refused because every thread is busy and the queue is full. */
    public Response queueFull(LongAdder worker) {
        stats.requestAnswered(worker, Status.SERVICE_UNAVAILABLE);
        return Response.error(Status.SERVICE_UNAVAILABLE, queueFullReason(), true);
    }

    /** Why work is refused when the pool is saturated: the same words for every architecture with a bounded queue. */
    public String queueFullReason() {
        return "all " + options.threads() + " threads busy and " + options.queueCapacity() + " waiting in the queue";
    }

    /** Why a connection beyond {@code maxConnections} is refused: the same words for every architecture. */
    public String connectionLimitReason() {
        return "more than " + options.maxConnections() + " connections";
    }

    /** The answer to work refused because the server is stopping. */
    public Response stopping(LongAdder worker) {
        stats.requestAnswered(worker, Status.SERVICE_UNAVAILABLE);
        return Response.error(Status.SERVICE_UNAVAILABLE, STOPPING, true);
    }

    /** Whether the connection may stay open after answering {@code request} with {@code response}. */
    public boolean keepAlive(HttpRequest request, Response response) {
        return request.keepAlive() && !response.close() && !draining;
    }
}
