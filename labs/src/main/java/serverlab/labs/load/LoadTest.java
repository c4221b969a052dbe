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
import java.util.concurrent.CountDownLatch;
import org.HdrHistogram.Histogram;
import serverlab.labs.Quick;
import serverlab.labs.display.ProgressBar;
import serverlab.labs.metrics.ProcessTreeProbe;
import serverlab.servers.Server;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.Table;

/**
 * A configured load run; build it with {@link Load}, tune it with the fluent setters, then
 * {@link #run()}. Each setter returns this object, so one expression describes a run.
 *
 * <p><b>Warm-up.</b> By default a run warms up until its throughput is steady
 * ({@link #warmUpUntilSteady()}): a cold JIT shows up as a climb, and a climb inside the measured
 * window would be measured as the server's behaviour. {@link #warmup(Duration)} fixes the warm-up
 * instead. {@link LoadResult#warmUp()} says how long it took and whether throughput was steady.
 * An open loop warms up under a closed loop of the same connections and paths, then starts its schedule:
 * past saturation an open loop never becomes steady, and its warm-up would leave a backlog behind.
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
    static final Duration DEFAULT_STEADY_WINDOW = Duration.ofMillis(250);
    static final double DEFAULT_STEADY_TOLERANCE = 0.10;
    /** Upper bound of a warm-up until steady, before quick mode (÷10). */
    static final Duration DEFAULT_MAX_WARM_UP = Duration.ofSeconds(15);
    /** Time-series bucket widths to choose from, widest first (see {@link #bucket}). */
    private static final long[] BUCKET_MILLIS = {1000, 500, 250, 100, 50, 20, 10};
    /** The default bucket gives the measured window at least this many points. */
    private static final int MIN_POINTS = 10;

    private final LoadWorker.Mode mode;
    private final URI uri;
    private final InetSocketAddress address;
    /** The server under load when the caller gave one (not a bare address): its JVMs' JIT is watched. */
    private final Server server;
    private final Map<String, Double> paths = new LinkedHashMap<>();
    private int connections = 10;
    private int threads = 2;
    private int pipeline = 1;
    private Duration duration = Duration.ofSeconds(5);
    private Duration warmup = Duration.ZERO;
    private boolean untilSteady = true;
    private Duration steadyWindow = DEFAULT_STEADY_WINDOW;
    private double steadyTolerance = DEFAULT_STEADY_TOLERANCE;
    private Duration maxWarmUp = DEFAULT_MAX_WARM_UP;
    private Duration bucket;
    private Duration thinkTime = Duration.ZERO;
    private Duration timeout = Duration.ofSeconds(2);
    private Duration drain = Duration.ofSeconds(1);
    private List<Stage> rateStages;
    private boolean poisson;
    private long seed = 42;
    private boolean allowNonLoopback;
    private boolean exactDurations;
    private boolean resendOnKeepAliveClose;
    private Boolean progress;

    LoadTest(LoadWorker.Mode mode, URI uri, InetSocketAddress address, Server server) {
        this.mode = mode;
        this.uri = uri;
        this.address = address;
        this.server = server;
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

    /**
     * A fixed warm-up: load applied this long before measuring, whatever the throughput does
     * (zero: measure from the first request). Replaces the default {@link #warmUpUntilSteady()}.
     */
    public LoadTest warmup(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("warmup must not be negative");
        }
        this.warmup = d;
        this.untilSteady = false;
        return this;
    }

    /**
     * Warm up until throughput is steady (the default): consecutive 250 ms windows within ±10% of
     * each other, for at most 15 s (1.5 s in quick mode). See {@link #warmUpUntilSteady(Duration, double, Duration)}.
     */
    public LoadTest warmUpUntilSteady() {
        return warmUpUntilSteady(DEFAULT_STEADY_WINDOW, DEFAULT_STEADY_TOLERANCE, DEFAULT_MAX_WARM_UP);
    }

    /**
     * Warm up until the completed requests per {@code window} stay steady: the last four windows each
     * within ±{@code tolerance} of their mean, with no climb between the first two and the last two; or
     * until {@code max} (scaled by quick mode) has passed, whichever comes first. The measurement starts
     * right after; {@link LoadResult#warmUp()} reports how long the warm-up took and whether it converged.
     */
    public LoadTest warmUpUntilSteady(Duration window, double tolerance, Duration max) {
        new SteadyThroughput(tolerance); // validates the tolerance now rather than at run()
        this.steadyWindow = positive(window, "window");
        this.steadyTolerance = tolerance;
        this.maxWarmUp = positive(max, "max");
        this.untilSteady = true;
        return this;
    }

    /**
     * Width of the time-series buckets ({@link LoadResult#timeSeries()}). Default: the widest of
     * 1 s, 500, 250, 100, 50, 20, 10 ms that gives the measured window at least 10 points, so a
     * 10 s run has one row per second and its 1 s quick-mode version one per 100 ms.
     */
    public LoadTest bucket(Duration width) {
        this.bucket = positive(width, "bucket");
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

    /** Open loop: total requests per second to offer. Required for open loop (or {@link #rate(List)}). */
    public LoadTest rate(double requestsPerSecond) {
        return rate(List.of(Stage.at(Duration.ZERO, requestsPerSecond)));
    }

    /**
     * One stage of an open loop's rate schedule: from {@code start} (since the loop began sending: the measured
     * window's start unless a fixed {@link #warmup} precedes it) on, {@code requestsPerSecond} until the next stage.
     */
    public record Stage(Duration start, double requestsPerSecond) {

        public Stage {
            if (start.isNegative()) throw new IllegalArgumentException("a stage cannot start before the schedule");
            if (!(requestsPerSecond > 0)) throw new IllegalArgumentException("rate must be positive");
        }

        public static Stage at(Duration start, double requestsPerSecond) {
            return new Stage(start, requestsPerSecond);
        }
    }

    /**
     * Open loop: a rate that changes during the run, e.g. a step to 10× after 3 s and back after 8 s:
     * {@code rate(List.of(Stage.at(ZERO, 200), Stage.at(ofSeconds(3), 2000), Stage.at(ofSeconds(8), 200)))}.
     * The first stage starts at zero, the others in order. Quick mode scales the stages' starts with the duration.
     * {@link LoadResult#offeredRate()} is the schedule's mean over the measured window.
     */
    public LoadTest rate(List<Stage> stages) {
        requireMode(LoadWorker.Mode.OPEN, "rate");
        if (stages.isEmpty() || !stages.get(0).start().isZero()) {
            throw new IllegalArgumentException("the first stage starts at zero: " + stages);
        }
        for (int i = 1; i < stages.size(); i++) {
            if (stages.get(i).start().compareTo(stages.get(i - 1).start()) <= 0) {
                throw new IllegalArgumentException("stages must start in order: " + stages);
            }
        }
        this.rateStages = List.copyOf(stages);
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

    /**
     * After the window, how long to wait for the answers still outstanding before counting them unanswered (default
     * 1 s, never longer than the timeout). A run whose every request must end answered or failed drains for its timeout.
     */
    public LoadTest drain(Duration d) {
        this.drain = positive(d, "drain");
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

    /**
     * Like a browser (RFC 9112 §9.3.1): a GET on a keep-alive connection that the server closes before answering,
     * after it has answered others on it, is sent again on a new connection instead of counted as a reset. That is
     * the race of a server closing idle connections (nginx's reload) with a request already on its way; the
     * resends are reported ({@link LoadResult#resent()}) and the latency runs from the first intended send. A request
     * closed on after the window (during the drain) is not sent again: it counts as unanswered.
     */
    public LoadTest resendOnKeepAliveClose() {
        this.resendOnKeepAliveClose = true;
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

    /** Runs the load and blocks until it is done (warm-up + duration + at most the drain, 1 s by default). */
    public LoadResult run() {
        if (mode == LoadWorker.Mode.OPEN && rateStages == null) {
            throw new IllegalStateException("an open-loop run needs rate(requests per second)");
        }
        if (mode == LoadWorker.Mode.OPEN && untilSteady) {
            // An open loop past saturation never settles: its queue grows for as long as it runs, and the
            // measurement would inherit that backlog (at 1.6x capacity: 0 answers in the window). So the server
            // warms up under a closed loop of the same connections and paths, and the schedule starts after it.
            return measure(closedLoopWarmUp());
        }
        return measure(null);
    }

    /** Warms the target with a closed loop until steady; returns how that went. */
    private WarmUp closedLoopWarmUp() {
        LoadTest closed = new LoadTest(LoadWorker.Mode.CLOSED, uri, address, server);
        closed.paths.putAll(paths);
        closed.connections = connections;
        closed.threads = threads;
        closed.timeout = timeout;
        closed.allowNonLoopback = allowNonLoopback;
        closed.exactDurations = exactDurations;
        closed.progress = progress;
        closed.warmUpUntilSteady(steadyWindow, steadyTolerance, maxWarmUp).duration(steadyWindow);
        return closed.measure(null).warmUp();
    }

    /** One run: after {@code warmedUp} (a warm-up done elsewhere), or after this run's own warm-up when null. */
    private LoadResult measure(WarmUp warmedUp) {
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
        Duration maxWarm = exactDurations ? maxWarmUp : Quick.duration(maxWarmUp);
        Duration bucketWidth = bucket != null ? bucket : defaultBucket(measured);

        var plan = new LoadWorker.Plan(mode, target, requestMix, pipeline, thinkTime.toNanos(),
                timeout.toNanos(), poisson, seed, measured.toNanos(), bucketWidth.toNanos(),
                resendOnKeepAliveClose, Math.min(timeout.toNanos(), drain.toNanos()));
        int workerCount = Math.min(threads, connections);
        RateSchedule schedule = mode == LoadWorker.Mode.OPEN ? RateSchedule.of(rateStages) : null;
        RateSchedule perWorker = schedule == null ? null
                : schedule.scaled((double) measured.toNanos() / duration.toNanos(), 1.0 / workerCount);
        long start = System.nanoTime() + 5_000_000L; // let all threads start before the schedule begins
        List<LoadWorker> workers = new ArrayList<>();
        List<Thread> workerThreads = new ArrayList<>();
        CountDownLatch allDrained = new CountDownLatch(workerCount);
        for (int i = 0; i < workerCount; i++) {
            int share = connections / workerCount + (i < connections % workerCount ? 1 : 0);
            var worker = new LoadWorker(plan, share, perWorker, start, i, allDrained);
            if (!untilSteady || warmedUp != null) {
                worker.measureFrom(start + (warmedUp != null ? 0 : warm.toNanos()));
            }
            workers.add(worker);
            Thread t = new Thread(worker, "load-" + i);
            t.setDaemon(true);
            workerThreads.add(t);
        }
        String label = String.format(Locale.ROOT, "%s loop %s, %d conns",
                mode.name().toLowerCase(Locale.ROOT), target, connections);
        workerThreads.forEach(Thread::start);
        WarmUp warmUp;
        try {
            if (warmedUp != null) {
                warmUp = warmedUp;
                awaitWithProgress(workerThreads, measured, label, measured);
            } else if (untilSteady) {
                warmUp = awaitSteady(workers, workerThreads, start, maxWarm, label, maxWarm.plus(measured));
                awaitWithProgress(workerThreads, measured, label, measured);
            } else {
                warmUp = WarmUp.fixed(warm);
                awaitWithProgress(workerThreads, warm.plus(measured), label, warm.plus(measured));
            }
        } catch (InterruptedException e) {
            workers.forEach(LoadWorker::stop);
            for (Thread t : workerThreads) {
                try {
                    t.join(2_000);
                } catch (InterruptedException again) {
                    break;
                }
            }
            Thread.currentThread().interrupt();
            throw new CancellationException("load run interrupted");
        }
        for (LoadWorker w : workers) {
            if (w.failure != null) {
                throw new UncheckedIOException("load generator thread failed", w.failure);
            }
        }
        long measuredFrom = untilSteady ? 0 : warm.toNanos(); // where the window lies on the schedule
        double offered = perWorker == null ? Double.NaN
                : perWorker.mean(measuredFrom, measuredFrom + measured.toNanos()) * workerCount;
        return merge(workers, target, measured, bucketWidth, requestMix, warmUp, offered);
    }

    /** The default time-series bucket for a measured window of this length (see {@link #bucket}). */
    static Duration defaultBucket(Duration window) {
        for (long millis : BUCKET_MILLIS) {
            if (window.toMillis() / millis >= MIN_POINTS) {
                return Duration.ofMillis(millis);
            }
        }
        return Duration.ofMillis(BUCKET_MILLIS[BUCKET_MILLIS.length - 1]);
    }

    /** Warms up until {@link SteadyWarmUp} calls throughput steady (or gives up), then starts every worker's measured window. */
    private WarmUp awaitSteady(List<LoadWorker> workers, List<Thread> workerThreads, long start, Duration max,
                               String label, Duration wholeRun) throws InterruptedException {
        WarmUp warmUp;
        try (ProgressBar bar = showProgress(wholeRun) ? ProgressBar.start(label + ", warming up until steady", max.toMillis()) : null) {
            List<Long> jvms = serverJvms();
            warmUp = new SteadyWarmUp(steadyWindow, steadyTolerance, max, SteadyWarmUp.SYSTEM).await(start,
                    () -> workers.stream().mapToLong(w -> w.responsesSoFar.get()).sum(),
                    jvms.isEmpty() ? null : () -> jvms.stream().mapToLong(ProcessTreeProbe::jitCompilerCpuMs).sum(),
                    () -> workerThreads.stream().allMatch(Thread::isAlive),
                    elapsedMillis -> {
                        if (bar != null) {
                            bar.set(Math.min(max.toMillis(), elapsedMillis));
                        }
                    });
        }
        // From now, not from start + took: on a starved machine the steps after the last window can take a while,
        // and a window that began in the past would have gone by unmeasured.
        long measureStart = System.nanoTime();
        workers.forEach(w -> w.measureFrom(measureStart));
        return new WarmUp(true, Duration.ofNanos(measureStart - start), warmUp.steady(), warmUp.window(),
                warmUp.tolerance(), warmUp.watchedJit(), warmUp.series());
    }

    /**
     * The server's processes that are JVMs with a JIT, other than this one: those a warm-up waits for. This
     * JVM's JIT is not watched: it also compiles the notebook's own cells and never goes quiet for long.
     */
    private List<Long> serverJvms() {
        if (server == null) {
            return List.of();
        }
        List<Long> pids = new ArrayList<>();
        pids.add(server.pid());
        try {
            pids.addAll(server.workerPids());
        } catch (RuntimeException workersUnknown) {
            // a hosted server that does not answer in time: watch its main process alone
        }
        long self = ProcessHandle.current().pid();
        return pids.stream().distinct().filter(pid -> pid != self && ProcessTreeProbe.hasJitCompiler(pid)).toList();
    }

    private boolean showProgress(Duration total) {
        return progress != null ? progress : total.compareTo(PROGRESS_THRESHOLD) > 0;
    }

    private void awaitWithProgress(List<Thread> threadsToJoin, Duration total, String label, Duration wholeRun)
            throws InterruptedException {
        long startMillis = System.currentTimeMillis();
        try (ProgressBar bar = showProgress(wholeRun) ? ProgressBar.start(label, total.toMillis()) : null) {
            for (Thread t : threadsToJoin) {
                while (t.isAlive()) {
                    t.join(200);
                    if (bar != null) {
                        bar.set(Math.min(total.toMillis(), System.currentTimeMillis() - startMillis));
                    }
                }
            }
        }
    }

    private LoadResult merge(List<LoadWorker> workers, Target target, Duration measured, Duration bucketWidth,
                             RequestMix mix, WarmUp warmUp, double offeredRate) {
        Histogram all = new Histogram(3);
        long requests = 0;
        long unfinished = 0;
        long resent = 0;
        long[] errors = new long[ErrorKind.values().length];
        long[] perPath = new long[mix.size()];
        List<Histogram> pathHistograms = new ArrayList<>();
        for (int p = 0; p < mix.size(); p++) {
            pathHistograms.add(new Histogram(3));
        }
        int bucketCount = workers.get(0).measured.buckets.size();
        List<Histogram> bucketHistograms = new ArrayList<>();
        List<long[]> bucketCounts = new ArrayList<>(); // {requests, errors, unanswered}
        for (int b = 0; b < bucketCount; b++) {
            bucketHistograms.add(new Histogram(2));
            bucketCounts.add(new long[3]);
        }
        for (LoadWorker w : workers) {
            all.add(w.measured.latencyMicros);
            requests += w.measured.requests;
            unfinished += w.unfinished;
            resent += w.resent;
            for (int k = 0; k < errors.length; k++) {
                errors[k] += w.errors[k];
            }
            for (int p = 0; p < perPath.length; p++) {
                perPath[p] += w.measured.requestsPerPath[p];
                pathHistograms.get(p).add(w.measured.latencyPerPath[p]);
            }
            for (int b = 0; b < bucketCount; b++) {
                LoadWorker.Bucket bucket = w.measured.buckets.get(b);
                bucketHistograms.get(b).add(bucket.latencyMicros);
                bucketCounts.get(b)[0] += bucket.requests;
                bucketCounts.get(b)[1] += bucket.errors;
                bucketCounts.get(b)[2] += bucket.unanswered;
            }
        }
        Map<String, Long> errorMap = new LinkedHashMap<>();
        for (ErrorKind kind : ErrorKind.values()) {
            errorMap.put(kind.label(), errors[kind.ordinal()]);
        }
        Map<String, Long> pathMap = new LinkedHashMap<>();
        Map<String, Histogram> pathLatency = new LinkedHashMap<>();
        for (int p = 0; p < perPath.length; p++) {
            pathMap.put(mix.path(p), perPath[p]);
            pathLatency.put(mix.path(p), pathHistograms.get(p));
        }
        double seconds = measured.toNanos() / 1e9;
        double achieved = requests / seconds;
        double offered = mode == LoadWorker.Mode.OPEN ? offeredRate : achieved;
        return new LoadResult(mode == LoadWorker.Mode.OPEN ? "open" : "closed", target.toString(), connections,
                measured, offered, achieved, requests,
                LoadResult.ms(all, 50), LoadResult.ms(all, 90), LoadResult.ms(all, 99), LoadResult.ms(all, 99.9), all.getMaxValue() / 1000.0,
                all.getTotalCount() == 0 ? 0 : all.getMean() / 1000.0,
                errorMap, unfinished, pathMap,
                timeSeries(bucketHistograms, bucketCounts, measured, bucketWidth.toNanos()), all,
                warmUp, pathLatency, resent);
    }

    /** The per-bucket table; its columns are documented at {@link LoadResult}. */
    private static Table timeSeries(List<Histogram> histograms, List<long[]> counts, Duration measured, long bucketNanos) {
        int n = histograms.size();
        double[] start = new double[n];
        double[] length = new double[n];
        long[] requests = new long[n];
        double[] rps = new double[n];
        double[] p50 = new double[n];
        double[] p99 = new double[n];
        long[] errors = new long[n];
        long[] unanswered = new long[n];
        double windowSeconds = measured.toNanos() / 1e9;
        double bucketSeconds = bucketNanos / 1e9;
        for (int b = 0; b < n; b++) {
            start[b] = b * bucketSeconds;
            length[b] = Math.min(bucketSeconds, windowSeconds - start[b]);
            requests[b] = counts.get(b)[0];
            rps[b] = requests[b] / length[b];
            errors[b] = counts.get(b)[1];
            unanswered[b] = counts.get(b)[2];
            p50[b] = LoadResult.ms(histograms.get(b), 50);
            p99[b] = LoadResult.ms(histograms.get(b), 99);
        }
        return Table.create("load per " + bucketNanos / 1_000_000L + " ms",
                DoubleColumn.create("time_s", start),
                DoubleColumn.create("length_s", length),
                LongColumn.create("requests", requests),
                DoubleColumn.create("rps", rps),
                DoubleColumn.create("p50", p50),
                DoubleColumn.create("p99", p99),
                LongColumn.create("errors", errors),
                LongColumn.create("unanswered", unanswered));
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
