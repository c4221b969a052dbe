package serverlab.labs.experiment;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * A parameter sweep: every architecture × option variant × workload path × concurrency
 * level, one fresh server per run, one table row per run with the load figures and the
 * server's process-tree figures.
 *
 * <pre>{@code
 * Table results = Sweep.of("thread-pool", "event-loop")
 *         .connections(1, 10, 100, 1000)
 *         .paths("/hello", "/sleep?ms=10")
 *         .duration(Duration.ofSeconds(5))
 *         .run();
 * Charts.throughputVsConcurrency(results);
 * }</pre>
 *
 * <p>By default each server runs in its own child JVM ({@link HostedServer}) so that RSS,
 * threads and context switches belong to the server alone; {@link #inProcess()} starts it in
 * this JVM instead (faster to start, but the figures then include the load generator).
 *
 * <p>{@code kb_per_conn} is (peak RSS under load − idle RSS) / connections: it includes
 * what the load itself costs (heap growth, JIT code), so it is only meaningful at high
 * connection counts; {@link Charts#memoryPerConnection} plots the marginal cost instead.
 *
 * <p>{@code errors} counts failed requests (timeouts, resets, non-2xx…); {@code unanswered}
 * counts requests that had neither a response nor an error when the run ended, e.g.
 * connections waiting for a thread of an exhausted pool (see {@link LoadResult#unanswered()}).
 * Read both: the latency columns describe only the requests that were answered.
 *
 * <p>Durations: pass normal ones. The sweep does not scale them itself; each run's
 * {@link LoadTest} applies quick mode once (÷10), unless {@link #exactDurations()} is called.
 *
 * <p>A run that fails (the server does not start, the load run throws) becomes a row with
 * NaN figures and the reason in the {@code note} column, so one broken architecture does
 * not lose a long sweep.
 */
public final class Sweep {

    /** Column names of the result table, in order. */
    public static final List<String> COLUMNS = List.of(
            "architecture", "variant", "path", "connections", "rps", "requests",
            "p50_ms", "p90_ms", "p99_ms", "p999_ms", "max_ms", "errors", "unanswered",
            "rss_idle_mb", "rss_mb", "pss_mb", "kb_per_conn", "processes", "threads",
            "ctx_switches", "ctx_voluntary", "ctx_involuntary", "cpu_user_ms", "cpu_sys_ms", "cpu_ms", "fds", "note");

    private final List<String> architectures;
    private final Map<String, UnaryOperator<ServerOptions>> variants = new LinkedHashMap<>();
    private List<Integer> connections = List.of(1, 10, 100);
    private List<String> paths = List.of("/hello");
    private ServerOptions baseOptions = ServerOptions.defaults();
    private Duration duration = Duration.ofSeconds(5);
    private Duration warmup = Duration.ofSeconds(1);
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

    /** Concurrency levels (closed-loop connections). Quick mode keeps first, middle and last. */
    public Sweep connections(int... levels) {
        List<Integer> list = new ArrayList<>();
        for (int level : levels) {
            list.add(level);
        }
        this.connections = List.copyOf(list);
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

    /** Warm-up of each run, before quick mode. Default 1 s. */
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

    /** Shows a throughput-vs-concurrency chart that redraws after each run (default: only in a notebook). */
    public Sweep liveChart(boolean show) {
        this.liveChart = show;
        return this;
    }

    /** Runs every combination and returns one row per run (see {@link #COLUMNS}). */
    public Table run() {
        Map<String, UnaryOperator<ServerOptions>> variantsToRun = variants.isEmpty()
                ? Map.of("default", UnaryOperator.identity()) : variants;
        List<Integer> levels = Quick.trim(connections);
        Table table = emptyTable();
        int total = architectures.size() * variantsToRun.size() * paths.size() * levels.size();
        boolean live = liveChart != null ? liveChart : Displays.inNotebook();
        DisplaySink sink = Displays.current();
        String chartId = null;
        try (ProgressBar bar = ProgressBar.start("sweep: " + total + " runs", total)) {
            for (String architecture : architectures) {
                for (var variant : variantsToRun.entrySet()) {
                    for (String path : paths) {
                        for (int level : levels) {
                            appendRow(table, runOne(architecture, variant.getKey(),
                                    variant.getValue().apply(baseOptions), path, level));
                            bar.advance();
                            if (live) {
                                XYChart chart = Charts.throughputVsConcurrency(table);
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

    /** The figures of one run, keyed by column name. */
    private Map<String, Object> runOne(String architecture, String variant, ServerOptions options, String path, int level) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("architecture", architecture);
        row.put("variant", variant);
        row.put("path", path);
        row.put("connections", level);
        Server server = null;
        try {
            server = inProcess ? Servers.start(architecture, options) : HostedServer.start(architecture, options);
            ProcessTreeProbe probe = ProcessTreeProbe.of(server.pid());
            ProcessTreeSample idle = probe.sample();
            LoadTest test = Load.closedLoop(server).connections(level).path(path)
                    .duration(duration).warmup(warmup).progress(false);
            if (exactDurations) {
                test.exactDurations();
            }
            var sampled = Sampler.around(server.pid(), sampleInterval, () -> loadTweak.apply(test).run());
            LoadResult r = sampled.result();
            ProcessTreeSample peak = sampled.peak();
            ProcessTreeSample delta = sampled.last().minus(sampled.first());
            int maxThreads = sampled.samples().intColumn("threads").isEmpty()
                    ? peak.threads() : (int) sampled.samples().intColumn("threads").max();
            row.put("rps", r.achievedRate());
            row.put("requests", r.requests());
            row.put("p50_ms", r.p50Ms());
            row.put("p90_ms", r.p90Ms());
            row.put("p99_ms", r.p99Ms());
            row.put("p999_ms", r.p999Ms());
            row.put("max_ms", r.maxMs());
            row.put("errors", r.totalErrors());
            row.put("unanswered", r.unanswered());
            row.put("rss_idle_mb", idle.rssMb());
            row.put("rss_mb", peak.rssMb());
            row.put("pss_mb", peak.pssMb());
            row.put("kb_per_conn", (peak.rssMb() - idle.rssMb()) * 1024 / level);
            row.put("processes", peak.processes());
            row.put("threads", maxThreads);
            row.put("ctx_switches", delta.contextSwitches());
            row.put("ctx_voluntary", delta.voluntaryCtxSwitches());
            row.put("ctx_involuntary", delta.involuntaryCtxSwitches());
            row.put("cpu_user_ms", delta.cpuUserMs());
            row.put("cpu_sys_ms", delta.cpuSystemMs());
            row.put("cpu_ms", delta.cpuMs());
            row.put("fds", (int) sampled.samples().intColumn("fds").max());
            row.put("note", inProcess ? "in-process: figures include the load generator" : "");
        } catch (RuntimeException e) {
            row.put("note", "failed: " + e.getMessage());
        } finally {
            if (server != null) {
                server.stopGracefully(stopTimeout);
                server.close();
            }
        }
        return row;
    }

    static Table emptyTable() {
        Table t = Table.create("sweep");
        for (String column : COLUMNS) {
            t.addColumns(switch (column) {
                case "architecture", "variant", "path", "note" -> StringColumn.create(column);
                case "connections", "processes", "threads", "fds" -> IntColumn.create(column);
                case "requests", "errors", "unanswered", "ctx_switches", "ctx_voluntary", "ctx_involuntary",
                     "cpu_user_ms", "cpu_sys_ms", "cpu_ms" -> LongColumn.create(column);
                default -> DoubleColumn.create(column);
            });
        }
        return t;
    }

    /** Appends one row; a figure missing from {@code values} (a failed run) becomes NaN/missing. */
    private static void appendRow(Table table, Map<String, Object> values) {
        for (String column : COLUMNS) {
            Object v = values.get(column);
            var c = table.column(column);
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
