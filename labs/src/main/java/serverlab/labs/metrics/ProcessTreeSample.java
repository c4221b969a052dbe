package serverlab.labs.metrics;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * One reading of a process and all its descendants, summed.
 *
 * @param rootPid                 the process the tree was taken from
 * @param time                    when the sample was taken
 * @param pids                    the processes included (root first)
 * @param rssBytes                resident set size summed: counts shared pages once per process
 * @param pssBytes                proportional set size summed: shared pages split between sharers,
 *                                the fair figure for multi-process servers
 * @param threads                 threads (kernel tasks) in all processes
 * @param voluntaryCtxSwitches    switches where a thread blocked (I/O, locks, sleep), summed over every thread
 * @param involuntaryCtxSwitches  switches where the scheduler preempted a runnable thread, summed over every thread
 * @param cpuUserMs               CPU time in user mode
 * @param cpuSystemMs             CPU time in the kernel on the processes' behalf
 * @param openFds                 open file descriptors (sockets included)
 */
public record ProcessTreeSample(
        long rootPid,
        Instant time,
        List<Long> pids,
        long rssBytes,
        long pssBytes,
        int threads,
        long voluntaryCtxSwitches,
        long involuntaryCtxSwitches,
        long cpuUserMs,
        long cpuSystemMs,
        int openFds) {

    private static final double MIB = 1024.0 * 1024.0;

    public int processes() {
        return pids.size();
    }

    public double rssMb() {
        return rssBytes / MIB;
    }

    public double pssMb() {
        return pssBytes / MIB;
    }

    public long contextSwitches() {
        return voluntaryCtxSwitches + involuntaryCtxSwitches;
    }

    public long cpuMs() {
        return cpuUserMs + cpuSystemMs;
    }

    /** Counter differences {@code this − earlier} (memory, threads and fds are this sample's levels). */
    public ProcessTreeSample minus(ProcessTreeSample earlier) {
        return new ProcessTreeSample(rootPid, time, pids, rssBytes, pssBytes, threads,
                voluntaryCtxSwitches - earlier.voluntaryCtxSwitches,
                involuntaryCtxSwitches - earlier.involuntaryCtxSwitches,
                cpuUserMs - earlier.cpuUserMs, cpuSystemMs - earlier.cpuSystemMs, openFds);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT,
                "pid %d: %d process(es), RSS %.1f MB, PSS %.1f MB, %d threads, ctx switches %d voluntary + %d involuntary, "
                        + "CPU %d ms user + %d ms sys, %d fds",
                rootPid, processes(), rssMb(), pssMb(), threads, voluntaryCtxSwitches, involuntaryCtxSwitches,
                cpuUserMs, cpuSystemMs, openFds);
    }
}
