package serverlab.labs.isolation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import serverlab.labs.display.ProgressBar;
import serverlab.labs.metrics.ProcessTreeProbe;
import serverlab.labs.threads.ParkedThreads;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The isolation cost ladder: what it costs to start each kind of isolated unit of execution, and the memory one holds
 * while idle. Each rung more isolated than the last: a virtual thread (the JVM's), a platform thread (the kernel's, sharing
 * the process's memory), a process (memory of its own), a JVM (a process virtual machine); other rungs (a namespaced
 * sandbox, an emulated program, a whole VM) plug in with {@link Rung#of}.
 *
 * <pre>{@code
 * Table ladder = IsolationLadder.measure(List.of(Rung.virtualThread(), Rung.platformThread(), Rung.process(), Rung.jvm()), 5);
 * // rung, start_ms (median), idle_memory_mib (median), memory_measured_as
 * }</pre>
 *
 * <p><b>Start</b> is from asking for the unit to running its own code: a thread's first instruction, a process's
 * successful exec, a JVM's main printing that it is ready. <b>Idle memory</b> is resident memory (RSS); for threads, which
 * live inside a process, it is the growth of a JVM's RSS with N parked threads, ÷ N.
 */
public final class IsolationLadder {

    private IsolationLadder() {
    }

    /**
     * One started unit: how long it took to run, the memory it holds while idle, how that was measured, and how to stop it.
     *
     * @param memoryMeasuredAs e.g. "RSS of an idle cat"
     */
    public record Started(Duration startTime, long idleMemoryBytes, String memoryMeasuredAs, AutoCloseable stop)
            implements AutoCloseable {

        /** Stops the unit (an exception on the way is rethrown unchecked). */
        @Override
        public void close() {
            try {
                stop.close();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("could not stop it: " + e.getMessage(), e);
            }
        }
    }

    /** A rung: its name, and how to start one unit of it (measured, then stopped, once per repetition). */
    public record Rung(String name, Callable<Started> start) {

        public static Rung of(String name, Callable<Started> start) {
            return new Rung(name, start);
        }

        /** A virtual thread: mounted on a carrier thread of the JVM's scheduler; its stack lives on the heap. */
        public static Rung virtualThread() {
            return threads("virtual thread", Thread.ofVirtual(), ParkedThreads.Kind.VIRTUAL);
        }

        /** A platform thread: one kernel thread, sharing its process's memory. */
        public static Rung platformThread() {
            return threads("platform thread", Thread.ofPlatform(), ParkedThreads.Kind.PLATFORM);
        }

        /** A process: fork/exec of {@code cat}, which then waits on its standard input, idle. */
        public static Rung process() {
            return new Rung("process", () -> {
                long t0 = System.nanoTime();
                Process cat = new ProcessBuilder("cat").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                Duration start = Duration.ofNanos(System.nanoTime() - t0); // start() returns once the exec succeeded
                AutoCloseable stop = () -> {
                    cat.getOutputStream().close(); // cat ends at end of input
                    if (!cat.waitFor(5, TimeUnit.SECONDS)) {
                        cat.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                    }
                };
                try {
                    awaitSleeping(cat.pid());
                    return new Started(start, ProcessTreeProbe.of(cat.pid()).sample().rssBytes(), "RSS of an idle cat", stop);
                } catch (RuntimeException | InterruptedException e) {
                    stop.close();
                    throw e;
                }
            });
        }

        /**
         * A command that prints {@code ready} once its own code runs, then idles until its standard input ends (e.g. an
         * emulated program, or a process in new namespaces). Start: until the {@code ready} line; memory: the RSS of
         * its process tree while idle.
         */
        public static Rung ofCommand(String name, List<String> command, String memoryMeasuredAs) {
            return new Rung(name, () -> {
                long t0 = System.nanoTime();
                Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
                AutoCloseable stop = () -> {
                    process.getOutputStream().close();
                    if (!process.waitFor(5, TimeUnit.SECONDS)) {
                        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                    }
                };
                try {
                    String first = process.inputReader(StandardCharsets.US_ASCII).readLine();
                    Duration start = Duration.ofNanos(System.nanoTime() - t0);
                    if (!"ready".equals(first)) {
                        throw new IllegalStateException(name + ": " + String.join(" ", command) + " printed " + first + " instead of ready");
                    }
                    return new Started(start, ProcessTreeProbe.of(process.pid()).sample().rssBytes(), memoryMeasuredAs, stop);
                } catch (IOException | RuntimeException e) {
                    stop.close();
                    throw e;
                }
            });
        }

        /**
         * A process in new PID, mount, UTS and network namespaces, as a container's first process is ({@code unshare};
         * in a user namespace of its own when not root, where the kernel allows that).
         */
        public static Rung namespacedProcess() {
            List<String> command = new ArrayList<>(List.of("unshare", "--pid", "--fork", "--mount-proc", "--uts", "--net"));
            if (!"root".equals(System.getProperty("user.name"))) command.addAll(1, List.of("--user", "--map-root-user"));
            command.addAll(List.of("sh", "-c", "echo ready; exec cat"));
            return ofCommand("process in new namespaces", command, "RSS of unshare and an idle cat in the namespaces");
        }

        /** A JVM: a child JVM whose main has started, collected its garbage, and waits on its standard input. */
        public static Rung jvm() {
            return new Rung("JVM", () -> {
                long t0 = System.nanoTime();
                ParkedThreads idle = ParkedThreads.start(ParkedThreads.Kind.PLATFORM, 0);
                Duration start = Duration.ofNanos(System.nanoTime() - t0);
                try {
                    return new Started(start, idle.sample().rssBytes(), "RSS of a JVM idling in main", idle);
                } catch (RuntimeException e) {
                    idle.close();
                    throw e;
                }
            });
        }

        /**
         * A thread rung. Start: the median of {@value #THREAD_STARTS} starts in this JVM, each from {@code start()} to the
         * thread's first instruction. Memory: measured once per rung in child JVMs, as {@link ParkedThreads} parks them.
         */
        private static Rung threads(String name, Thread.Builder builder, ParkedThreads.Kind kind) {
            long[] perThread = {-1};
            return new Rung(name, () -> {
                if (perThread[0] < 0) {
                    perThread[0] = perThreadBytes(kind, PARKED_THREADS);
                }
                return new Started(medianStart(builder), perThread[0], String.format(Locale.ROOT,
                        "RSS growth of a JVM with %,d parked threads, ÷ %,d", PARKED_THREADS, PARKED_THREADS), () -> { });
            });
        }

        private static final int THREAD_STARTS = 100;
        /** Enough that their memory stands out of a JVM's (±1 MiB from run to run); 10,000 platform threads take seconds. */
        private static final int PARKED_THREADS = 2_000;

        private static Duration medianStart(Thread.Builder builder) throws InterruptedException {
            long[] nanos = new long[THREAD_STARTS];
            for (int i = 0; i < nanos.length; i++) {
                long[] running = new long[1];
                long t0 = System.nanoTime();
                Thread t = builder.start(() -> running[0] = System.nanoTime());
                t.join(); // join makes the write to running[0] visible here
                nanos[i] = running[0] - t0;
            }
            return Duration.ofNanos(median(nanos));
        }

        /** (RSS with {@code count} parked threads − RSS with none) ÷ count. */
        private static long perThreadBytes(ParkedThreads.Kind kind, int count) {
            long none;
            try (ParkedThreads empty = ParkedThreads.start(kind, 0)) {
                none = empty.sample().rssBytes();
            }
            try (ParkedThreads parked = ParkedThreads.start(kind, count)) {
                return Math.max(0, parked.sample().rssBytes() - none) / count;
            }
        }

        /** Waits (at most 2 s) until {@code pid} sleeps: it has loaded, and blocks reading its input. */
        private static void awaitSleeping(long pid) throws InterruptedException {
            Path stat = Path.of("/proc", Long.toString(pid), "stat");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (System.nanoTime() < deadline) {
                try {
                    String s = Files.readString(stat, StandardCharsets.US_ASCII);
                    if (s.charAt(s.lastIndexOf(')') + 2) == 'S') { // the state follows the command name in parentheses
                        return;
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("process " + pid + " ended before it was idle", e);
                }
                Thread.sleep(1);
            }
        }
    }

    /** The four rungs this class provides: virtual thread, platform thread, process, JVM. */
    public static List<Rung> standard() {
        return List.of(Rung.virtualThread(), Rung.platformThread(), Rung.process(), Rung.jvm());
    }

    /**
     * Starts each rung {@code repetitions} times, one unit at a time (started, measured, stopped).
     *
     * @return one row per rung: {@code rung}, {@code start_ms} (median), {@code idle_memory_mib} (median),
     *         {@code memory_measured_as}
     */
    public static Table measure(List<Rung> rungs, int repetitions) {
        if (repetitions < 1) throw new IllegalArgumentException("repetitions must be at least 1: " + repetitions);
        Table table = Table.create("the isolation cost ladder", StringColumn.create("rung"), DoubleColumn.create("start_ms"),
                DoubleColumn.create("idle_memory_mib"), StringColumn.create("memory_measured_as"));
        try (ProgressBar bar = ProgressBar.start("isolation ladder", (long) rungs.size() * repetitions)) {
            for (Rung rung : rungs) {
                long[] startNanos = new long[repetitions];
                long[] memory = new long[repetitions];
                String how = "";
                for (int i = 0; i < repetitions; i++) {
                    try (Started started = rung.start().call()) {
                        startNanos[i] = started.startTime().toNanos();
                        memory[i] = started.idleMemoryBytes();
                        how = started.memoryMeasuredAs();
                    } catch (Exception e) {
                        throw new IllegalStateException("rung '" + rung.name() + "' failed: " + e.getMessage(), e);
                    }
                    bar.advance();
                }
                table.stringColumn("rung").append(rung.name());
                table.doubleColumn("start_ms").append(median(startNanos) / 1e6);
                table.doubleColumn("idle_memory_mib").append(median(memory) / 1024.0 / 1024.0);
                table.stringColumn("memory_measured_as").append(how);
            }
        }
        return table;
    }

    /** The median (the lower middle value of an even count). */
    static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[(sorted.length - 1) / 2];
    }
}
