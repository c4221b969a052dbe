package serverlab.labs.isolation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import serverlab.labs.Quick;
import serverlab.labs.experiment.HostedServer;
import serverlab.labs.load.Load;
import serverlab.labs.load.LoadResult;
import serverlab.servers.Server;
import serverlab.servers.ServerOptions;
import serverlab.servers.Servers;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The JVM as a process virtual machine ("a runtime system that provides an abstract instruction set"): the same server
 * run by the bytecode interpreter alone, with the quick C1 compiler only, and with the full tiered JIT (C1, then C2 for
 * the hot code). Each mode starts the server in a JVM of its own ({@link HostedServer}) and sends it a closed loop of
 * {@code /hello} from the first request on, with no warm-up, so the warm-up is what the time series shows.
 *
 * <pre>{@code
 * List<JitModes.Result> runs = JitModes.measureAll("event-loop", Duration.ofSeconds(20), 16);
 * JitModes.summary(runs);   // mode, startup_ms, time_to_peak_s, steady_rps
 * JitModes.series(runs);    // mode, time_s, rps: the warm-up chart
 * }</pre>
 *
 * <p><b>Definitions.</b> <i>Start-up</i>: from launching the JVM to the server listening. <i>Steady rate</i>: the
 * median of the time series' buckets in the last third of the run. <i>Time to peak</i>: from the first request to the
 * end of the first bucket whose rate reaches 90 % of the steady rate. The run is the duration given, scaled by quick mode
 * (÷10, at least {@link #QUICK_FLOOR}): a full JIT needs a few seconds of load to compile the hot path.
 *
 * <p>The load generator runs in this JVM and has a JIT of its own to warm up: a cold generator sends a fifth of what a
 * warm one does, and its climb would pass for the server's. So {@link #measure} first loads a server in this JVM for
 * {@link #GENERATOR_WARM_UP} (once per JVM), and the series show the hosted server's warm-up alone.
 */
public final class JitModes {

    /** How the hosted JVM runs the server's bytecode. */
    public enum Mode {
        INTERPRETER("interpreter -Xint", "-Xint"),
        C1_ONLY("C1 only -XX:TieredStopAtLevel=1", "-XX:TieredStopAtLevel=1"),
        FULL_JIT("full JIT (C1+C2)");

        private final String label;
        private final String[] flags;

        Mode(String label, String... flags) {
            this.label = label;
            this.flags = flags;
        }

        public String label() {
            return label;
        }

        /** The JVM flags that select this mode (none for the default, tiered compilation). */
        public List<String> flags() {
            return List.of(flags);
        }
    }

    /** Shortest run per mode in quick mode: below it the full JIT has not finished compiling the hot path. */
    public static final Duration QUICK_FLOOR = Duration.ofSeconds(4);
    /** How long the load generator warms up against a server in this JVM before the first measurement. */
    public static final Duration GENERATOR_WARM_UP = Duration.ofSeconds(2);
    private static volatile boolean generatorWarm;
    /** A bucket of the time series is the run ÷ this (at least 50 ms): enough points to see the climb. */
    private static final int BUCKETS = 40;
    /** The share of the steady rate a bucket must reach for the server to be "at its peak". */
    public static final double PEAK_SHARE = 0.9;

    private JitModes() {
    }

    /**
     * One mode's run.
     *
     * @param startup    from launching the JVM to the server listening
     * @param timeToPeak from the first request to the end of the first bucket at ≥ 90 % of the steady rate
     * @param steadyRps  the median rate of the last third of the run, requests/s
     * @param load       the whole load run (its {@link LoadResult#timeSeries()} is the warm-up)
     */
    public record Result(Mode mode, String server, Duration startup, Duration timeToPeak, double steadyRps, LoadResult load) {

        /** The warm-up: {@code time_s} (start of the bucket, s since the first request), {@code rps}. */
        public Table series() {
            Table t = load.timeSeries();
            return Table.create(mode.label() + ": " + t.name(), t.doubleColumn("time_s").copy(), t.doubleColumn("rps").copy());
        }
    }

    /** The three modes, interpreter first (see the class comment), summarised: one row per mode. */
    public static Table compare(String server, Duration run, int connections) {
        return summary(measureAll(server, run, connections));
    }

    /** The three modes, interpreter first (see the class comment). */
    public static List<Result> measureAll(String server, Duration run, int connections) {
        List<Result> results = new ArrayList<>();
        for (Mode mode : Mode.values()) {
            results.add(measure(mode, server, run, connections));
        }
        return results;
    }

    /** One mode: {@code server} started in a JVM running {@code mode}, then loaded with {@code connections} for {@code run}. */
    public static Result measure(Mode mode, String server, Duration run, int connections) {
        Duration measured = Quick.enabled() ? max(Quick.duration(run), QUICK_FLOOR) : run;
        Duration bucket = Duration.ofMillis(Math.max(50, measured.toMillis() / BUCKETS));
        warmUpGenerator(connections);
        long launched = System.nanoTime();
        try (HostedServer hosted = HostedServer.start(server, ServerOptions.defaults(), mode.flags().toArray(String[]::new))) {
            Duration startup = Duration.ofNanos(System.nanoTime() - launched);
            LoadResult load = Load.closedLoop(hosted).connections(connections).warmup(Duration.ZERO).duration(measured)
                    .exactDurations().bucket(bucket).path("/hello").run();
            double[] rps = load.timeSeries().doubleColumn("rps").asDoubleArray();
            double[] ends = load.timeSeries().doubleColumn("time_s").add(load.timeSeries().doubleColumn("length_s")).asDoubleArray();
            double steady = steadyRate(rps);
            return new Result(mode, server, startup, Duration.ofMillis(Math.round(1000 * ends[firstAtPeak(rps, steady)])), steady, load);
        }
    }

    /** One row per mode: {@code mode}, {@code startup_ms}, {@code time_to_peak_s}, {@code steady_rps}, {@code vs_full_jit} (ratio). */
    public static Table summary(List<Result> results) {
        double fullJit = results.stream().filter(r -> r.mode() == Mode.FULL_JIT).mapToDouble(Result::steadyRps).findFirst().orElse(Double.NaN);
        return Table.create("the JVM's execution modes",
                StringColumn.create("mode", results.stream().map(r -> r.mode().label())),
                DoubleColumn.create("startup_ms", results.stream().mapToDouble(r -> r.startup().toMillis())),
                DoubleColumn.create("time_to_peak_s", results.stream().mapToDouble(r -> r.timeToPeak().toMillis() / 1000.0)),
                DoubleColumn.create("steady_rps", results.stream().mapToDouble(r -> Math.round(r.steadyRps()))),
                DoubleColumn.create("vs_full_jit", results.stream().mapToDouble(r -> r.steadyRps() / fullJit)));
    }

    /** Every mode's warm-up in one long table for a chart: {@code mode}, {@code time_s}, {@code rps}. */
    public static Table series(List<Result> results) {
        Table all = Table.create("throughput during warm-up", StringColumn.create("mode"), DoubleColumn.create("time_s"),
                DoubleColumn.create("rps"));
        for (Result r : results) {
            Table s = r.series();
            for (int i = 0; i < s.rowCount(); i++) {
                all.stringColumn("mode").append(r.mode().label());
                all.doubleColumn("time_s").append(s.doubleColumn("time_s").get(i));
                all.doubleColumn("rps").append(s.doubleColumn("rps").get(i));
            }
        }
        return all;
    }

    /** Runs the load generator against a server in this JVM until its hot paths are compiled; once per JVM. */
    private static synchronized void warmUpGenerator(int connections) {
        if (generatorWarm) {
            return;
        }
        try (Server local = Servers.start("event-loop", ServerOptions.defaults())) {
            Load.closedLoop(local).connections(connections).warmup(Duration.ZERO).duration(GENERATOR_WARM_UP)
                    .exactDurations().progress(false).path("/hello").run();
        }
        generatorWarm = true;
    }

    /** The median of the last third of the buckets. */
    static double steadyRate(double[] rps) {
        double[] last = Arrays.copyOfRange(rps, rps.length - Math.max(1, rps.length / 3), rps.length);
        Arrays.sort(last);
        return last.length % 2 == 1 ? last[last.length / 2] : (last[last.length / 2 - 1] + last[last.length / 2]) / 2;
    }

    /** The first bucket at ≥ 90 % of {@code steady} (there is one: at least half of the last third is). */
    static int firstAtPeak(double[] rps, double steady) {
        for (int i = 0; i < rps.length; i++) {
            if (rps[i] >= PEAK_SHARE * steady) {
                return i;
            }
        }
        throw new IllegalArgumentException("no bucket reaches 90 % of " + steady);
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
