package serverlab.servers.event;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.spi.SelectorProvider;

import serverlab.servers.ServerOptions;
import serverlab.servers.core.AbstractServer;
import serverlab.servers.core.Listeners;

/**
 * {@code event-loop}: a single thread runs one {@link Reactor}: it accepts, reads, parses,
 * handles and writes for every connection, never blocking except to wait for readiness
 * (Redis, early Node.js, CS:APP's {@code echoservers}). The select–dispatch loop is
 * {@link Reactor#run()}, at the top of that file.
 *
 * <p>Concurrency: many connections, one at a time on one core. No locks, no context switches
 * between requests, a few hundred bytes per idle connection; but one slow handler
 * ({@code /sleep}, a big {@code /cpu}) stops every other connection for its duration.
 * {@code selector} picks epoll or poll as the readiness mechanism.
 */
public class EventLoopServer extends AbstractServer {

    private final ServerSocketChannel listener;
    private final InetSocketAddress address;
    private final Offload offload;
    private final Reactor loop;

    public EventLoopServer(ServerOptions options) throws IOException {
        this("event-loop", options, Offload.NONE); // every handler runs on the loop
    }

    /** An event loop that hands what {@code offload} picks to its pool ({@link EventLoopWorkersServer}). */
    protected EventLoopServer(String name, ServerOptions options, Offload offload) throws IOException {
        super(name, options);
        this.offload = offload;
        SelectorProvider provider = SelectorProviders.forName(options.selector());
        listener = Listeners.channel(provider, options, false);
        address = (InetSocketAddress) listener.getLocalAddress();
        loop = new Reactor("event-loop", context, provider, listener, offload);
        loop.start(); // one thread: Reactor.run(), the select–dispatch loop
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
        if (offload.pool() != null) offload.pool().shutdownNow(); // helpers sleeping in a handler are interrupted
        loop.stop();
        NioConnection.closeQuietly(listener);
    }
}
