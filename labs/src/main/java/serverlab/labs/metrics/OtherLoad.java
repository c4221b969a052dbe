package serverlab.labs.metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * How many cores programs outside this JVM's process tree kept busy while an experiment ran: other notebooks, a
 * browser, a build, classmates on a shared JupyterHub. The machine's busy time ({@code /proc/stat}) minus this
 * tree's own CPU time ({@code /proc/<pid>/stat} of this JVM and every descendant: the servers it hosts, their
 * workers, sandboxes, and children already reaped). An experiment that needs free cores reads it to tell "the
 * architecture cannot" from "the cores were taken".
 *
 * <pre>{@code
 * OtherLoad others = OtherLoad.start();
 * ... run the experiment ...
 * double busy = others.cores();   // e.g. 0.03 on a quiet machine, 1.0 beside a spinning process
 * }</pre>
 */
public final class OtherLoad {

    private static final Path PROC = Path.of("/proc");

    private final long pid;
    private final long startNanos;
    private final long machineBusyTicksAtStart;
    private final long ownTicksAtStart;

    private OtherLoad(long pid) {
        this.pid = pid;
        this.startNanos = System.nanoTime();
        this.machineBusyTicksAtStart = machineBusyTicks();
        this.ownTicksAtStart = ownTicks();
    }

    /** Starts counting, for this JVM's process tree. */
    public static OtherLoad start() {
        return new OtherLoad(ProcessHandle.current().pid());
    }

    /** Starts counting for the tree of {@code pid} (a test's stand-in for "this JVM"). */
    static OtherLoad startFor(long pid) {
        return new OtherLoad(pid);
    }

    /**
     * Cores that programs outside this JVM's tree keep busy now: watched for {@code period} while this tree
     * idles. For a baseline before an experiment whose processes are not this JVM's descendants (podman's
     * containers are the children of conmon, not of the JVM that asked for them).
     */
    public static double over(java.time.Duration period) throws InterruptedException {
        OtherLoad others = start();
        Thread.sleep(period);
        return others.cores();
    }

    /** Cores the others kept busy on average since {@link #start()}: 0 on a quiet machine, never below 0. */
    public double cores() {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        if (seconds <= 0) {
            return 0;
        }
        long others = (machineBusyTicks() - machineBusyTicksAtStart) - (ownTicks() - ownTicksAtStart);
        return Math.max(0, others / (double) ProcessTreeProbe.clockTicksPerSecond() / seconds);
    }

    /** One line for a notebook, e.g. "other programs kept 0.9 cores busy". */
    public String describe() {
        return String.format(Locale.ROOT, "other programs kept %.1f cores busy", cores());
    }

    /** Busy ticks of all CPUs: the first line of /proc/stat without idle and iowait (guest time is inside user). */
    private long machineBusyTicks() {
        try {
            String cpu = Files.readAllLines(PROC.resolve("stat"), StandardCharsets.US_ASCII).get(0);
            String[] f = cpu.trim().split("\\s+"); // cpu user nice system idle iowait irq softirq steal [guest guest_nice]
            long busy = 0;
            for (int i = 1; i <= Math.min(8, f.length - 1); i++) {
                if (i != 4 && i != 5) {
                    busy += Long.parseLong(f[i]);
                }
            }
            return busy;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/stat", e);
        }
    }

    /**
     * CPU ticks of the tree: utime + stime + cutime + cstime of every live process in it. A child that ended was
     * reaped into its parent's cutime/cstime, so its time stays counted after it leaves the list.
     */
    private long ownTicks() {
        return ProcessTreeProbe.of(pid).pids().stream().mapToLong(this::processTicks).sum();
    }

    private long processTicks(long processId) {
        try {
            String[] f = ProcessTreeProbe.statFields(PROC.resolve(Long.toString(processId)));
            return Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
        } catch (IOException exited) {
            return 0; // ended between listing and reading: its time moves to its parent's cutime
        }
    }
}
