package serverlab.labs.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import org.HdrHistogram.Histogram;
import serverlab.labs.Quick;
import serverlab.labs.display.ProgressBar;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.Table;

/**
 * A configured load run; build it with {@link Load}, tune it with the fluent setters, then
 * {@link #run()}. Each setter returns this object, so one expression describes a run.
 *
 * <p><b>Quick mode is applied here, once.</b> {@link #run()} passes the duration and warm-up
 * through {@link Quick#duration} unless {@link #exactDurations()} is called, so callers
 * (notebooks, {@code Sweep}, {@code Check}) pass normal durations. A duration that already came
 * from {@link Quick#duration} is recognised and not scaled again. {@link LoadResult#duration()}
 * is the window actually measured.
 */
public final class LoadTest {

    /** Runs whose warm-up plus duration exceed this show a progress bar. */
    private static final Duration PROGRESS_THRESHOLD = Duration.ofSeconds(2);

    private final LoadWorker.Mode mode;
    private final URI uri;
    private final InetSocketAddress address;
    private final Map<String, Double> paths = new LinkedHashMap<>();
    private int connections = 10;
    private int threads = 2;
    private int pipeline = 1;
    private Duration duration = Duration.ofSeconds(5);
    private Duration warmup = Duration.ofSeconds(1);
    private Duration thinkTime = Duration.ZERO;
    private Duration timeout = Duration.ofSeconds(2);
    private double rate;
    private boolean poisson;
    private long seed = 42;
    private boolean allowNonLoopback;
    private boolean exactDurations;
    private Boolean progress;

    LoadTest(LoadWorker.Mode mode, URI uri, InetSocketAddress address) {
        this.mode = mode;
        this.uri = uri;
        this.address = address;
    }

    /** Number of TCP connections (keep-alive). Default 10. */
    public LoadTest connections(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("connections must be at least 1");
        }
        this.connections = n;
        return this;
    }

    /** Generator threads, each with its own selector. Default 2 (never more than connections). */
    public LoadTest threads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("threads must be at least 1");
        }
        this.threads = n;
        return this;
    }

    /** Measured duration, before quick mode (which {@link #run()} applies: ÷10). Default 5 s. */
    public LoadTest duration(Duration d) {
        this.duration = positive(d, "duration");
        return this;
    }

    /** Load applied before measuring, so JIT compilation and connection setup are not measured. Default 1 s. */
    public LoadTest warmup(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("warmup must not be negative");
        }
        this.warmup = d;
        return this;
    }

    /** Sends every request to this path (replacing any mix). */
    public LoadTest path(String path) {
        paths.clear();
        return path(path, 1.0);
    }

    /** Adds {@code path} to the request mix with a relative weight. */
    public LoadTest path(String path, double weight) {
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path must start with '/': " + path);
        }
        paths.merge(path, weight, Double::sum);
        return this;
    }

    /** Replaces the request mix: path → relative weight. */
    public LoadTest mix(Map<String, Double> weightedPaths) {
        paths.clear();
        weightedPaths.forEach(this::path);
        return this;
    }

    /** Closed loop: pause between a response and the next request on that connection. */
    public LoadTest thinkTime(Duration d) {
        requireMode(LoadWorker.Mode.CLOSED, "thinkTime");
        this.thinkTime = d;
        return this;
    }

    /** Closed loop: requests outstanding per connection (HTTP pipelining). Default 1. */
    public LoadTest pipeline(int depth) {
        requireMode(LoadWorker.Mode.CLOSED, "pipeline");
        if (depth < 1) {
            throw new IllegalArgumentException("pipeline depth must be at least 1");
        }
        this.pipeline = depth;
        return this;
    }

    /** Open loop: total requests per second to offer. Required for open loop. */
    public LoadTest rate(double requestsPerSecond) {
        requireMode(LoadWorker.Mode.OPEN, "rate");
        if (!(requestsPerSecond > 0)) {
            throw new IllegalArgumentException("rate must be positive");
        }
        this.rate = requestsPerSecond;
        return this;
    }

    /** Open loop: random (exponential) gaps between requests, like independent users. */
    public LoadTest poisson() {
        requireMode(LoadWorker.Mode.OPEN, "poisson");
        this.poisson = true;
        return this;
    }

    /** Open loop: evenly spaced requests (the default). */
    public LoadTest constantRate() {
        requireMode(LoadWorker.Mode.OPEN, "constantRate");
        this.poisson = false;
        return this;
    }

    /** A request without a complete response after this long counts as a timeout. Default 2 s. */
    public LoadTest timeout(Duration d) {
        this.timeout = positive(d, "timeout");
        return this;
    }

    /** Seed for the request mix and Poisson arrivals, for repeatable runs. */
    public LoadTest seed(long seed) {
        this.seed = seed;
        return this;
    }

    /** Permits targets off this machine. Only for machines you own. */
    public LoadTest allowNonLoopback(boolean allow) {
        this.allowNonLoopback = allow;
        return this;
    }

    /** Ignores quick mode: use warm-up and duration exactly as given (tests of timing behaviour). */
    public LoadTest exactDurations() {
        this.exactDurations = true;
        return this;
    }

    /** Forces the progress bar on or off (default: on for runs longer than ~2 s). */
    public LoadTest progress(boolean show) {
        this.progress = show;
        return this;
    }

    /** Runs the load and blocks until it is done (warm-up + duration + at most 1 s drain). */
    public LoadResult run() {
        if (mode == LoadWorker.Mode.OPEN && rate == 0) {
            throw new IllegalStateException("an open-loop run needs rate(requests per second)");
        }
        Target target = uri != null ? Target.of(uri, allowNonLoopback) : Target.of(address, allowNonLoopback);
        Map<String, Double> mix = new LinkedHashMap<>(paths);
        if (mix.isEmpty()) {
            String uriPath = uri == null || uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/hello" : uri.getRawPath();
            String query = uri == null || uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
            mix.put(uriPath + query, 1.0);
        }
        RequestMix requestMix = new RequestMix(mix, target.hostHeader());
        Duration measured = exactDurations ? duration : Quick.duration(duration);
        Duration warm = exactDurations || warmup.isZero() ? warmup : Quick.duration(warmup);

        var plan = new LoadWorker.Plan(mode, target, requestMix, pipeline, thinkTime.toNanos(),
                timeout.toNanos(), poisson, seed);
        int workerCount = Math.min(threads, connections);
        long start = System.nanoTime() + 5_000_000L; // let all threads start before the schedule begins
        long measureStart = start + warm.toNanos();
        long measureEnd = measureStart + measured.toNanos();
        List<LoadWorker> workers = new ArrayList<>();
        List<Thread> workerThreads = new ArrayList<>();
        for (int i = 0; i < workerCount; i++) {
            int share = connections / workerCount + (i < connections % workerCount ? 1 : 0);
            var worker = new LoadWorker(plan, share, rate / workerCount, start, measureStart, measureEnd, i);
            workers.add(worker);
            Thread t = new Thread(worker, "load-" + i);
            t.setDaemon(true);
            workerThreads.add(t);
        }
        workerThreads.forEach(Thread::start);
        awaitWithProgress(workers, workerThreads, warm.plus(measured), target);
        for (LoadWorker w : workers) {
            if (w.failure != null) {
                throw new UncheckedIOException("load generator thread failed", w.failure);
            }
        }
        return merge(workers, target, measured, requestMix);
    }

    private void awaitWithProgress(List<LoadWorker> workers, List<Thread> threadsToJoin, Duration total, Target target) {
        boolean show = progress != null ? progress : total.compareTo(PROGRESS_THRESHOLD) > 0;
        long startMillis = System.currentTimeMillis();
        ProgressBar bar = show
                ? ProgressBar.start(String.format(Locale.ROOT, "%s loop %s, %d conns",
                        mode.name().toLowerCase(Locale.ROOT), target, connections), total.toMillis())
                : null;
        try {
            for (Thread t : threadsToJoin) {
                while (t.isAlive()) {
                    t.join(200);
                    if (bar != null) {
                        bar.set(Math.min(total.toMillis(), System.currentTimeMillis() - startMillis));
                    }
                }
            }
        } catch (InterruptedException e) {
            workers.forEach(LoadWorker::stop);
            for (Thread t : threadsToJoin) {
                try {
                    t.join(2_000);
                } catch (InterruptedException again) {
                    break;
                }
            }
            Thread.currentThread().interrupt();
            throw new CancellationException("load run interrupted");
        } finally {
            if (bar != null) {
                bar.done();
            }
        }
    }

    private LoadResult merge(List<LoadWorker> workers, Target target, Duration measured, RequestMix mix) {
        Histogram all = new Histogram(3);
        long requests = 0;
        long unfinished = 0;
        long[] errors = new long[ErrorKind.values().length];
        long[] perPath = new long[mix.size()];
        int secondsInWindow = LoadWorker.secondsIn(measured.toNanos());
        List<Histogram> secondHistograms = new ArrayList<>();
        List<long[]> secondCounts = new ArrayList<>(); // {requests, errors, unanswered}
        for (int s = 0; s < secondsInWindow; s++) {
            secondHistograms.add(new Histogram(2));
            secondCounts.add(new long[3]);
        }
        for (LoadWorker w : workers) {
            all.add(w.latencyMicros);
            requests += w.requests;
            unfinished += w.unfinished;
            for (int k = 0; k < errors.length; k++) {
                errors[k] += w.errors[k];
            }
            for (int p = 0; p < perPath.length; p++) {
                perPath[p] += w.requestsPerPath[p];
            }
            for (int s = 0; s < secondsInWindow; s++) {
                LoadWorker.Second second = w.seconds.get(s);
                secondHistograms.get(s).add(second.latencyMicros);
                secondCounts.get(s)[0] += second.requests;
                secondCounts.get(s)[1] += second.errors;
                secondCounts.get(s)[2] += second.unanswered;
            }
        }
        Map<String, Long> errorMap = new LinkedHashMap<>();
        for (ErrorKind kind : ErrorKind.values()) {
            errorMap.put(kind.label(), errors[kind.ordinal()]);
        }
        Map<String, Long> pathMap = new LinkedHashMap<>();
        for (int p = 0; p < perPath.length; p++) {
            pathMap.put(mix.path(p), perPath[p]);
        }
        double seconds = measured.toNanos() / 1e9;
        double achieved = requests / seconds;
        double offered = mode == LoadWorker.Mode.OPEN ? rate : achieved;
        return new LoadResult(mode == LoadWorker.Mode.OPEN ? "open" : "closed", target.toString(), connections,
                measured, offered, achieved, requests,
                ms(all, 50), ms(all, 90), ms(all, 99), ms(all, 99.9), all.getMaxValue() / 1000.0,
                all.getTotalCount() == 0 ? 0 : all.getMean() / 1000.0,
                errorMap, unfinished, pathMap, timeSeries(secondHistograms, secondCounts, measured), all);
    }

    /** The per-second table; its columns are documented at {@link LoadResult}. */
    private static Table timeSeries(List<Histogram> histograms, List<long[]> counts, Duration measured) {
        int n = histograms.size();
        int[] second = new int[n];
        double[] length = new double[n];
        long[] requests = new long[n];
        double[] rps = new double[n];
        double[] p50 = new double[n];
        double[] p99 = new double[n];
        long[] errors = new long[n];
        long[] unanswered = new long[n];
        double windowSeconds = measured.toNanos() / 1e9;
        for (int s = 0; s < n; s++) {
            second[s] = s;
            length[s] = Math.min(1.0, windowSeconds - s);
            requests[s] = counts.get(s)[0];
            rps[s] = requests[s] / length[s];
            errors[s] = counts.get(s)[1];
            unanswered[s] = counts.get(s)[2];
            p50[s] = ms(histograms.get(s), 50);
            p99[s] = ms(histograms.get(s), 99);
        }
        return Table.create("load per second",
                IntColumn.create("second", second),
                DoubleColumn.create("length_s", length),
                LongColumn.create("requests", requests),
                DoubleColumn.create("rps", rps),
                DoubleColumn.create("p50", p50),
                DoubleColumn.create("p99", p99),
                LongColumn.create("errors", errors),
                LongColumn.create("unanswered", unanswered));
    }

    private static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
    }

    private void requireMode(LoadWorker.Mode required, String setting) {
        if (mode != required) {
            throw new IllegalStateException(setting + " applies to " + required.name().toLowerCase(Locale.ROOT)
                    + "-loop runs only");
        }
    }

    private static Duration positive(Duration d, String what) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive");
        }
        return d;
    }
}
