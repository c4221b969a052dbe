package serverlab.labs.load;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;
import serverlab.labs.display.Rich;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.Row;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * What one load run measured.
 *
 * @param mode          "closed" or "open"
 * @param target        e.g. http://127.0.0.1:8080
 * @param connections   TCP connections used
 * @param duration      measured duration (warm-up excluded)
 * @param offeredRate   requests/s the generator tried to send: the configured rate for an open
 *                      loop; for a closed loop the load is whatever the server lets through, so it
 *                      equals the achieved rate
 * @param achievedRate  completed requests/s during the measurement
 * @param requests      completed requests (any status) that were sent during the measurement
 * @param p50Ms …       latency percentiles and maximum, milliseconds; open loop measures from the
 *                      intended send time, closed loop from the actual send
 * @param errors        error counts by {@link ErrorKind#label()}, every kind present
 * @param unfinished    requests of the measurement window with neither a response nor an error when
 *                      the run ended: still outstanding, or (open loop) due but never sent because no
 *                      connection was free. Not counted in {@code errors}; see {@link #unanswered()}
 * @param requestsPerPath completed requests per handler path
 * @param timeSeries    one row per bucket of the measurement window; the table's name gives the bucket
 *                      width (e.g. "load per 100 ms", see {@link LoadTest#bucket}). A request belongs
 *                      to the bucket it was sent in (open loop: intended send time), however late its
 *                      response, so there is no extra row for responses that arrive after the window.
 *                      Columns: {@code time_s} (start of the bucket, s since the window began);
 *                      {@code length_s} (the bucket width, except a shorter last row when the window
 *                      is not a whole number of buckets); {@code requests} (completed in the bucket,
 *                      count); {@code rps} (requests ÷ length_s, requests/s: use this, not
 *                      {@code requests}, as a rate, it is right for any width and a partial last
 *                      bucket); {@code p50}, {@code p99} (ms); {@code errors}; {@code unanswered}
 *                      (requests sent in that bucket still unanswered at the end)
 * @param latencyMicros the full latency histogram, microseconds
 * @param warmUp        how the run warmed up: how long, and whether throughput was steady
 * @param latencyPerPath one latency histogram per request path, microseconds (see {@link #perPath()})
 * @param resent        requests sent again after the server closed a used keep-alive connection before answering
 *                      them ({@link LoadTest#resendOnKeepAliveClose()}); 0 unless that was asked for
 */
public record LoadResult(
        String mode,
        String target,
        int connections,
        Duration duration,
        double offeredRate,
        double achievedRate,
        long requests,
        double p50Ms,
        double p90Ms,
        double p99Ms,
        double p999Ms,
        double maxMs,
        double meanMs,
        Map<String, Long> errors,
        long unfinished,
        Map<String, Long> requestsPerPath,
        Table timeSeries,
        Histogram latencyMicros,
        WarmUp warmUp,
        Map<String, Histogram> latencyPerPath,
        long resent) implements Rich {

    /**
     * Latency percentiles per request path, one row per path of the mix: {@code path},
     * {@code count} (completed requests), {@code p50_ms}, {@code p90_ms}, {@code p99_ms},
     * {@code p999_ms}, {@code max_ms} (ms). A mix of a fast and a slow path has one whole-run
     * histogram dominated by whichever is more frequent; this keeps them apart.
     */
    public Table perPath() {
        StringColumn path = StringColumn.create("path");
        LongColumn count = LongColumn.create("count");
        DoubleColumn p50 = DoubleColumn.create("p50_ms");
        DoubleColumn p90 = DoubleColumn.create("p90_ms");
        DoubleColumn p99 = DoubleColumn.create("p99_ms");
        DoubleColumn p999 = DoubleColumn.create("p999_ms");
        DoubleColumn max = DoubleColumn.create("max_ms");
        latencyPerPath.forEach((name, h) -> {
            path.append(name);
            count.append(h.getTotalCount());
            p50.append(ms(h, 50));
            p90.append(ms(h, 90));
            p99.append(ms(h, 99));
            p999.append(ms(h, 99.9));
            max.append(h.getTotalCount() == 0 ? 0 : h.getMaxValue() / 1000.0);
        });
        return Table.create("latency per path", path, count, p50, p90, p99, p999, max);
    }

    /** The percentile in ms of a histogram in microseconds; 0 if it is empty. */
    static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
    }

    /**
     * Requests that got no answer at all by the end of the run, neither a response nor an error
     * (the same figure as {@link #unfinished()}). A server that accepts connections but never serves
     * them shows 0 errors and a large number here unless the run outlasts the timeout.
     */
    public long unanswered() {
        return unfinished;
    }

    /** Errors of every kind added up (not including {@link #unanswered()}). */
    public long totalErrors() {
        return errors.values().stream().mapToLong(Long::longValue).sum();
    }

    public long errors(ErrorKind kind) {
        return errors.getOrDefault(kind.label(), 0L);
    }

    /** The headline numbers as a flat map (column name → value), for experiment tables. */
    public Map<String, Object> summaryRow() {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("mode", mode);
        row.put("connections", connections);
        row.put("offered_rps", offeredRate);
        row.put("rps", achievedRate);
        row.put("requests", requests);
        row.put("p50_ms", p50Ms);
        row.put("p90_ms", p90Ms);
        row.put("p99_ms", p99Ms);
        row.put("p999_ms", p999Ms);
        row.put("max_ms", maxMs);
        row.put("errors", totalErrors());
        row.put("unanswered", unanswered());
        return row;
    }

    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%s loop, %d connections, %.1f s against %s%n",
                mode, connections, duration.toMillis() / 1000.0, target));
        if (mode.equals("open")) {
            sb.append(String.format(Locale.ROOT, "  offered %,.0f req/s, achieved %,.0f req/s (%,d requests)%n",
                    offeredRate, achievedRate, requests));
        } else {
            sb.append(String.format(Locale.ROOT, "  %,.0f req/s (%,d requests)%n", achievedRate, requests));
        }
        sb.append(String.format(Locale.ROOT, "  latency ms: p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f%n",
                p50Ms, p90Ms, p99Ms, p999Ms, maxMs));
        if (latencyPerPath.size() > 1) {
            for (Row row : perPath()) {
                sb.append(String.format(Locale.ROOT, "    %s: %,d requests, p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f%n",
                        row.getString("path"), row.getLong("count"), row.getDouble("p50_ms"), row.getDouble("p90_ms"),
                        row.getDouble("p99_ms"), row.getDouble("p999_ms"), row.getDouble("max_ms")));
            }
        }
        sb.append("  errors: ").append(totalErrors() == 0 ? "none" : nonZeroErrors());
        sb.append(String.format(Locale.ROOT, "; unanswered %d", unfinished));
        if (resent > 0) {
            sb.append(String.format(Locale.ROOT, "; resent after a keep-alive close %d", resent));
        }
        if (unfinished > 0) {
            sb.append(" (requests with no response or error when the run ended: the latency figures leave them out)");
        }
        sb.append(System.lineSeparator()).append("  ").append(warmUp.describe());
        return sb.toString();
    }

    private String nonZeroErrors() {
        StringBuilder sb = new StringBuilder();
        errors.forEach((kind, n) -> {
            if (n > 0) {
                sb.append(sb.isEmpty() ? "" : ", ").append(kind).append(' ').append(n);
            }
        });
        return sb.toString();
    }

    @Override
    public Map<String, String> mimeBundle() {
        String html = String.format(Locale.ROOT,
                "<table><caption>%s loop, %d connections, %.1f s, %s</caption>"
                        + "<tr><th>offered req/s</th><th>achieved req/s</th><th>requests</th>"
                        + "<th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>p99.9 ms</th><th>max ms</th><th>errors</th>"
                        + "<th>unanswered</th></tr>"
                        + "<tr><td>%,.0f</td><td>%,.0f</td><td>%,d</td><td>%.2f</td><td>%.2f</td><td>%.2f</td>"
                        + "<td>%.2f</td><td>%.2f</td><td>%s</td><td%s>%d</td></tr></table><p%s>%s</p>",
                mode, connections, duration.toMillis() / 1000.0, target, offeredRate, achievedRate, requests,
                p50Ms, p90Ms, p99Ms, p999Ms, maxMs, totalErrors() == 0 ? "0" : nonZeroErrors(),
                unfinished > 0 ? " style='color:#c62828;font-weight:bold'" : "", unfinished,
                warmUp.untilSteady() && !warmUp.steady() ? " style='color:#c62828'" : "", warmUp.describe());
        return Map.of("text/html", html, "text/plain", summary());
    }

    @Override
    public String toString() {
        return summary();
    }
}
