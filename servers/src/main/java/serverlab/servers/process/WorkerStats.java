package serverlab.servers.process;

import java.util.List;
import java.util.Map;

import serverlab.servers.ServerStats;

/**
 * What a child JVM reports to its parent when asked ({@link ChildMessage}): its pid, its counters, and the pids
 * of its own children (a hosted multi-process server has some; a worker has none).
 */
public record WorkerStats(long pid, ServerStats stats, List<Long> workerPids) {

    public WorkerStats {
        workerPids = List.copyOf(workerPids);
    }

    /** This process's counters, from the stats its {@link serverlab.servers.core.ServerContext} keeps. */
    public static WorkerStats of(ServerStats stats) {
        return new WorkerStats(ProcessHandle.current().pid(), stats, List.of());
    }

    public static WorkerStats none(long pid) {
        return new WorkerStats(pid, new ServerStats(0, 0, 0, 0, Map.of()), List.of());
    }
}
