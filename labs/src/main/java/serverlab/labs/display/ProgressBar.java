package serverlab.labs.display;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A progress bar shown through the current {@link DisplaySink}: an HTML bar in the
 * notebook, a text line on the console.
 *
 * <pre>{@code
 * try (var bar = ProgressBar.start("sweep", runs.size())) {
 *     for (var run : runs) { run.execute(); bar.advance(); }
 * }
 * }</pre>
 *
 * <p>Thread-safe: several threads may {@link #advance()} the same bar. Redraws are
 * throttled to about five per second so a tight loop does not flood the notebook.
 */
public final class ProgressBar implements Rich, AutoCloseable {

    private static final long MIN_REDRAW_INTERVAL_NANOS = 200_000_000L; // at most ~5 redraws/s

    private final String label;
    private final long total;
    private final long startNanos;
    private final DisplaySink sink;
    private final String displayId;
    private final AtomicLong done = new AtomicLong();
    private final AtomicLong lastRedrawNanos;
    private volatile long finishedNanos = -1;

    private ProgressBar(String label, long total, DisplaySink sink) {
        this.label = label;
        this.total = Math.max(0, total);
        this.sink = sink;
        this.startNanos = System.nanoTime();
        this.lastRedrawNanos = new AtomicLong(startNanos);
        this.displayId = sink.display(this);
    }

    /** Shows a new bar for {@code total} units of work through {@link Displays#current()}. */
    public static ProgressBar start(String label, long total) {
        return new ProgressBar(label, total, Displays.current());
    }

    /** Shows a new bar through the given sink (for tests and for code holding its own sink). */
    public static ProgressBar start(String label, long total, DisplaySink sink) {
        return new ProgressBar(label, total, sink);
    }

    /** One more unit done. */
    public void advance() {
        advance(1);
    }

    /** {@code units} more done. */
    public void advance(long units) {
        done.addAndGet(units);
        redrawIfDue();
    }

    /** Sets the amount done (e.g. elapsed seconds of a timed run). */
    public void set(long unitsDone) {
        done.set(unitsDone);
        redrawIfDue();
    }

    /** Marks the bar finished and redraws it at 100%. Idempotent. */
    public void done() {
        if (finishedNanos >= 0) {
            return;
        }
        finishedNanos = System.nanoTime();
        done.set(Math.max(done.get(), total));
        sink.update(displayId, this);
    }

    @Override
    public void close() {
        done();
    }

    public String label() {
        return label;
    }

    public long total() {
        return total;
    }

    public long completed() {
        return Math.min(done.get(), total);
    }

    public boolean isDone() {
        return finishedNanos >= 0;
    }

    /** Fraction done in [0, 1]; a bar with total 0 is complete. */
    public double fraction() {
        if (total == 0) {
            return isDone() ? 1.0 : 0.0;
        }
        return Math.min(1.0, (double) done.get() / total);
    }

    public Duration elapsed() {
        long end = isDone() ? finishedNanos : System.nanoTime();
        return Duration.ofNanos(end - startNanos);
    }

    /** Estimated time left, extrapolating the average rate so far; null until something is done. */
    public Duration eta() {
        double fraction = fraction();
        if (isDone()) {
            return Duration.ZERO;
        }
        if (fraction <= 0) {
            return null;
        }
        long elapsedNanos = elapsed().toNanos();
        return Duration.ofNanos((long) (elapsedNanos * (1 - fraction) / fraction));
    }

    private void redrawIfDue() {
        long now = System.nanoTime();
        long last = lastRedrawNanos.get();
        // compareAndSet so that, of several threads due at once, only one redraws.
        if (now - last >= MIN_REDRAW_INTERVAL_NANOS && !isDone() && lastRedrawNanos.compareAndSet(last, now)) {
            sink.update(displayId, this);
        }
    }

    @Override
    public Map<String, String> mimeBundle() {
        return Map.of("text/html", html(), "text/plain", text());
    }

    private String timing() {
        String elapsed = "elapsed " + seconds(elapsed());
        if (isDone()) {
            return elapsed;
        }
        Duration eta = eta();
        return elapsed + ", ETA " + (eta == null ? "?" : seconds(eta));
    }

    private String text() {
        int width = 30;
        int filled = (int) Math.round(fraction() * width);
        return String.format(Locale.ROOT, "%s [%s%s] %3d%% (%d/%d) %s",
                label, "#".repeat(filled), ".".repeat(width - filled),
                percent(), completed(), total, timing());
    }

    private String html() {
        return String.format(Locale.ROOT,
                "<div style=\"font-family:monospace;display:flex;align-items:center;gap:8px\">"
                        + "<span>%s</span>"
                        + "<div style=\"width:300px;height:14px;background:#e0e0e0;border-radius:3px;overflow:hidden\">"
                        + "<div style=\"width:%d%%;height:100%%;background:%s\"></div></div>"
                        + "<span>%d%% (%d/%d) &middot; %s</span></div>",
                escapeHtml(label), percent(), isDone() ? "#4caf50" : "#2196f3",
                percent(), completed(), total, timing());
    }

    private int percent() {
        return (int) Math.floor(fraction() * 100);
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }

    static String escapeHtml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    @Override
    public String toString() {
        return text();
    }
}
