package serverlab.servers.process;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import serverlab.servers.ServerOptions;
import serverlab.servers.core.ServerContext;
import serverlab.servers.handlers.Workloads;

/** What every worker process's {@code main} does before and after its own loop. */
public final class Worker {

    /** Listen backlog of each worker's socket. */
    static final int BACKLOG = 1024;

    private Worker() {
    }

    /** JVM flags of a worker: {@link ChildJvm#WORKER}, plus the poll(2) selector when the options ask for it. */
    public static List<String> jvmOptions(ServerOptions options) {
        if (!options.selector().equals(ServerOptions.POLL)) {
            return ChildJvm.WORKER;
        }
        List<String> flags = new java.util.ArrayList<>(ChildJvm.WORKER);
        flags.add("-Djava.nio.channels.spi.SelectorProvider=sun.nio.ch.PollSelectorProvider");
        return flags;
    }

    public static ServerOptions options(String[] args) {
        return WorkerConfig.fromLines(List.of(args));
    }

    /** The handler, writer and counters of this worker; {@code /stats} answers with this process's counters. */
    public static ServerContext context(String architecture, ServerOptions options) {
        Workloads.letCrashEndProcess(); // a worker process exists to serve: /crash may end it, the supervisor restarts it
        AtomicReference<ServerContext> self = new AtomicReference<>();
        ServerContext context = new ServerContext(architecture, options,
                new Workloads(options.dataDir(), () -> self.get().stats().snapshot()));
        self.set(context);
        return context;
    }

    /** A blocking listener sharing the port with the other workers (SO_REUSEPORT). */
    public static ServerSocket listenBlocking(ServerOptions options) throws IOException {
        ServerSocket listener = new ServerSocket();
        listener.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        listener.bind(new InetSocketAddress(options.bindAddress(), options.port()), BACKLOG);
        return listener;
    }

    /** A non-blocking listener sharing the port with the other workers (SO_REUSEPORT). */
    public static ServerSocketChannel listenNonBlocking(ServerOptions options) throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open();
        listener.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        listener.bind(new InetSocketAddress(options.bindAddress(), options.port()), BACKLOG);
        listener.configureBlocking(false);
        return listener;
    }

    /** Stats as the parent wants them. */
    public static WorkerStats stats(ServerContext context) {
        return WorkerStats.of(context.stats().snapshot());
    }

    /** Ends the process if a graceful stop overruns its time (the parent would kill it anyway). */
    public static void haltAfter(Duration drain) {
        Thread deadline = new Thread(() -> {
            try {
                Thread.sleep(drain.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            Runtime.getRuntime().halt(1);
        }, "drain-deadline");
        deadline.setDaemon(true);
        deadline.start();
    }
}
