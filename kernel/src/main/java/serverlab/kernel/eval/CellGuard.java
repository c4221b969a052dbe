package serverlab.kernel.eval;

import java.util.HashMap;
import java.util.Map;

import serverlab.kernel.CellRun;

/**
 * Runtime support for instrumented cell code. {@link StopCheckInstrumenter} inserts a
 * call to {@link #check()} at every method entry and before every backward branch of
 * snippet classes, and routes {@code System.exit}/{@code Runtime.exit}/{@code halt}
 * calls to {@link #exit(int)}. Public because snippet classes call it from another
 * class loader.
 */
public final class CellGuard {
    /**
     * How long a stopped cell stays stopped for threads the kernel cannot count (virtual threads belong to no cell's
     * thread group): far longer than a spinning thread waits to be scheduled on a busy machine.
     */
    private static final long VIRTUAL_THREAD_GRACE_NANOS = 10_000_000_000L;

    /** Interrupted cells that may still have threads running, with when each was stopped (guarded by the class). */
    private static final Map<CellRun, Long> stopped = new HashMap<>();
    /** True while {@link #stopped} is not empty: false almost always, so the check is one volatile read. */
    private static volatile boolean anyStopped;

    private CellGuard() {}

    public static void check() {
        if (anyStopped) {
            CellRun current = CellRun.current();
            if (current != null && current.isStopRequested()) throw new CellInterrupted();
        }
    }

    public static void exit(int status) {
        throw new SecurityException("System.exit(" + status + ") is refused in a notebook cell: it would kill the kernel "
                + "and every variable in it. To start over, use Kernel > Restart Kernel.");
    }

    public static void exit(Runtime runtime, int status) {
        exit(status);
    }

    /**
     * Stops every thread of the cell at its next check. The cell stays stopped after its execute request is answered
     * ({@link #cellEnded}): a thread it started that was not scheduled in the meantime would otherwise spin on.
     */
    static synchronized void stop(CellRun run) {
        stopped.put(run, System.nanoTime());
        anyStopped = true;
    }

    /** Forgets the stopped cells none of whose threads can still run, so checks are cheap again. */
    static synchronized void cellEnded() {
        long now = System.nanoTime();
        stopped.entrySet().removeIf(e -> e.getKey().threads().activeCount() == 0
                && now - e.getValue() > VIRTUAL_THREAD_GRACE_NANOS);
        anyStopped = !stopped.isEmpty();
    }

    /** Thrown inside the interrupted cell's threads; an Error so that {@code catch (Exception e)} does not swallow it. */
    public static final class CellInterrupted extends Error {
        public CellInterrupted() {
            super("cell interrupted", null, false, false);
        }
    }
}
