package serverlab.labs.cluster;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.function.LongToIntFunction;
import java.util.stream.Collectors;

import serverlab.labs.Quick;
import serverlab.labs.load.Load;
import serverlab.labs.load.LoadResult;
import serverlab.labs.load.LoadTest;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * IaaS vs PaaS: the same open-loop load step, {@code base} req/s then {@code factor}× within a bucket, held, then back
 * to {@code base}, against a fleet you sized yourself (IaaS: {@code fixedServers} app servers all along) and against
 * one the platform scales ({@link Autoscaler}: from 1 up to {@code maxServers}). One cluster serves both cases, the
 * autoscaler first, from one warm server (the servers it adds start cold, as a platform's do); then the fleet is grown
 * to its fixed size and warmed.
 *
 * <pre>{@code
 * LoadStep.Result r = LoadStep.builder().run();
 * r.timeSeries();   // t_s, case, offered_rps, achieved_rps, p99_ms, servers, server_seconds, errors
 * r.summary();      // per case: p99 during the step, server-seconds, errors
 * Charts.loadStep(r.timeSeries());
 * }</pre>
 * Quick mode ({@link Quick#enabled()}) runs each case for 8 s instead of 40 s.
 */
public final class LoadStep {

    public static final String FIXED = "IaaS: fixed fleet";
    public static final String AUTOSCALED = "PaaS: autoscaled";

    /**
     * @param timeSeries one row per bucket and case: {@code t_s} (bucket start, s since the load began), {@code case},
     *                   {@code offered_rps}, {@code achieved_rps} (answered requests sent in the bucket, per second),
     *                   {@code p99_ms}, {@code servers} (billed), {@code server_seconds} (cumulative: the cost),
     *                   {@code errors} (failed or unanswered requests sent in the bucket)
     * @param summary    one row per case: {@code case}, {@code servers} ("4" or "1..4"), {@code requests},
     *                   {@code p99_ms} (whole run), {@code step_p99_ms} (the worst bucket's p99 while the step is on),
     *                   {@code server_seconds}, {@code errors}, {@code unanswered}, {@code resent} (GETs resent after a
     *                   reload closed their keep-alive connection, see {@link LoadTest#resendOnKeepAliveClose()}),
     *                   {@code error_kinds} (e.g. "timeout 3")
     * @param timeline   the autoscaler's samples and decisions ({@link Autoscaler#timeline()})
     * @param oneServerRps what one warm app server sustained (closed loop, {@code connections} connections)
     * @param baseRps    the base rate used
     */
    public record Result(Table timeSeries, Table summary, Table timeline, double oneServerRps, double baseRps) {
    }

    /** Without a {@link #baseRate}, the step offers this many times what one warm app server sustains. */
    static final double PEAK_OVER_ONE_SERVER = 1.5;

    private double baseRate;
    private double factor = 10;
    private int fixedServers = 4;
    private int maxServers = 4;
    private double targetPerServer = 8;
    private int connections = 64;
    private DataTier.Kind dataTier = DataTier.Kind.H2;

    private LoadStep() {
    }

    public static LoadStep builder() {
        return new LoadStep();
    }

    /**
     * Requests per second before and after the step. Default: measured, so that the step offers 1.5× what one warm app
     * server sustains here (it overloads one server; whether more servers help depends on the cores they share).
     */
    public LoadStep baseRate(double rps) {
        this.baseRate = rps;
        return this;
    }

    /** How many times the base rate the step offers (default 10). */
    public LoadStep factor(double times) {
        this.factor = times;
        return this;
    }

    /** The IaaS fleet (default 4: sized for the peak) and the autoscaler's ceiling (default 4). */
    public LoadStep servers(int fixed, int max) {
        this.fixedServers = fixed;
        this.maxServers = max;
        return this;
    }

    /** The autoscaler's target: requests in progress per app server (default 8). */
    public LoadStep targetPerServer(double requests) {
        this.targetPerServer = requests;
        return this;
    }

    /**
     * The load generator's connections (default 64): the most requests that can be in progress at once. Each app server
     * (thread-pool) gets as many threads, so no request waits for a thread held by one of nginx's idle connections.
     */
    public LoadStep connections(int n) {
        this.connections = n;
        return this;
    }

    public LoadStep dataTier(DataTier.Kind kind) {
        this.dataTier = kind;
        return this;
    }

    /** The phases of one case: before the step, the step, after it. */
    private record Phases(Duration before, Duration step, Duration after, Duration bucket) {
        Duration total() {
            return before.plus(step).plus(after);
        }

        static Phases forMode() {
            return Quick.enabled()
                    ? new Phases(Duration.ofMillis(1500), Duration.ofSeconds(3), Duration.ofMillis(3500), Duration.ofMillis(250))
                    : new Phases(Duration.ofSeconds(5), Duration.ofSeconds(15), Duration.ofSeconds(20), Duration.ofMillis(500));
        }
    }

    /**
     * Starts a cluster of one app server, measures what it sustains, runs the autoscaled case (from that server), then
     * the fixed fleet (grown to its size and warmed), and stops the cluster.
     */
    public Result run() throws IOException {
        try (Cluster cluster = Cluster.builder().appServers(1).threadsPerServer(connections).dataTier(dataTier).start()) {
            return run(cluster);
        }
    }

    /**
     * The same on a running cluster (its app servers need more threads than {@link #connections} if they run
     * {@code thread-pool}): shrinks it to one app server, then runs both cases; the cluster keeps the fixed fleet.
     */
    public Result run(Cluster cluster) throws IOException {
        Phases phases = Phases.forMode();
        cluster.setAppServers(1);
        double oneServer = sustained(cluster, phases);
        double base = baseRate > 0 ? baseRate : Math.max(1, Math.round(oneServer * PEAK_OVER_ONE_SERVER / factor));
        Autoscaler autoscaler = Autoscaler.of(cluster).servers(1, maxServers).targetPerServer(targetPerServer)
                .sampling(Duration.ofMillis(100), phases.bucket().multipliedBy(2))
                .scaleDownDelay(phases.after().dividedBy(4)).start();
        LoadResult scaled;
        long scaledStart = System.nanoTime();
        try (autoscaler) {
            scaled = step(cluster, phases, base);
        }
        cluster.setAppServers(fixedServers);
        sustained(cluster, phases); // warms the new servers
        long fixedStart = System.nanoTime();
        LoadResult fixed = step(cluster, phases, base);

        Table series = series(FIXED, fixed, phases, base, t -> fixedServers, fixedStart);
        series.append(series(AUTOSCALED, scaled, phases, base, autoscaler::serversAt, scaledStart));
        Table summary = summary(phases, List.of(FIXED, AUTOSCALED), List.of(fixed, scaled),
                List.of(Integer.toString(fixedServers), "1.." + maxServers), series);
        return new Result(series, summary, autoscaler.timeline(), oneServer, base);
    }

    /** Warms the app servers until their throughput is steady, then returns what they answer per second (closed loop). */
    private double sustained(Cluster cluster, Phases phases) {
        return Load.closedLoop(cluster).path("/api/items").connections(connections).duration(phases.before())
                .warmUpUntilSteady(Duration.ofMillis(250), 0.10, phases.before().multipliedBy(2)).exactDurations().progress(false).run()
                .achievedRate();
    }

    private LoadResult step(Cluster cluster, Phases phases, double base) {
        return Load.openLoop(cluster).path("/api/items").connections(connections)
                .rate(List.of(LoadTest.Stage.at(Duration.ZERO, base),
                        LoadTest.Stage.at(phases.before(), base * factor),
                        LoadTest.Stage.at(phases.before().plus(phases.step()), base)))
                .warmup(Duration.ZERO).duration(phases.total()).bucket(phases.bucket())
                .timeout(Duration.ofSeconds(10)).drain(Duration.ofSeconds(10)).resendOnKeepAliveClose().exactDurations().run();
    }

    private Table series(String name, LoadResult result, Phases phases, double base, LongToIntFunction servers, long loadStart) {
        Table buckets = result.timeSeries();
        int n = buckets.rowCount();
        Table table = Table.create("load step per " + phases.bucket().toMillis() + " ms",
                DoubleColumn.create("t_s"), StringColumn.create("case"), DoubleColumn.create("offered_rps"),
                DoubleColumn.create("achieved_rps"), DoubleColumn.create("p99_ms"), IntColumn.create("servers"),
                DoubleColumn.create("server_seconds"), LongColumn.create("errors"));
        double cost = 0;
        for (int b = 0; b < n; b++) {
            double t = buckets.doubleColumn("time_s").get(b);
            double length = buckets.doubleColumn("length_s").get(b);
            int billed = servers.applyAsInt(loadStart + (long) ((t + length / 2) * 1e9));
            cost += billed * length;
            table.doubleColumn("t_s").append(t);
            table.stringColumn("case").append(name);
            table.doubleColumn("offered_rps").append(inStep(phases, t) ? base * factor : base);
            table.doubleColumn("achieved_rps").append(buckets.doubleColumn("rps").get(b));
            table.doubleColumn("p99_ms").append(buckets.doubleColumn("p99").get(b));
            table.intColumn("servers").append(billed);
            table.doubleColumn("server_seconds").append(cost);
            table.longColumn("errors").append(buckets.longColumn("errors").get(b) + buckets.longColumn("unanswered").get(b));
        }
        return table;
    }

    private static boolean inStep(Phases phases, double t) {
        double from = phases.before().toNanos() / 1e9;
        return t >= from && t < from + phases.step().toNanos() / 1e9;
    }

    private static Table summary(Phases phases, List<String> cases, List<LoadResult> results, List<String> fleets, Table series) {
        Table summary = Table.create("IaaS vs PaaS under a load step", StringColumn.create("case"),
                StringColumn.create("servers"), LongColumn.create("requests"), DoubleColumn.create("p99_ms"),
                DoubleColumn.create("step_p99_ms"), DoubleColumn.create("server_seconds"), LongColumn.create("errors"),
                LongColumn.create("unanswered"), LongColumn.create("resent"), StringColumn.create("error_kinds"));
        for (int i = 0; i < cases.size(); i++) {
            Table rows = series.where(series.stringColumn("case").isEqualTo(cases.get(i)));
            LoadResult r = results.get(i);
            summary.stringColumn("case").append(cases.get(i));
            summary.stringColumn("servers").append(fleets.get(i));
            summary.longColumn("requests").append(r.requests());
            summary.doubleColumn("p99_ms").append(r.p99Ms());
            summary.doubleColumn("step_p99_ms").append(rows.where(rows.doubleColumn("t_s")
                    .eval(t -> inStep(phases, t))).doubleColumn("p99_ms").max());
            summary.doubleColumn("server_seconds").append(rows.doubleColumn("server_seconds").max());
            summary.longColumn("errors").append(r.totalErrors());
            summary.longColumn("unanswered").append(r.unanswered());
            summary.longColumn("resent").append(r.resent());
            summary.stringColumn("error_kinds").append(r.errors().entrySet().stream().filter(e -> e.getValue() > 0)
                    .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")));
        }
        return summary;
    }
}
