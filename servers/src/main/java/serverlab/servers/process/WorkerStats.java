package serverlab.servers.process;

/**
 * Counters of one worker process, as it reports them to its parent over the stdout pipe
 * ({@code stats <pid> <accepted> <requests> <active> <errors>}).
 */
public record WorkerStats(long pid, long acceptedConnections, long requests, int activeConnections, long errors) {

    static final String PREFIX = "stats ";

    /** This process's counters, from the stats its {@link serverlab.servers.core.ServerContext} keeps. */
    public static WorkerStats of(serverlab.servers.ServerStats stats) {
        return new WorkerStats(ProcessHandle.current().pid(), stats.acceptedConnections(), stats.requests(),
                stats.activeConnections(), stats.errors());
    }

    public static WorkerStats none(long pid) {
        return new WorkerStats(pid, 0, 0, 0, 0);
    }

    String toLine() {
        return PREFIX + pid + " " + acceptedConnections + " " + requests + " " + activeConnections + " " + errors;
    }

    static WorkerStats parse(String line) {
        String[] f = line.substring(PREFIX.length()).trim().split(" ");
        if (f.length != 5) {
            throw new IllegalArgumentException("bad stats line: " + line);
        }
        return new WorkerStats(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]),
                Integer.parseInt(f[3]), Long.parseLong(f[4]));
    }
}
