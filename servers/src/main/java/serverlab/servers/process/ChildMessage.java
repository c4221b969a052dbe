package serverlab.servers.process;

import java.time.Duration;
import java.util.List;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;

import serverlab.servers.ServerStats;

/**
 * The one protocol between a parent and a child JVM it started (worker processes, hosted servers): one JSON
 * object per line over the child's stdin and stdout.
 *
 * <pre>
 * child → parent  {"type":"ready","pid":4711,"port":8080}                         once it listens
 * parent → child  {"type":"stats"}
 * child → parent  {"type":"stats","pid":4711,"stats":{…},"workerPids":[…]}       the answer
 * parent → child  {"type":"stop","drainMillis":2000}                              graceful stop, then exit
 * EOF on stdin    the parent died: the child halts ({@link ParentWatchdog})
 * </pre>
 *
 * Fields a message type does not use are absent from its JSON.
 */
record ChildMessage(String type, Long pid, Integer port, Long drainMillis, ServerStats stats, List<Long> workerPids) {

    static final String READY = "ready", STATS = "stats", STOP = "stop";

    private static final Gson GSON = new Gson();

    static ChildMessage ready(int port) {
        return new ChildMessage(READY, ProcessHandle.current().pid(), port, null, null, null);
    }

    static ChildMessage statsRequest() {
        return new ChildMessage(STATS, null, null, null, null, null);
    }

    static ChildMessage stats(WorkerStats stats) {
        return new ChildMessage(STATS, stats.pid(), null, null, stats.stats(), stats.workerPids());
    }

    static ChildMessage stop(Duration drain) {
        return new ChildMessage(STOP, null, null, drain.toMillis(), null, null);
    }

    WorkerStats workerStats() {
        return new WorkerStats(pid, stats, workerPids == null ? List.of() : workerPids);
    }

    String toJson() {
        return GSON.toJson(this);
    }

    /** The message on {@code line}; a line that is not one (a stray print) is an {@link IllegalArgumentException}. */
    static ChildMessage parse(String line) {
        try {
            ChildMessage message = GSON.fromJson(line, ChildMessage.class);
            if (message == null || message.type() == null) throw new IllegalArgumentException("not a message: " + line);
            return message;
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("not a message: " + line, e);
        }
    }
}
