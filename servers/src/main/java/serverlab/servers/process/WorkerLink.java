package serverlab.servers.process;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The child's end of its pipes to the parent ({@link ChildMessage}). Stdout carries the protocol, so
 * {@code System.out} is pointed at stderr to keep stray prints out of it; stdin ({@link Worker#pipes} when stdin is
 * a shared listener) carries the parent's commands and its EOF means the parent died ({@link ParentWatchdog}).
 */
public final class WorkerLink {

    private final PrintStream toParent;
    private final Supplier<WorkerStats> stats;

    private WorkerLink(PrintStream toParent, Supplier<WorkerStats> stats) {
        this.toParent = toParent;
        this.stats = stats;
    }

    /**
     * @param stats        the child's current counters
     * @param gracefulStop stop accepting, finish in-flight requests within the given time, then exit; must not block
     *                     (it runs on the watchdog thread)
     * @param onShutdown   runs on SIGTERM
     */
    public static WorkerLink connect(Supplier<WorkerStats> stats, Consumer<Duration> gracefulStop, Runnable onShutdown) {
        Worker.Pipes pipes = Worker.pipes();
        WorkerLink link = new WorkerLink(new PrintStream(pipes.messages(), true, StandardCharsets.UTF_8), stats);
        System.setErr(pipes.errors());
        System.setOut(System.err);
        ParentWatchdog.watch(pipes.commands(), line -> {
            ChildMessage command = ChildMessage.parse(line);
            switch (command.type()) {
                case ChildMessage.STATS -> link.send(ChildMessage.stats(stats.get()));
                case ChildMessage.STOP -> gracefulStop.accept(Duration.ofMillis(command.drainMillis()));
                default -> System.err.println("serverlab: unknown command from the parent: " + line);
            }
        }, onShutdown);
        return link;
    }

    /** Tells the parent this worker listens (on the port the parent gave it). */
    public void ready() {
        ready(0);
    }

    /** Tells the parent this child listens on {@code port}. */
    public void ready(int port) {
        send(ChildMessage.ready(port));
    }

    /** Reports the final counters (so the parent's totals include the last requests), then ends the process. */
    public void exit() {
        send(ChildMessage.stats(stats.get()));
        System.exit(0);
    }

    private synchronized void send(ChildMessage message) {
        toParent.println(message.toJson());
    }
}
