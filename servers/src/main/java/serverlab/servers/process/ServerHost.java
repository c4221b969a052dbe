package serverlab.servers.process;

import java.util.ArrayList;
import java.util.List;

import serverlab.servers.Server;
import serverlab.servers.ServerOptions;
import serverlab.servers.Servers;
import serverlab.servers.handlers.Workloads;
import serverlab.servers.event.SelectorProviders;

/**
 * Main class of a child JVM that hosts one server by name, so that its process can be measured (or killed)
 * apart from the JVM that drives it. Speaks {@link ChildMessage} like a worker: {@code ready} with the port,
 * {@code stats} with the server's counters and worker pids, {@code stop} for a graceful stop; SIGTERM closes
 * the server, and the end of stdin (the parent died) halts this JVM, whose own workers then see their stdin end.
 * Arguments: registry name, options as JSON.
 */
public final class ServerHost {

    private ServerHost() {
    }

    /** JVM flags of a host: serial GC (one GC thread, as the machine has few cores), default heap. */
    private static final List<String> FLAGS = List.of("-XX:+UseSerialGC", "-Xshare:auto");

    /**
     * The command line of a host for {@code name}; {@code jvmFlags} come after the host's own, so they win.
     * The host may run any server, so it gets what selector "poll" needs ({@link SelectorProviders}).
     */
    public static ProcessBuilder command(String name, ServerOptions options, List<String> jvmFlags) {
        List<String> flags = new ArrayList<>(FLAGS);
        flags.addAll(List.of(SelectorProviders.ADD_EXPORTS_FLAG.split(" ")));
        flags.addAll(jvmFlags);
        return ChildJvm.command(flags, ServerHost.class, List.of(name, options.toJson()));
    }

    public static void main(String[] args) throws InterruptedException {
        Workloads.letCrashEndProcess(); // this JVM exists only to host the server
        Server server = Servers.start(args[0], ServerOptions.fromJson(args[1]));
        WorkerLink link = WorkerLink.connect(
                () -> new WorkerStats(ProcessHandle.current().pid(), server.stats(), server.workerPids()),
                drain -> Thread.ofPlatform().start(() -> server.stopGracefully(drain)),
                server::close);
        link.ready(server.address().getPort());
        server.awaitClosed();
        System.exit(0);
    }
}
