package serverlab.labs.metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Reads Linux {@code /proc} for a process and all of its descendants.
 *
 * <p>Why the whole tree and every thread: a prefork server's work happens in child
 * processes, and {@code /proc/<pid>/status} reports context switches of the main thread
 * only — a thread-pool server's switches happen in its pool threads. So memory, CPU and
 * fds are summed over processes, and context switches over {@code /proc/<pid>/task/*}.
 *
 * <pre>{@code
 * ProcessTreeSample s = ProcessTreeProbe.of(server.pid()).sample();
 * }</pre>
 *
 * <p>Processes that exit while being read are skipped: a sample is a best-effort snapshot.
 */
public final class ProcessTreeProbe {

    private static final Path PROC = Path.of("/proc");
    private static volatile long clockTicksPerSecond;

    private final long pid;
    /** Context switches of every thread seen at the last sample, by "pid/tid"; see {@link #contextSwitches}. */
    private Map<String, long[]> lastSeenSwitches = new HashMap<>();
    /** Context switches of threads that have ended since this probe started: their last seen counts. */
    private long departedVoluntary, departedInvoluntary;

    private ProcessTreeProbe(long pid) {
        this.pid = pid;
    }

    public static ProcessTreeProbe of(long pid) {
        if (!Files.isDirectory(PROC.resolve(Long.toString(pid)))) {
            throw new IllegalArgumentException("no such process: " + pid + " (or /proc is not available)");
        }
        return new ProcessTreeProbe(pid);
    }

    /** A probe of this JVM. */
    public static ProcessTreeProbe self() {
        return of(ProcessHandle.current().pid());
    }

    public long pid() {
        return pid;
    }

    /** The root and every live descendant, root first. */
    public List<Long> pids() {
        List<Long> pids = new ArrayList<>();
        pids.add(pid);
        ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(d -> pids.add(d.pid())));
        return pids;
    }

    /**
     * One sample. Context switches are counted per thread, and a thread that ends keeps counting with its last
     * sampled figures: the kernel forgets an ended thread's switches (unlike its CPU time), so without this a
     * server whose connection threads exit would report fewer switches at the end of a run than during it.
     * Sample often enough (every few hundred ms) to catch short-lived threads.
     */
    public synchronized ProcessTreeSample sample() {
        long rss = 0;
        long pss = 0;
        int threads = 0;
        long userTicks = 0;
        long systemTicks = 0;
        int fds = 0;
        List<Long> included = new ArrayList<>();
        Map<String, long[]> switchesNow = new HashMap<>();
        for (long p : pids()) {
            Path dir = PROC.resolve(Long.toString(p));
            try {
                long[] stat = readStat(dir);
                long[] memory = readMemory(dir);
                readContextSwitches(dir, p, switchesNow);
                int openFds = countEntries(dir.resolve("fd"));
                userTicks += stat[0];
                systemTicks += stat[1];
                threads += (int) stat[2];
                rss += memory[0];
                pss += memory[1];
                fds += openFds;
                included.add(p);
            } catch (IOException | UncheckedIOException exited) {
                // The process went away between listing and reading; leave it out.
            }
        }
        if (included.isEmpty()) {
            throw new IllegalStateException("process " + pid + " has exited");
        }
        long[] switches = contextSwitches(switchesNow);
        long voluntary = switches[0], involuntary = switches[1];
        long tick = clockTicksPerSecond();
        return new ProcessTreeSample(pid, Instant.now(), List.copyOf(included), rss, pss, threads,
                voluntary, involuntary, userTicks * 1000 / tick, systemTicks * 1000 / tick, fds);
    }

    /** {utime ticks, stime ticks, num_threads} from /proc/pid/stat. */
    static long[] readStat(Path dir) throws IOException {
        String[] f = statFields(dir);
        return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[17])};
    }

    /**
     * The fields of /proc/pid/stat from field 3 (state) on: field n is {@code f[n - 3]} (utime 14, stime 15, cutime 16,
     * cstime 17, num_threads 20). The command name (field 2) is in parentheses and may contain spaces: split after
     * the last ')'.
     */
    static String[] statFields(Path dir) throws IOException {
        String stat = Files.readString(dir.resolve("stat"), StandardCharsets.US_ASCII);
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    }

    /** {RSS bytes, PSS bytes} from smaps_rollup; falls back to VmRSS (as both) if unreadable. */
    static long[] readMemory(Path dir) throws IOException {
        try {
            long rss = 0;
            long pss = 0;
            for (String line : Files.readAllLines(dir.resolve("smaps_rollup"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("Rss:")) {
                    rss = kilobytes(line);
                } else if (line.startsWith("Pss:")) {
                    pss = kilobytes(line);
                }
            }
            return new long[] {rss * 1024, pss * 1024};
        } catch (java.nio.file.AccessDeniedException | java.nio.file.NoSuchFileException noRollup) {
            // Kernels before 4.14 lack smaps_rollup; other users' processes may deny it.
            long rss = statusValue(dir.resolve("status"), "VmRSS:");
            return new long[] {rss * 1024, rss * 1024};
        }
    }

    /** {voluntary, involuntary} of every thread now, plus those of threads that ended since the last sample. */
    private long[] contextSwitches(Map<String, long[]> now) {
        for (var seen : lastSeenSwitches.entrySet()) {
            if (!now.containsKey(seen.getKey())) {
                departedVoluntary += seen.getValue()[0];
                departedInvoluntary += seen.getValue()[1];
            }
        }
        lastSeenSwitches = now;
        long voluntary = departedVoluntary, involuntary = departedInvoluntary;
        for (long[] counts : now.values()) {
            voluntary += counts[0];
            involuntary += counts[1];
        }
        return new long[] {voluntary, involuntary};
    }

    /** Puts {voluntary, involuntary} context switches of every thread in /proc/pid/task into {@code into}, keyed "pid/tid". */
    static void readContextSwitches(Path dir, long pid, Map<String, long[]> into) throws IOException {
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(dir.resolve("task"))) {
            for (Path task : tasks) {
                long voluntary = 0;
                long involuntary = 0;
                try {
                    for (String line : Files.readAllLines(task.resolve("status"), StandardCharsets.US_ASCII)) {
                        if (line.startsWith("voluntary_ctxt_switches:")) {
                            voluntary = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                        } else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
                            involuntary = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                        }
                    }
                } catch (IOException threadExited) {
                    continue; // a thread ended while we listed them: its last sampled figures count as departed
                }
                into.put(pid + "/" + task.getFileName(), new long[] {voluntary, involuntary});
            }
        }
    }

    /**
     * CPU time (ms) the JIT compiler threads of a HotSpot JVM have used so far: its threads named
     * "C1 CompilerThread…" and "C2 CompilerThread…" ({@code comm} keeps 15 characters). 0 for a process
     * that is not a JVM, or that has exited. Compiler threads come and go (HotSpot starts more under a
     * backlog); an ended one's time is lost, so read it as a rate over short windows, not as a total.
     */
    public static long jitCompilerCpuMs(long pid) {
        long ticks = 0;
        for (Path thread : jitCompilerThreads(pid)) {
            try {
                long[] stat = readStat(thread);
                ticks += stat[0] + stat[1];
            } catch (IOException threadExited) {
                // ended since we listed it
            }
        }
        return ticks * 1000 / clockTicksPerSecond();
    }

    /** Whether the process is a JVM that compiles (a HotSpot JVM with its JIT on: not -Xint, not a native server). */
    public static boolean hasJitCompiler(long pid) {
        return !jitCompilerThreads(pid).isEmpty();
    }

    /** /proc/pid/task/tid of each JIT compiler thread; empty for a process that is not a JVM, or has exited. */
    private static List<Path> jitCompilerThreads(long pid) {
        List<Path> compilers = new ArrayList<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(PROC.resolve(Long.toString(pid)).resolve("task"))) {
            for (Path task : tasks) {
                try {
                    String name = Files.readString(task.resolve("comm"), StandardCharsets.US_ASCII);
                    if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
                        compilers.add(task);
                    }
                } catch (IOException threadExited) {
                    // ended while we listed the threads
                }
            }
        } catch (IOException | java.nio.file.DirectoryIteratorException processGone) {
            return List.of();
        }
        return compilers;
    }

    /** Context switches of the main thread only, as /proc/pid/status reports them (for comparison). */
    public static long mainThreadContextSwitches(long pid) {
        try {
            Path status = PROC.resolve(Long.toString(pid)).resolve("status");
            return statusValue(status, "voluntary_ctxt_switches:") + statusValue(status, "nonvoluntary_ctxt_switches:");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long statusValue(Path status, String key) throws IOException {
        for (String line : Files.readAllLines(status, StandardCharsets.US_ASCII)) {
            if (line.startsWith(key)) {
                return kilobytes(line);
            }
        }
        return 0;
    }

    /** The number in "Name:   1234 kB" (or without unit). */
    private static long kilobytes(String line) {
        String value = line.substring(line.indexOf(':') + 1).trim();
        int space = value.indexOf(' ');
        return Long.parseLong(space < 0 ? value : value.substring(0, space));
    }

    private static int countEntries(Path dir) throws IOException {
        int n = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path ignored : entries) {
                n++;
            }
        }
        return n;
    }

    /** CLK_TCK, the unit of utime/stime: asked of getconf once, 100 if that fails (the Linux value). */
    static long clockTicksPerSecond() {
        long ticks = clockTicksPerSecond;
        if (ticks > 0) {
            return ticks;
        }
        ticks = 100;
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) {
                ticks = Long.parseLong(out);
            }
        } catch (IOException | NumberFormatException e) {
            // keep 100
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        clockTicksPerSecond = ticks;
        return ticks;
    }
}
