package serverlab.servers.process;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import serverlab.servers.ServerOptions;
import serverlab.servers.core.Listeners;
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

    /**
     * Where this worker's listening socket comes from: with {@code listener = "shared"}, the master's socket, which
     * {@link SharedListener} put on this JVM's fd 0; otherwise a socket of its own on the port, with SO_REUSEPORT
     * so that every worker can listen on it. In blocking mode; an event loop switches it to non-blocking.
     */
    public static ServerSocketChannel listener(ServerOptions options) throws IOException {
        if (!options.sharedListener()) {
            // SelectorProvider.provider() is poll(2) when the master started this JVM for it (jvmOptions)
            return Listeners.channel(SelectorProvider.provider(), options, true);
        }
        if (!(System.inheritedChannel() instanceof ServerSocketChannel inherited)) {
            throw new IOException("listener \"shared\": fd 0 is not the master's listening socket");
        }
        return inherited;
    }

    /** This worker's ends of its pipes to the master ({@link WorkerLink}), and where its stderr goes. */
    record Pipes(InputStream commands, OutputStream messages, PrintStream errors) {
    }

    /**
     * Stdin, stdout and stderr; or, when stdin is the inherited listener, the pipes where {@link SharedListener}'s
     * shell moved them (commands on fd 3, stdout and stderr both to the master), opened by path: closing an
     * inherited channel points fds 0, 1 and 2 at /dev/null (the JDK serves inetd, whose children talk through the socket).
     */
    static Pipes pipes() {
        try {
            if (System.inheritedChannel() == null) {
                return new Pipes(System.in, new FileOutputStream(FileDescriptor.out), System.err);
            }
            return new Pipes(new FileInputStream("/proc/self/fd/3"), new FileOutputStream("/proc/self/fd/1", true),
                    new PrintStream(new FileOutputStream("/proc/self/fd/2", true), true, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("no pipes to the master: " + e.getMessage(), e);
        }
    }

    /** The handler, writer and counters of this worker; {@code /stats} answers with this process's counters. */
    public static ServerContext context(String architecture, ServerOptions options) {
        Workloads.letCrashEndProcess(); // a worker process exists to serve: /crash may end it, the supervisor restarts it
        volunteerToOomKiller();
        AtomicReference<ServerContext> self = new AtomicReference<>();
        ServerContext context = new ServerContext(architecture, options,
                Handlers.of(options, () -> self.get().stats().snapshot()));
        self.set(context);
        return context;
    }

    /** How much more likely than its master a worker is to be the OOM killer's choice (oom_score_adj, -1000…1000). */
    static final int OOM_SCORE_ADJ = 500;

    /**
     * Asks the kernel's OOM killer to take this worker before its master: a worker is replaceable, the master holds
     * the listener and restarts workers (PostgreSQL protects its postmaster the same way). Raising one's own
     * oom_score_adj needs no privilege; without /proc (not Linux) the worker simply stays at the default.
     */
    private static void volunteerToOomKiller() {
        try {
            Files.writeString(Path.of("/proc/self/oom_score_adj"), Integer.toString(OOM_SCORE_ADJ));
        } catch (IOException | UnsupportedOperationException notLinux) {
            // the default (0): the OOM killer picks by size alone
        }
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
