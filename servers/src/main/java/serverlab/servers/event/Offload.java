package serverlab.servers.event;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

import serverlab.servers.core.ServerContext;
import serverlab.servers.handlers.Workloads;
import serverlab.servers.http.HttpRequest;
import serverlab.servers.http.Response;

/**
 * Which requests a {@link Reactor} hands to a thread pool instead of handling them on the loop
 * thread, and the hand-off itself. The loop never waits for the pool: a pool thread runs the
 * handler, puts the answer on the loop's task queue and wakes the selector; the loop writes it.
 *
 * @param rule the requests that leave the loop
 * @param pool the threads that run them (null when the rule takes none)
 */
public record Offload(Predicate<HttpRequest> rule, ExecutorService pool) {

    /** Every handler runs on the loop thread (event-loop, multi-reactor, nginx-style). */
    public static final Offload NONE = new Offload(request -> false, null);

    /** Handlers that may block go to {@code helpers} (event-loop-workers; Node.js: libuv's thread pool). */
    public static Offload blockingWork(ExecutorService helpers) {
        return new Offload(Workloads::isBlocking, helpers);
    }

    /** Every request goes to {@code pool} (iis-style: HTTP.sys queues each request to w3wp's threads). */
    public static Offload everyRequest(ExecutorService pool) {
        return new Offload(request -> true, pool);
    }

    /** Loop thread: runs the handler on a pool thread; the answer comes back through the loop's task queue. */
    void handOff(Reactor loop, NioConnection connection, HttpRequest request, LongAdder loopCounter) {
        ServerContext context = loop.context();
        try {
            pool.execute(() -> {
                // a pool thread: the handler may block here without stalling the loop
                Response response = context.handle(request, context.stats().requestCounter(Thread.currentThread().getName()));
                loop.completeLater(connection, request, response); // completion queue + selector.wakeup()
            });
        } catch (RejectedExecutionException refused) { // the bounded queue is full, or the pool has stopped
            connection.complete(request, pool.isShutdown() ? context.stopping(loopCounter) : context.queueFull(loopCounter));
        }
    }
}
