package serverlab.servers.event;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import serverlab.servers.ServerOptions;
import serverlab.servers.core.AbstractServer;
import serverlab.servers.core.Listeners;

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
public final class EventLoopWorkersServer extends AbstractServer {

    private final ServerSocketChannel listener;
    private final InetSocketAddress address;
    private final ExecutorService helpers;
    private final Reactor loop;

    public EventLoopWorkersServer(ServerOptions options) throws IOException {
        super("event-loop-workers", options);
        SelectorProvider provider = SelectorProviders.forName(options.selector());
        listener = Listeners.channel(provider, options, false);
        address = (InetSocketAddress) listener.getLocalAddress();
        helpers = Executors.newFixedThreadPool(options.helpers(), Thread.ofPlatform().name("helper-", 1).factory());
        // blocking handlers go to the helpers; their answers come back through the loop's task queue + wakeup
        loop = new Reactor("event-loop", context, provider, listener, Offload.blockingWork(helpers));
        loop.start();
        announce();
    }

    /** The selector provider actually in use (epoll or poll). */
    public SelectorProvider selectorProvider() {
        return loop.selector().provider();
    }

    @Override
    public InetSocketAddress address() {
        return address;
    }

    @Override
    protected void drain() {
        loop.drain();
    }

    @Override
    protected void shutdown() {
        helpers.shutdownNow();
        loop.stop();
        NioConnection.closeQuietly(listener);
    }
}
