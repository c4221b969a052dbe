package serverlab.servers.event;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;

import serverlab.servers.ServerOptions;
import serverlab.servers.core.AbstractServer;
import serverlab.servers.core.Listeners;

/**
 * {@code multi-reactor}: one acceptor thread and {@code workers} event loops. The acceptor
 * blocks in {@code accept()} and deals connections round-robin to the loops; each connection
 * then lives on its loop for good (Netty's boss/worker groups, nginx's workers in one process).
 *
 * <p>Concurrency: one event loop per core, so all cores work and no connection ever needs a
 * lock; a blocking handler still stalls every connection of its loop (but only that loop's).
 */
public final class MultiReactorServer extends AbstractServer {

    private final ServerSocketChannel listener;
    private final InetSocketAddress address;
    private final Reactor[] loops;
    private final Thread acceptor;

    public MultiReactorServer(ServerOptions options) throws IOException {
        super("multi-reactor", options);
        SelectorProvider provider = SelectorProviders.forName(options.selector());
        listener = Listeners.channel(provider, options, false); // stays blocking: only the acceptor touches it
        address = (InetSocketAddress) listener.getLocalAddress();
        loops = new Reactor[options.workers()];
        for (int i = 0; i < loops.length; i++) {
            loops[i] = new Reactor("loop-" + (i + 1), context, provider, null, Offload.NONE);
            loops[i].start();
        }
        acceptor = Thread.ofPlatform().name("multi-reactor-acceptor").start(this::acceptLoop);
        announce();
    }

    private void acceptLoop() {
        int next = 0;
        while (true) {
            SocketChannel channel;
            try {
                channel = listener.accept();
            } catch (ClosedChannelException stopped) {
                return;
            } catch (IOException e) { // e.g. out of file descriptors: back off instead of spinning
                if (!listener.isOpen()) return;
                try {
                    Thread.sleep(10);
                } catch (InterruptedException interrupted) {
                    return;
                }
                continue;
            }
            loops[next].adopt(channel); // from now on only that loop's thread touches the connection
            next = (next + 1) % loops.length;
        }
    }

    /** The selector provider actually in use (epoll or poll). */
    public SelectorProvider selectorProvider() {
        return loops[0].selector().provider();
    }

    @Override
    public InetSocketAddress address() {
        return address;
    }

    @Override
    protected void drain() {
        NioConnection.closeQuietly(listener);
        awaitAcceptor(); // no hand-over may race with the loops' drain
        for (Reactor loop : loops) loop.drain();
    }

    @Override
    protected void shutdown() {
        NioConnection.closeQuietly(listener);
        awaitAcceptor();
        for (Reactor loop : loops) loop.stop();
    }

    private void awaitAcceptor() {
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
