package serverlab.labs.experiment;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import java.util.function.UnaryOperator;
import org.knowm.xchart.XYChart;
import serverlab.labs.Quick;
import serverlab.labs.charts.Charts;
import serverlab.labs.display.DisplaySink;
import serverlab.labs.display.Displays;
import serverlab.labs.display.ProgressBar;
import serverlab.labs.load.Load;
import serverlab.labs.load.LoadResult;
import serverlab.labs.load.LoadTest;
import serverlab.labs.metrics.ProcessTreeProbe;
import serverlab.labs.metrics.ProcessTreeSample;
import serverlab.labs.metrics.Sampler;
import serverlab.servers.Server;
import serverlab.servers.ServerOptions;
import serverlab.servers.Servers;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * A parameter sweep: every architecture × option variant × workload path × value of one swept
 * parameter, one fresh server per run, one table row per run with the load figures and the
 * server's process-tree figures.
 *
 * <pre>{@code
 * Table results = Sweep.of("thread-pool", "event-loop")
 *         .connections(1, 10, 100, 1000)          // closed loop at each concurrency (the default parameter)
 *         .paths("/hello", "/sleep?ms=10")
 *         .duration(Duration.ofSeconds(5))
 *         .run();
 * Charts.throughputVsConcurrency(results);
 *
 * Table hockey = Sweep.of("thread-pool").rates(1000, 2000, 4000, 8000).run();   // open loop at each rate
 * Charts.latencyVsOfferedLoad(hockey);                                          // the knee marked: Knee.find
 * }</pre>
 *
 * <p>The swept parameter is one of {@link #connections}, {@link #rates} (open loop),
 * {@link #serverThreads}, {@link #workers}, {@link #idleConnections}, or any other through
 * {@link #parameter(String, List, BiFunction, BiFunction)}; the {@code parameter} and {@code value}
 * columns name it. Runs that do not sweep connections use {@link #connectionsPerRun} (default 50).
 *
 * <p>By default each server runs in its own child JVM ({@link HostedServer}) so that RSS,
 * threads and context switches belong to the server alone; {@link #inProcess()} starts it in
 * this JVM instead (faster to start, but the figures then include the load generator).
 *
 * <p>{@code kb_per_conn} is (peak RSS under load − idle RSS) / (connections + idle connections):
 * it includes what the load itself costs (heap growth, JIT code), so it is only meaningful at high
 * connection counts; {@link Charts#memoryPerConnection} plots the marginal cost instead.
 *
 * <p>{@code errors} counts failed requests (timeouts, resets, non-2xx…); {@code unanswered}
 * counts requests that had neither a response nor an error when the run ended, e.g.
 * connections waiting for a thread of an exhausted pool (see {@link LoadResult#unanswered()}).
 * Read both: the latency columns describe only the requests that were answered.
 *
 * <p>Durations: pass normal ones. The sweep does not scale them itself; each run's
 * {@link LoadTest} applies quick mode once (÷10), unless {@link #exactDurations()} is called.
 * Each run warms up until its throughput is steady ({@code warmup_s} says how long it took; the
 * note says when it did not settle) unless {@link #warmup(Duration)} fixes the warm-up.
 *
 * <p>A run that fails (the server does not start, the load run throws) becomes a row with
 * NaN figures and the reason in the {@code note} column, so one broken architecture does
 * not lose a long sweep.
 */
public final class Sweep {

    /** What one run measured; the load and process figures are null for a failed run. */
    private record Run(String architecture, String variant, String path, String parameter, Number value,
                       int idleConnections, LoadResult load, ProcessTreeSample idle, ProcessTreeSample peak,
                       ProcessTreeSample delta, Integer maxThreads, Integer fds, String note) {
    }

    /** One column of the result table: its name, its type, and its value in a run (null: missing). */
    private record Column(String name, ColumnType type, Function<Run, Object> value) {
    }

    private static Function<Run, Object> measured(Function<LoadResult, Object> figure) {
        return run -> run.load() == null ? null : figure.apply(run.load());
    }

    private static Function<Run, Object> process(Function<Run, Object> figure) {
        return run -> run.peak() == null ? null : figure.apply(run);
    }

    /** The result table's columns, in order: the one place that names them. */
    private static final List<Column> SCHEMA = List.of(
            new Column("architecture", ColumnType.STRING, Run::architecture),
            new Column("variant", ColumnType.STRING, Run::variant),
            new Column("path", ColumnType.STRING, Run::path),
            new Column("parameter", ColumnType.STRING, Run::parameter),
            new Column("value", ColumnType.DOUBLE, Run::value),
            new Column("mode", ColumnType.STRING, measured(LoadResult::mode)),
            new Column("connections", ColumnType.INTEGER, measured(LoadResult::connections)),
            new Column("idle_connections", ColumnType.INTEGER, Run::idleConnections),
            new Column("offered_rps", ColumnType.DOUBLE, measured(LoadResult::offeredRate)),
            new Column("rps", ColumnType.DOUBLE, measured(LoadResult::achievedRate)),
            new Column("requests", ColumnType.LONG, measured(LoadResult::requests)),
            new Column("p50_ms", ColumnType.DOUBLE, measured(LoadResult::p50Ms)),
            new Column("p90_ms", ColumnType.DOUBLE, measured(LoadResult::p90Ms)),
            new Column("p99_ms", ColumnType.DOUBLE, measured(LoadResult::p99Ms)),
            new Column("p999_ms", ColumnType.DOUBLE, measured(LoadResult::p999Ms)),
            new Column("max_ms", ColumnType.DOUBLE, measured(LoadResult::maxMs)),
            new Column("errors", ColumnType.LONG, measured(LoadResult::totalErrors)),
            new Column("unanswered", ColumnType.LONG, measured(LoadResult::unanswered)),
            new Column("warmup_s", ColumnType.DOUBLE, measured(r -> r.warmUp().took().toMillis() / 1000.0)),
            new Column("rss_idle_mb", ColumnType.DOUBLE, process(r -> r.idle().rssMb())),
            new Column("rss_mb", ColumnType.DOUBLE, process(r -> r.peak().rssMb())),
            new Column("pss_mb", ColumnType.DOUBLE, process(r -> r.peak().pssMb())),
            new Column("kb_per_conn", ColumnType.DOUBLE, process(r -> (r.peak().rssMb() - r.idle().rssMb()) * 1024
                    / (r.load().connections() + r.idleConnections()))),
            new Column("processes", ColumnType.INTEGER, process(r -> r.peak().processes())),
            new Column("threads", ColumnType.INTEGER, process(Run::maxThreads)),
            new Column("ctx_switches", ColumnType.LONG, process(r -> r.delta().contextSwitches())),
            new Column("ctx_voluntary", ColumnType.LONG, process(r -> r.delta().voluntaryCtxSwitches())),
            new Column("ctx_involuntary", ColumnType.LONG, process(r -> r.delta().involuntaryCtxSwitches())),
            new Column("cpu_user_ms", ColumnType.LONG, process(r -> r.delta().cpuUserMs())),
            new Column("cpu_sys_ms", ColumnType.LONG, process(r -> r.delta().cpuSystemMs())),
            new Column("cpu_ms", ColumnType.LONG, process(r -> r.delta().cpuMs())),
            new Column("fds", ColumnType.INTEGER, process(Run::fds)),
            new Column("note", ColumnType.STRING, Run::note));

    /** Column names of the result table, in order. */
    public static final List<String> COLUMNS = SCHEMA.stream().map(Column::name).toList();

    /** What a sweep varies: a named parameter, its values, and how one value shapes a run. */
    private record Axis(String name, List<Number> values, boolean openLoop,
                        BiFunction<ServerOptions, Number, ServerOptions> server,
                        BiFunction<LoadTest, Number, LoadTest> load,
                        ToIntFunction<Number> idleConnections) {

        static Axis ofLoad(String name, List<? extends Number> values, boolean openLoop,
                           BiFunction<LoadTest, Number, LoadTest> load) {
            return new Axis(name, List.copyOf(values), openLoop, (o, v) -> o, load, v -> 0);
        }
    }

    private final List<String> architectures;
    private final Map<String, UnaryOperator<ServerOptions>> variants = new LinkedHashMap<>();
    private Axis axis = connectionsAxis(List.of(1, 10, 100));
    private int connectionsPerRun = 50;
    private List<String> paths = List.of("/hello");
    private ServerOptions baseOptions = ServerOptions.defaults();
    private Duration duration = Duration.ofSeconds(5);
    private Duration warmup; // null: until steady
    private Duration sampleInterval = Duration.ofMillis(250);
    private Duration stopTimeout = Duration.ofSeconds(2);
    private UnaryOperator<LoadTest> loadTweak = UnaryOperator.identity();
    private boolean inProcess;
    private boolean exactDurations;
    private Boolean liveChart;

    private Sweep(List<String> architectures) {
        if (architectures.isEmpty()) {
            throw new IllegalArgumentException("name at least one architecture");
        }
        this.architectures = List.copyOf(architectures);
    }

    public static Sweep of(String... architectures) {
        return new Sweep(List.of(architectures));
    }

    public static Sweep of(List<String> architectures) {
        return new Sweep(architectures);
    }

    private static Axis connectionsAxis(List<Integer> levels) {
        return Axis.ofLoad("connections", levels, false, (t, v) -> t.connections(v.intValue()));
    }

    private static List<Integer> list(int... values) {
        return java.util.Arrays.stream(values).boxed().toList();
    }

    /** Sweeps concurrency: closed-loop connections at each level (the default: 1, 10, 100). */
    public Sweep connections(int... levels) {
        this.axis = connectionsAxis(list(levels));
        return this;
    }

    /**
     * Sweeps offered load: an open loop at each rate (requests/s) over {@link #connectionsPerRun}
     * connections. Up to and past saturation this draws the hockey stick; {@link Knee#find} marks its knee.
     */
    public Sweep rates(double... offered) {
        this.axis = Axis.ofLoad("rate", java.util.Arrays.stream(offered).boxed().toList(), true,
                (t, v) -> t.rate(v.doubleValue()));
        return this;
    }

    /** Sweeps the server's thread-pool size ({@link ServerOptions#threads()}). */
    public Sweep serverThreads(int... sizes) {
        return parameter("server_threads", list(sizes), (o, v) -> o.withThreads(v.intValue()));
    }

    /** Sweeps the number of worker processes or event loops ({@link ServerOptions#workers()}). */
    public Sweep workers(int... counts) {
        return parameter("workers", list(counts), (o, v) -> o.withWorkers(v.intValue()));
    }

    /** Sweeps connections held open and silent beside the load ({@link IdleConnections}). */
    public Sweep idleConnections(int... counts) {
        this.axis = new Axis("idle_connections", List.copyOf(list(counts)), false, (o, v) -> o, (t, v) -> t, Number::intValue);
        return this;
    }

    /** Sweeps any server option: {@code parameter("queue", List.of(0, 100), (o, v) -> o.withQueueCapacity(v.intValue()))}. */
    public Sweep parameter(String name, List<? extends Number> values, BiFunction<ServerOptions, Number, ServerOptions> server) {
        return parameter(name, values, server, (t, v) -> t);
    }

    /**
     * Sweeps anything a value can change in the server options, the closed-loop load, or both, e.g.
     * {@code parameter("sleep_ms", List.of(1, 10, 100), (o, v) -> o, (t, v) -> t.path("/sleep?ms=" + v))}.
     */
    public Sweep parameter(String name, List<? extends Number> values, BiFunction<ServerOptions, Number, ServerOptions> server,
                           BiFunction<LoadTest, Number, LoadTest> load) {
        this.axis = new Axis(name, List.copyOf(values), false, server, load, v -> 0);
        return this;
    }

    /** Connections of each run when the sweep varies something else. Default 50. */
    public Sweep connectionsPerRun(int connections) {
        this.connectionsPerRun = connections;
        return this;
    }

    /** Workloads: one handler path per workload, e.g. "/hello", "/sleep?ms=10". */
    public Sweep paths(String... paths) {
        this.paths = List.of(paths);
        return this;
    }

    /** Options every run starts from (default {@link ServerOptions#defaults()}). */
    public Sweep options(ServerOptions options) {
        this.baseOptions = Objects.requireNonNull(options);
        return this;
    }

    /** Adds a named option variant, e.g. {@code variant("poll", o -> o.withSelector("poll"))}. */
    public Sweep variant(String name, UnaryOperator<ServerOptions> tweak) {
        variants.put(name, tweak);
        return this;
    }

    /** Measured duration of each run, before quick mode (applied once, by the load test). Default 5 s. */
    public Sweep duration(Duration d) {
        this.duration = d;
        return this;
    }

    /** A fixed warm-up for each run, before quick mode, instead of warming up until throughput is steady. */
    public Sweep warmup(Duration d) {
        this.warmup = d;
        return this;
    }

    /** How often the server's process tree is sampled during each run. */
    public Sweep sampleInterval(Duration d) {
        this.sampleInterval = d;
        return this;
    }

    /** Extra load settings applied to every run, e.g. {@code t -> t.timeout(Duration.ofSeconds(5))}. */
    public Sweep load(UnaryOperator<LoadTest> tweak) {
        this.loadTweak = tweak;
        return this;
    }

    /** Uses duration and warm-up exactly as given, even in quick mode. */
    public Sweep exactDurations() {
        this.exactDurations = true;
        return this;
    }

    /** Runs servers inside this JVM (faster start; process figures then include the load generator). */
    public Sweep inProcess() {
        this.inProcess = true;
        return this;
    }

    /** Shows a chart of throughput against the swept parameter that redraws after each run (default: only in a notebook). */
    public Sweep liveChart(boolean show) {
        this.liveChart = show;
        return this;
    }

    /** Runs every combination and returns one row per run (see {@link #COLUMNS}). Quick mode keeps the first, middle and last value. */
    public Table run() {
        Map<String, UnaryOperator<ServerOptions>> variantsToRun = variants.isEmpty()
                ? Map.of("default", UnaryOperator.identity()) : variants;
        List<Number> values = Quick.trim(axis.values());
        Table table = emptyTable();
        int total = architectures.size() * variantsToRun.size() * paths.size() * values.size();
        boolean live = liveChart != null ? liveChart : Displays.inNotebook();
        DisplaySink sink = Displays.current();
        String chartId = null;
        try (ProgressBar bar = ProgressBar.start("sweep: " + total + " runs", total)) {
            for (String architecture : architectures) {
                for (var variant : variantsToRun.entrySet()) {
                    for (String path : paths) {
                        for (Number value : values) {
                            appendRow(table, runOne(architecture, variant.getKey(),
                                    variant.getValue().apply(baseOptions), path, value));
                            bar.advance();
                            if (live) {
                                XYChart chart = axis.name().equals("connections")
                                        ? Charts.throughputVsConcurrency(table) : Charts.vsParameter(table, "rps", "throughput (requests/s)");
                                if (chartId == null) {
                                    chartId = sink.display(chart);
                                } else {
                                    sink.update(chartId, chart);
                                }
                            }
                        }
                    }
                }
            }
        }
        return table;
    }

    private Run runOne(String architecture, String variant, ServerOptions variantOptions, String path, Number value) {
        ServerOptions options = axis.server().apply(variantOptions, value);
        int idleCount = axis.idleConnections().applyAsInt(value);
        Server server = null;
        try {
            server = inProcess ? Servers.start(architecture, options) : HostedServer.start(architecture, options);
            ProcessTreeSample idle = ProcessTreeProbe.of(server.pid()).sample();
            LoadTest test = (axis.openLoop() ? Load.openLoop(server) : Load.closedLoop(server))
                    .connections(connectionsPerRun).path(path).duration(duration).progress(false);
            if (warmup != null) {
                test.warmup(warmup);
            }
            if (exactDurations) {
                test.exactDurations();
            }
            LoadTest configured = loadTweak.apply(axis.load().apply(test, value));
            Sampler.Sampled<LoadResult> sampled;
            try (IdleConnections silent = IdleConnections.open(server.address(), idleCount)) {
                sampled = Sampler.around(server.pid(), sampleInterval, configured::run);
            }
            LoadResult r = sampled.result();
            Table samples = sampled.samples();
            int maxThreads = samples.intColumn("threads").isEmpty()
                    ? sampled.peak().threads() : (int) samples.intColumn("threads").max();
            List<String> notes = new ArrayList<>();
            if (inProcess) {
                notes.add("in-process: figures include the load generator");
            }
            if (r.warmUp().untilSteady() && !r.warmUp().steady()) {
                notes.add("warm-up not steady after " + r.warmUp().took().toMillis() + " ms");
            }
            return new Run(architecture, variant, path, axis.name(), value, idleCount, r, idle, sampled.peak(),
                    sampled.last().minus(sampled.first()), maxThreads, (int) samples.intColumn("fds").max(),
                    String.join("; ", notes));
        } catch (RuntimeException e) {
            return new Run(architecture, variant, path, axis.name(), value, idleCount, null, null, null, null, null, null,
                    "failed: " + e.getMessage());
        } finally {
            if (server != null) {
                server.stopGracefully(stopTimeout);
                server.close();
            }
        }
    }

    static Table emptyTable() {
        Table t = Table.create("sweep");
        for (Column column : SCHEMA) {
            t.addColumns(column.type().create(column.name()));
        }
        return t;
    }

    /** Appends one row; a figure a failed run lacks becomes NaN/missing. */
    private static void appendRow(Table table, Run run) {
        for (Column column : SCHEMA) {
            Object v = column.value().apply(run);
            var c = table.column(column.name());
            if (c instanceof StringColumn s) {
                s.append(v == null ? "" : v.toString());
            } else if (c instanceof IntColumn i) {
                if (v == null) i.appendMissing(); else i.append(((Number) v).intValue());
            } else if (c instanceof LongColumn l) {
                if (v == null) l.appendMissing(); else l.append(((Number) v).longValue());
            } else if (c instanceof DoubleColumn d) {
                d.append(v == null ? Double.NaN : ((Number) v).doubleValue());
            }
        }
    }
}
