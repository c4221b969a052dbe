package serverlab.servers;

import java.util.Map;

/**
 * Counters of a server since it started.
 *
 * @param acceptedConnections connections accepted (including ones refused with 503 because of limits)
 * @param requests            requests answered, any status
 * @param activeConnections   connections open right now
 * @param errors              4xx/5xx answers caused by the client or the server, and I/O failures
 * @param requestsPerWorker   requests answered per worker (thread, event loop or process name)
 * @param loopEvents          what each event loop did, keyed {@code "<loop>.<event>"}: {@code wakeups},
 *                            {@code readyKeys}, {@code accept}, {@code read}, {@code partialRead},
 *                            {@code writeCompleted}, {@code completion}, {@code timer}
 *                            (see {@link serverlab.servers.core.LoopCounters.Count}); empty for servers without loops
 */
public record ServerStats(long acceptedConnections, long requests, int activeConnections, long errors,
                          Map<String, Long> requestsPerWorker, Map<String, Long> loopEvents) {

    public ServerStats {
        requestsPerWorker = Map.copyOf(requestsPerWorker);
        loopEvents = Map.copyOf(loopEvents);
    }

    /** Stats of a server without event loops. */
    public ServerStats(long acceptedConnections, long requests, int activeConnections, long errors,
                       Map<String, Long> requestsPerWorker) {
        this(acceptedConnections, requests, activeConnections, errors, requestsPerWorker, Map.of());
    }

    /** The stats as a small JSON object (what {@code /stats} and the control port return). */
    public String toJson() {
        StringBuilder json = new StringBuilder(128)
                .append("{\"acceptedConnections\":").append(acceptedConnections)
                .append(",\"requests\":").append(requests)
                .append(",\"activeConnections\":").append(activeConnections)
                .append(",\"errors\":").append(errors)
                .append(",\"requestsPerWorker\":");
        appendObject(json, requestsPerWorker);
        json.append(",\"loopEvents\":");
        appendObject(json, loopEvents);
        return json.append('}').toString();
    }

    private static void appendObject(StringBuilder json, Map<String, Long> counts) {
        json.append('{');
        String separator = "";
        for (var entry : new java.util.TreeMap<>(counts).entrySet()) {
            json.append(separator).append('"').append(escape(entry.getKey())).append("\":").append(entry.getValue());
            separator = ",";
        }
        json.append('}');
    }

    private static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') out.append('\\').append(c);
            else if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
            else out.append(c);
        }
        return out.toString();
    }
}
