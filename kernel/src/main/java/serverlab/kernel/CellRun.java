package serverlab.kernel;

import io.github.spencerpark.jupyter.messages.MessageContext;
import serverlab.kernel.eval.CellGuard;
import serverlab.kernel.io.CellStreams;

/**
 * One execution of one cell. Threads started by the cell inherit it (an
 * {@link InheritableThreadLocal}), which is how their output finds the cell that
 * started them and how an interrupt finds every thread it must stop.
 */
public final class CellRun {
    private static final InheritableThreadLocal<CellRun> CURRENT = new InheritableThreadLocal<>();

    private final int executionCount;
    private final MessageContext request;
    private final CellStreams streams;
    private final ThreadGroup threads;
    private final boolean silent;
    private volatile boolean active = true;
    private volatile boolean stopRequested;

    public CellRun(int executionCount, MessageContext request, CellStreams streams, boolean silent) {
        this.executionCount = executionCount;
        this.request = request;
        this.streams = streams;
        this.silent = silent;
        this.threads = new ThreadGroup("cell-" + executionCount) {
            @Override
            public void uncaughtException(Thread thread, Throwable e) {
                // A thread stopped by an interrupt ends quietly; the cell already reports "Interrupted".
                if (!(e instanceof CellGuard.CellInterrupted)) super.uncaughtException(thread, e);
            }
        };
    }

    /** The cell the calling thread works for, or null for kernel threads and orphans. */
    public static CellRun current() {
        return CURRENT.get();
    }

    public static void bind(CellRun run) {
        if (run == null) CURRENT.remove(); else CURRENT.set(run);
    }

    public int executionCount() { return executionCount; }
    public MessageContext request() { return request; }
    public CellStreams streams() { return streams; }
    public ThreadGroup threads() { return threads; }
    public boolean silent() { return silent; }

    /** True while the cell's execute request has not been answered. */
    public boolean isActive() { return active; }
    public void finish() { active = false; }

    public boolean isStopRequested() { return stopRequested; }
    public void requestStop() { stopRequested = true; }
}
