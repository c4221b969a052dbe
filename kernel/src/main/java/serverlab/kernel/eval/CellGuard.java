package serverlab.kernel.eval;

import serverlab.kernel.CellRun;

/**
 * Runtime support for instrumented cell code. {@link StopCheckInstrumenter} inserts a
 * call to {@link #check()} at every method entry and before every backward branch of
 * snippet classes, and routes {@code System.exit}/{@code Runtime.exit}/{@code halt}
 * calls to {@link #exit(int)}. Public because snippet classes call it from another
 * class loader.
 */
public final class CellGuard {
    /** The cell being interrupted; null almost always, so the check is one volatile read. */
    private static volatile CellRun stopping;

    private CellGuard() {}

    public static void check() {
        CellRun target = stopping;
        if (target != null && CellRun.current() == target) {
            throw new CellInterrupted();
        }
    }

    public static void exit(int status) {
        throw new SecurityException("System.exit(" + status + ") is refused in a notebook cell: it would kill the kernel "
                + "and every variable in it. To start over, use Kernel > Restart Kernel.");
    }

    public static void exit(Runtime runtime, int status) {
        exit(status);
    }

    static void stop(CellRun run) {
        stopping = run;
    }

    static void clear(CellRun run) {
        if (stopping == run) stopping = null;
    }

    /** Thrown inside the interrupted cell's threads; an Error so that {@code catch (Exception e)} does not swallow it. */
    public static final class CellInterrupted extends Error {
        public CellInterrupted() {
            super("cell interrupted", null, false, false);
        }
    }
}
