package serverlab.labs.load;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;
import serverlab.labs.display.Rich;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * What a {@link SlowClients} run measured.
 *
 * @param target        e.g. http://127.0.0.1:8080
 * @param path          the request path
 * @param connections   slow connections
 * @param chunkBytes    bytes sent at a time
 * @param pause         pause after each chunk but the last
 * @param requestBytes  bytes in one request
 * @param dribbleTime   how long sending one request takes by design (the floor of every latency)
 * @param duration      how long the clients ran
 * @param latencyMicros first byte of the request sent → last byte of the response, µs
 * @param afterSentMicros last byte of the request sent → last byte of the response, µs: the server's own share
 * @param errors        error counts by kind, every kind present
 * @param unfinished    requests the end of the run cut short (not errors)
 */
public record SlowClientsResult(
        String target,
        String path,
        int connections,
        int chunkBytes,
        Duration pause,
        int requestBytes,
        Duration dribbleTime,
        Duration duration,
        Histogram latencyMicros,
        Histogram afterSentMicros,
        Map<ErrorKind, Long> errors,
        long unfinished) implements Rich {

    /** Completed requests (any status). */
    public long requests() {
        return latencyMicros.getTotalCount();
    }

    public double minMs() {
        return requests() == 0 ? 0 : latencyMicros.getMinValue() / 1000.0;
    }

    public double p50Ms() {
        return LoadResult.ms(latencyMicros, 50);
    }

    public double p99Ms() {
        return LoadResult.ms(latencyMicros, 99);
    }

    public double maxMs() {
        return requests() == 0 ? 0 : latencyMicros.getMaxValue() / 1000.0;
    }

    /** The median time from the request's last byte to the response's last byte. */
    public double afterSentP50Ms() {
        return LoadResult.ms(afterSentMicros, 50);
    }

    public double afterSentP99Ms() {
        return LoadResult.ms(afterSentMicros, 99);
    }

    public long totalErrors() {
        return errors.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * One row: {@code connections}, {@code chunk_bytes}, {@code pause_ms}, {@code request_bytes},
     * {@code dribble_ms}, {@code requests}, {@code min_ms}, {@code p50_ms}, {@code p99_ms}, {@code max_ms}
     * (first byte sent → response), {@code after_sent_p50_ms}, {@code after_sent_p99_ms} (last byte sent →
     * response), {@code errors}, {@code unfinished}.
     */
    public Table table() {
        return Table.create("slow clients, " + path,
                IntColumn.create("connections", new int[] {connections}),
                IntColumn.create("chunk_bytes", new int[] {chunkBytes}),
                LongColumn.create("pause_ms", new long[] {pause.toMillis()}),
                IntColumn.create("request_bytes", new int[] {requestBytes}),
                LongColumn.create("dribble_ms", new long[] {dribbleTime.toMillis()}),
                LongColumn.create("requests", new long[] {requests()}),
                DoubleColumn.create("min_ms", minMs()),
                DoubleColumn.create("p50_ms", p50Ms()),
                DoubleColumn.create("p99_ms", p99Ms()),
                DoubleColumn.create("max_ms", maxMs()),
                DoubleColumn.create("after_sent_p50_ms", afterSentP50Ms()),
                DoubleColumn.create("after_sent_p99_ms", afterSentP99Ms()),
                LongColumn.create("errors", new long[] {totalErrors()}),
                LongColumn.create("unfinished", new long[] {unfinished}));
    }

    public String summary() {
        StringBuilder errorText = new StringBuilder();
        errors.forEach((kind, n) -> {
            if (n > 0) errorText.append(errorText.isEmpty() ? "" : ", ").append(kind.label()).append(' ').append(n);
        });
        return String.format(Locale.ROOT,
                "%d slow clients, %d bytes every %d ms (%d-byte request: %d ms to send), %.1f s against %s%s%n"
                        + "  %,d requests; first byte sent → response ms: min %.1f  p50 %.1f  p99 %.1f  max %.1f;"
                        + " last byte sent → response ms: p50 %.2f  p99 %.2f%n  errors: %s; unfinished %d",
                connections, chunkBytes, pause.toMillis(), requestBytes, dribbleTime.toMillis(),
                duration.toMillis() / 1000.0, target, path, requests(), minMs(), p50Ms(), p99Ms(), maxMs(),
                afterSentP50Ms(), afterSentP99Ms(), errorText.isEmpty() ? "none" : errorText, unfinished);
    }

    @Override
    public Map<String, String> mimeBundle() {
        return Map.of("text/plain", summary(), "text/html", "<pre>" + summary() + "</pre>");
    }

    @Override
    public String toString() {
        return summary();
    }
}
