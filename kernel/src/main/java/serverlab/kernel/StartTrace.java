package serverlab.kernel;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * SERVERLAB_TRACE=1: where the time to the first cell goes, logged once when the first cell is answered
 * (milliseconds since the JVM started, and the CPU time of the thread that reached each phase).
 */
public final class StartTrace {
    private static final boolean ON = "1".equals(System.getenv("SERVERLAB_TRACE"));
    private static final ConcurrentLinkedQueue<String> PHASES = new ConcurrentLinkedQueue<>();
    private static volatile boolean reported;

    private StartTrace() {}

    public static void mark(String phase) {
        if (!ON || reported) return;
        // The JVM's uptime: a process's start time from /proc is only as exact as the boot time, a whole second.
        long sinceStart = ManagementFactory.getRuntimeMXBean().getUptime();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        PHASES.add(String.format("%6d ms  %-14s cpu %5d ms  %s", sinceStart, Thread.currentThread().getName(),
                threads.getCurrentThreadCpuTime() / 1_000_000, phase));
    }

    /** Logs the phases once; later calls do nothing. */
    public static void report() {
        if (!ON || reported) return;
        reported = true;
        System.getLogger("serverlab.kernel").log(System.Logger.Level.WARNING, "start-up:\n  " + String.join("\n  ", PHASES));
    }
}
