package serverlab.servers.process;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The worker's end of its pipes to the parent. Stdout becomes a line protocol ({@code ready}, {@code stats …}),
 * so {@code System.out} is pointed at stderr to keep stray prints out of it; stdin carries the parent's commands
 * ({@code stats}, {@code stop <millis>}) and its EOF means the parent died ({@link ParentWatchdog}).
 */
public final class WorkerLink {

    static final String READY = "ready";
    static final String STATS = "stats";
    static final String STOP = "stop ";

    private final PrintStream toParent;

    private WorkerLink(PrintStream toParent) {
        this.toParent = toParent;
    }

    /**
     * @param stats        the worker's current counters
     * @param gracefulStop stop accepting, finish in-flight requests within the given time, then exit; must not block
     *                     (it runs on the watchdog thread)
     * @param onShutdown   runs on SIGTERM
     */
    public static WorkerLink connect(Supplier<WorkerStats> stats, Consumer<Duration> gracefulStop, Runnable onShutdown) {
        WorkerLink link = new WorkerLink(new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.US_ASCII));
        System.setOut(System.err);
        ParentWatchdog.watch(System.in, command -> {
            if (command.equals(STATS)) {
                link.send(stats.get().toLine());
            } else if (command.startsWith(STOP)) {
                gracefulStop.accept(Duration.ofMillis(Long.parseLong(command.substring(STOP.length()).trim())));
            }
        }, onShutdown);
        return link;
    }

    /** Tells the parent this worker is listening. */
    public void ready() {
        send(READY + " " + ProcessHandle.current().pid());
    }

    private synchronized void send(String line) {
        toParent.println(line);
    }
}
