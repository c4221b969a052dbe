package serverlab.servers.event;

import java.io.IOException;
import java.util.concurrent.Executors;

import serverlab.servers.ServerOptions;

/**
 * {@code event-loop-workers}: one event loop for all I/O plus a pool of {@code options.helpers()}
 * (default 4) helper threads for work that would block the loop ({@code /sleep}, {@code /file},
 * {@code /cpu}). The loop hands such a request to the pool and moves on; the helper puts
 * the response on the loop's task queue and calls {@code selector.wakeup()}; the loop
 * writes it (Node.js: libuv's loop plus its thread pool for file system and DNS work, sized by
 * {@code UV_THREADPOOL_SIZE}).
 * The hand-off is {@link Offload#handOff}, the loop {@link Reactor#run()}.
 *
 * <p>Concurrency: I/O for every connection on one thread, at most {@code helpers} blocking
 * handlers at once, more wait in the pool's unbounded queue (so blocking jobs complete in waves
 * of {@code helpers}). The connection whose request is away stops reading until the answer is
 * back, so pipelined responses stay in order.
 */
public final class EventLoopWorkersServer extends EventLoopServer {

    public EventLoopWorkersServer(ServerOptions options) throws IOException {
        // the event-loop server, with blocking handlers going to the helpers; their answers come back through the
        // loop's task queue + wakeup
        super("event-loop-workers", options, Offload.blockingWork(
                Executors.newFixedThreadPool(options.helpers(), Thread.ofPlatform().name("helper-", 1).factory())));
    }
}
