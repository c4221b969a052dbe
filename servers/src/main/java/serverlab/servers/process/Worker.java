package serverlab.servers.process;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import serverlab.servers.ServerOptions;
import serverlab.servers.core.ServerContext;
import serverlab.servers.handlers.Handlers;
import serverlab.servers.handlers.Workloads;

/** What every worker process's {@code main} does before and after its own loop. */
public final class Worker {

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

    /** The options the parent passed as the worker's only argument ({@link ServerOptions#toJson()}). */
    public static ServerOptions options(String[] args) {
        return ServerOptions.fromJson(args[0]);
    }

    /** The handler, writer and counters of this worker; {@code /stats} answers with this process's counters. */
    public static ServerContext context(String architecture, ServerOptions options) {
        Workloads.letCrashEndProcess(); // a worker process exists to serve: /crash may end it, the supervisor restarts it
        AtomicReference<ServerContext> self = new AtomicReference<>();
        ServerContext context = new ServerContext(architecture, options,
                Handlers.of(options, () -> self.get().stats().snapshot()));
        self.set(context);
        return context;
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
