package serverlab.servers;

import java.io.IOException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A server whose configuration can change while it serves, as nginx's {@code -s reload}: a new generation of
 * workers starts with the new options, then the old generation drains and exits, and no request is lost.
 * The address (bind address and port) and the control port stay what they were.
 */
public interface Reloadable {

    /** The options the current generation of workers runs with. */
    ServerOptions options();

    /** Starts workers with {@code newOptions}, then retires the old ones; on failure the old ones keep serving. */
    Reload reload(ServerOptions newOptions) throws IOException;

    /** Reloads done since start. */
    int reloads();

    /** One reload: its number (1, 2, …), the worker pids before and after, and how long it took. */
    record Reload(int reloads, List<Long> oldWorkerPids, List<Long> newWorkerPids, long millis) {

        public Reload {
            oldWorkerPids = List.copyOf(oldWorkerPids);
            newWorkerPids = List.copyOf(newWorkerPids);
        }

        public String toJson() {
            return "{\"reloads\":" + reloads + ",\"oldWorkerPids\":" + json(oldWorkerPids)
                    + ",\"newWorkerPids\":" + json(newWorkerPids) + ",\"millis\":" + millis + "}";
        }

        private static String json(List<Long> pids) {
            return pids.stream().map(String::valueOf).collect(Collectors.joining(",", "[", "]"));
        }
    }
}
