package serverlab.labs.charts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import serverlab.labs.experiment.Knee;
import serverlab.labs.load.LoadResult;
import tech.tablesaw.api.Row;
import tech.tablesaw.api.Table;

/**
 * Chart presets for experiment tables. Every chart is titled and its axes name their units.
 * The results are plain XChart objects: the kernel renders them as PNG/SVG, and
 * {@link #toPng} gives the bytes anywhere else.
 *
 * <p>Sweep charts draw one series per architecture (with the variant and path added to the
 * series name when a sweep has several) and skip failed runs (NaN figures).
 */
public final class Charts {

    private static final int WIDTH = 800;
    private static final int HEIGHT = 500;

    private Charts() {
    }

    /** Requests per second against concurrent connections, log-scale x. */
    public static XYChart throughputVsConcurrency(Table sweep) {
        return perSeries(sweep, "connections", "rps", "Throughput vs concurrency", "concurrent connections",
                "throughput (requests/s)", true, false);
    }

    /** One latency percentile column (e.g. {@code "p99_ms"}) against connections, log-scale x and y. */
    public static XYChart latencyVsConcurrency(Table sweep, String percentileColumn) {
        return perSeries(sweep, "connections", percentileColumn,
                "Latency " + percentileName(percentileColumn) + " vs concurrency", "concurrent connections",
                "latency (ms)", true, true);
    }

    /**
     * Any figure of a sweep against its swept parameter (the {@code value} column, titled by the
     * {@code parameter} column), e.g. {@code vsParameter(sweep, "rps", "throughput (requests/s)")}.
     */
    public static XYChart vsParameter(Table sweep, String column, String yTitle) {
        String parameter = sweep.isEmpty() ? "value" : sweep.stringColumn("parameter").get(0);
        return perSeries(sweep, "value", column, column + " vs " + parameter, parameter, yTitle, false, false);
    }

    /**
     * The hockey stick of a rate sweep ({@code Sweep.rates}): p99 latency against offered load, one
     * line per series, each series' knee ({@link serverlab.labs.experiment.Knee#find}) marked and named
     * in the legend. Linear axes from 0, so the knee looks like one.
     */
    public static XYChart latencyVsOfferedLoad(Table rateSweep) {
        XYChart chart = perSeries(rateSweep, "offered_rps", "p99_ms", "Latency p99 vs offered load",
                "offered load (requests/s)", "latency p99 (ms)", false, false);
        chart.getStyler().setYAxisMin(0.0).setXAxisMin(0.0);
        for (Knee knee : Knee.find(rateSweep)) {
            XYSeries marker = chart.addSeries(String.format(Locale.ROOT, "knee of %s: %,.0f req/s", knee.series(),
                    knee.offeredRps()), new double[] {knee.offeredRps()}, new double[] {knee.p99Ms()});
            marker.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            marker.setMarker(SeriesMarkers.DIAMOND);
        }
        return chart;
    }

    /** Achieved against offered throughput of a rate sweep: on the diagonal until the server saturates. */
    public static XYChart throughputVsOfferedLoad(Table rateSweep) {
        XYChart chart = perSeries(rateSweep, "offered_rps", "rps", "Achieved vs offered load",
                "offered load (requests/s)", "achieved throughput (requests/s)", false, false);
        chart.getStyler().setYAxisMin(0.0).setXAxisMin(0.0);
        return chart;
    }

    private static String percentileName(String column) {
        return column.replace("_ms", "").replace("p999", "p99.9");
    }

    /**
     * Marginal memory per connection: for each level above a series' lowest,
     * (RSS − RSS at the lowest level) / (connections − lowest connections). The marginal cost
     * cancels what every run pays anyway (heap growth from the load itself, JIT code).
     */
    public static XYChart memoryPerConnection(Table sweep) {
        XYChart chart = xyChart("Memory per connection (marginal)", "concurrent connections",
                "extra RSS per added connection (KiB)");
        chart.getStyler().setXAxisLogarithmic(true);
        Map<String, List<double[]>> points = new LinkedHashMap<>();
        for (Row row : sweep) {
            if (!Double.isNaN(row.getDouble("rss_mb"))) {
                points.computeIfAbsent(seriesName(sweep, row), k -> new ArrayList<>())
                        .add(new double[] {row.getInt("connections"), row.getDouble("rss_mb")});
            }
        }
        boolean any = false;
        for (var entry : points.entrySet()) {
            List<double[]> p = entry.getValue();
            p.sort((a, b) -> Double.compare(a[0], b[0]));
            double[] base = p.get(0);
            List<double[]> marginal = p.stream().filter(a -> a[0] > base[0])
                    .map(a -> new double[] {a[0], (a[1] - base[1]) * 1024 / (a[0] - base[0])}).toList();
            if (!marginal.isEmpty()) {
                chart.addSeries(entry.getKey(), marginal.stream().mapToDouble(a -> a[0]).toArray(),
                        marginal.stream().mapToDouble(a -> a[1]).toArray());
                any = true;
            }
        }
        if (!any) {
            chart.getStyler().setXAxisLogarithmic(false);
            chart.addSeries("no data (needs two concurrency levels)", new double[] {0}, new double[] {0});
        }
        return chart;
    }

    /** Peak resident memory of the server's process tree against connections. */
    public static XYChart memoryVsConcurrency(Table sweep) {
        return perSeries(sweep, "connections", "rss_mb", "Memory vs concurrency", "concurrent connections",
                "RSS of the process tree (MiB)", true, false);
    }

    /**
     * Latency percentiles p50, p90, p99, p99.9 per series at the highest concurrency each series
     * reached. {@code max} is left out so one outlier does not flatten the rest on the linear
     * axis; each series' legend names its max instead. See {@link #latencyPercentiles(Table, int, boolean)}.
     */
    public static CategoryChart latencyPercentiles(Table sweep) {
        return latencyPercentiles(sweep, -1, false);
    }

    /** As {@link #latencyPercentiles(Table)}, at the given connections level (-1: each series' highest). */
    public static CategoryChart latencyPercentiles(Table sweep, int connections) {
        return latencyPercentiles(sweep, connections, false);
    }

    /**
     * Latency percentiles per series of a sweep table at the given connections level (-1: each
     * series' highest), with a {@code max} bar too if {@code includeMax}. The title names the
     * connections and, when the sweep has a single path, the path. Series with errors or
     * unanswered requests say so in the legend: their percentiles cover only answered requests.
     */
    public static CategoryChart latencyPercentiles(Table sweep, int connections, boolean includeMax) {
        Map<String, Row> chosen = new LinkedHashMap<>();
        Map<String, Integer> chosenLevel = new LinkedHashMap<>();
        for (Row row : sweep) {
            if (Double.isNaN(row.getDouble("p50_ms"))) {
                continue;
            }
            int level = row.getInt("connections");
            String series = seriesName(sweep, row);
            boolean wanted = connections < 0 ? level > chosenLevel.getOrDefault(series, -1) : level == connections;
            if (wanted) {
                chosen.put(series, sweep.row(row.getRowNumber()));
                chosenLevel.put(series, level);
            }
        }
        String at;
        if (connections >= 0) {
            at = connections + " connections";
        } else if (chosenLevel.isEmpty()) {
            at = "highest concurrency";
        } else if (chosenLevel.values().stream().distinct().count() == 1) {
            at = chosenLevel.values().iterator().next() + " connections";
        } else {
            at = "highest concurrency";
        }
        String title = "Latency percentiles, " + at;
        if (sweep.containsColumn("path") && sweep.stringColumn("path").countUnique() == 1 && !sweep.isEmpty()) {
            title += ", GET " + sweep.stringColumn("path").get(0);
        }
        CategoryChart chart = categoryChart(title, "percentile", "latency (ms)");
        for (var entry : chosen.entrySet()) {
            Row r = entry.getValue();
            List<Double> values = new ArrayList<>(List.of(r.getDouble("p50_ms"), r.getDouble("p90_ms"),
                    r.getDouble("p99_ms"), r.getDouble("p999_ms")));
            if (includeMax) {
                values.add(r.getDouble("max_ms"));
            }
            long errors = sweep.containsColumn("errors") ? longOrZero(r, "errors") : 0;
            long unanswered = sweep.containsColumn("unanswered") ? longOrZero(r, "unanswered") : 0;
            chart.addSeries(legend(entry.getKey(), includeMax ? Double.NaN : r.getDouble("max_ms"), errors, unanswered),
                    labels(includeMax), values);
        }
        return chart;
    }

    /**
     * Latency percentiles p50, p90, p99, p99.9 of several load runs side by side, e.g. open vs
     * closed loop; {@code max} only in the legend (see {@link #latencyPercentiles(Map, boolean)}).
     * The title names the connections and path when all runs share them.
     */
    public static CategoryChart latencyPercentiles(Map<String, LoadResult> runs) {
        return latencyPercentiles(runs, false);
    }

    /**
     * As {@link #latencyPercentiles(Map)}, with a {@code max} bar too if {@code includeMax}. Runs
     * with errors or unanswered requests say so in the legend, e.g.
     * {@code "thread-pool (max 812 ms; 436 unanswered)"}.
     */
    public static CategoryChart latencyPercentiles(Map<String, LoadResult> runs, boolean includeMax) {
        StringBuilder title = new StringBuilder("Latency percentiles");
        var conns = runs.values().stream().map(LoadResult::connections).distinct().toList();
        if (conns.size() == 1) {
            title.append(", ").append(conns.get(0)).append(conns.get(0) == 1 ? " connection" : " connections");
        }
        var paths = runs.values().stream().map(r -> r.requestsPerPath().keySet()).distinct().toList();
        if (paths.size() == 1 && paths.get(0).size() == 1) {
            title.append(", GET ").append(paths.get(0).iterator().next());
        }
        CategoryChart chart = categoryChart(title.toString(), "percentile", "latency (ms)");
        runs.forEach((name, r) -> {
            List<Double> values = new ArrayList<>(List.of(r.p50Ms(), r.p90Ms(), r.p99Ms(), r.p999Ms()));
            if (includeMax) {
                values.add(r.maxMs());
            }
            chart.addSeries(legend(name, includeMax ? Double.NaN : r.maxMs(), r.totalErrors(), r.unanswered()),
                    labels(includeMax), values);
        });
        return chart;
    }

    /**
     * Completed requests per second over the run, bucket by bucket: the {@code rps} column of
     * {@link LoadResult#timeSeries()}, so a partial last bucket is scaled by its length. The title
     * names the bucket width and reports errors and unanswered requests, which completed requests
     * do not show.
     */
    public static XYChart throughputOverTime(LoadResult run) {
        return timeSeries(run.timeSeries(), "time_s", "Throughput over time, " + bucketWidth(run) + problems(run),
                "time since the measurement started (s)", "requests/s", "rps");
    }

    /** p50 and p99 latency per bucket over the run (of answered requests; the title reports the rest). */
    public static XYChart latencyOverTime(LoadResult run) {
        return timeSeries(run.timeSeries(), "time_s", "Latency over time, " + bucketWidth(run) + problems(run),
                "time since the measurement started (s)", "latency (ms)", "p50", "p99");
    }

    /**
     * Latency percentiles p50, p90, p99, p99.9 of each path of a mixed run ({@link LoadResult#perPath()}),
     * one series per path; each legend gives its request count and max.
     */
    public static CategoryChart latencyPercentilesByPath(LoadResult run) {
        CategoryChart chart = categoryChart("Latency percentiles per path, " + run.connections() + " connections"
                + problems(run), "percentile", "latency (ms)");
        for (Row r : run.perPath()) {
            chart.addSeries(legend(r.getString("path") + ", " + r.getLong("count") + " requests", r.getDouble("max_ms"), 0, 0),
                    labels(false), List.of(r.getDouble("p50_ms"), r.getDouble("p90_ms"), r.getDouble("p99_ms"),
                            r.getDouble("p999_ms")));
        }
        return chart;
    }

    /** "per 100 ms buckets", from the time series' name ("load per 100 ms"). */
    private static String bucketWidth(LoadResult run) {
        String name = run.timeSeries().name();
        return name.startsWith("load per ") ? name.substring("load ".length()) + " buckets" : "per bucket";
    }

    /** Resident memory (RSS and PSS) over time, from a {@link serverlab.labs.metrics.Sampler} table. */
    public static XYChart memoryOverTime(Table samples) {
        return timeSeries(samples, "time_s", "Memory over time", "time (s)", "memory (MiB)", "rss_mb", "pss_mb");
    }

    /** Any numeric columns of {@code table} against {@code xColumn}, one line each. */
    public static XYChart timeSeries(Table table, String xColumn, String title, String xAxisTitle,
                                     String yAxisTitle, String... yColumns) {
        XYChart chart = xyChart(title, xAxisTitle, yAxisTitle);
        double[] x = table.numberColumn(xColumn).asDoubleArray();
        for (String y : yColumns) {
            chart.addSeries(y, x.length == 0 ? new double[] {0} : x,
                    x.length == 0 ? new double[] {0} : table.numberColumn(y).asDoubleArray());
        }
        return chart;
    }

    /** A bar per row: {@code valueColumn} by {@code categoryColumn}, e.g. rps by architecture. */
    public static CategoryChart bar(Table table, String categoryColumn, String valueColumn, String title, String yAxisTitle) {
        CategoryChart chart = categoryChart(title, categoryColumn, yAxisTitle);
        List<String> categories = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        for (Row row : table) {
            double v = row.getNumber(valueColumn);
            if (!Double.isNaN(v)) {
                categories.add(row.getObject(categoryColumn).toString());
                values.add(v);
            }
        }
        chart.addSeries(valueColumn, categories, values);
        chart.getStyler().setLegendVisible(false);
        return chart;
    }

    /**
     * Grouped bars from a wide table: one group per row (labelled by {@code categoryColumn}), one bar per value
     * column, e.g. p50 and p99 per client.
     */
    public static CategoryChart bars(Table table, String categoryColumn, String title, String yAxisTitle, String... valueColumns) {
        CategoryChart chart = categoryChart(title, categoryColumn.replace('_', ' '), yAxisTitle);
        List<String> categories = table.column(categoryColumn).asList().stream().map(Object::toString).toList();
        for (String value : valueColumns) {
            List<Double> values = new ArrayList<>();
            for (int i = 0; i < table.rowCount(); i++) values.add(table.numberColumn(value).getDouble(i));
            chart.addSeries(value.replace('_', ' '), categories, values);
        }
        return chart;
    }

    /**
     * Grouped bars from a long table: one group per distinct {@code categoryColumn}, one series per distinct
     * {@code seriesColumn}, e.g. requests share by policy (group) and server (series); a missing pair draws 0.
     */
    public static CategoryChart barsBySeries(Table table, String categoryColumn, String seriesColumn, String valueColumn,
                                             String title, String yAxisTitle) {
        CategoryChart chart = categoryChart(title, categoryColumn.replace('_', ' '), yAxisTitle);
        List<String> categories = table.column(categoryColumn).asList().stream().map(Object::toString).distinct().toList();
        List<String> series = table.column(seriesColumn).asList().stream().map(Object::toString).distinct().toList();
        for (String name : series) {
            Map<String, Double> byCategory = new LinkedHashMap<>();
            for (int i = 0; i < table.rowCount(); i++) {
                if (table.column(seriesColumn).get(i).toString().equals(name)) {
                    byCategory.put(table.column(categoryColumn).get(i).toString(), table.numberColumn(valueColumn).getDouble(i));
                }
            }
            chart.addSeries(name, categories, categories.stream().map(c -> byCategory.getOrDefault(c, 0.0)).toList());
        }
        return chart;
    }

    /**
     * A heat map of {@code valueColumn}: one cell per (x, y) pair of the table, e.g. normalised throughput
     * by workload (x) and architecture (y). Categories keep the table's order of first appearance; a
     * missing or NaN value leaves its cell empty. Each cell shows its value.
     */
    public static HeatMapChart heatMap(Table table, String xColumn, String yColumn, String valueColumn,
                                       String title, String xAxisTitle, String yAxisTitle) {
        List<String> xs = new ArrayList<>(), ys = new ArrayList<>();
        List<Number[]> cells = new ArrayList<>();
        for (Row row : table) {
            String x = row.getObject(xColumn).toString(), y = row.getObject(yColumn).toString();
            if (!xs.contains(x)) xs.add(x);
            if (!ys.contains(y)) ys.add(y);
            double v = row.getNumber(valueColumn);
            if (!Double.isNaN(v)) {
                cells.add(new Number[] {xs.indexOf(x), ys.indexOf(y), v});
            }
        }
        HeatMapChart chart = new HeatMapChartBuilder().width(WIDTH).height(HEIGHT)
                .title(title).xAxisTitle(xAxisTitle).yAxisTitle(yAxisTitle).build();
        chart.getStyler().setShowValue(true).setHeatMapValueDecimalPattern("0.00");
        chart.addSeries(valueColumn, xs, ys, cells);
        return chart;
    }

    /** The chart rendered as PNG bytes. */
    public static byte[] toPng(Chart<?, ?> chart) {
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render chart", e);
        }
    }

    // ---- helpers --------------------------------------------------------------------------

    private static List<String> labels(boolean includeMax) {
        return includeMax ? List.of("p50", "p90", "p99", "p99.9", "max") : List.of("p50", "p90", "p99", "p99.9");
    }

    /** "name (max 812 ms; 3 errors; 436 unanswered)", leaving out what is absent or zero. */
    private static String legend(String name, double maxMs, long errors, long unanswered) {
        List<String> notes = new ArrayList<>();
        if (!Double.isNaN(maxMs)) {
            notes.add(String.format(Locale.ROOT, maxMs >= 10 ? "max %.0f ms" : "max %.1f ms", maxMs));
        }
        notes.addAll(problemNotes(errors, unanswered));
        return notes.isEmpty() ? name : name + " (" + String.join("; ", notes) + ")";
    }

    /** " (3 errors, 436 unanswered)" for a run that had them, else "". */
    private static String problems(LoadResult run) {
        List<String> notes = problemNotes(run.totalErrors(), run.unanswered());
        return notes.isEmpty() ? "" : " (" + String.join(", ", notes) + ")";
    }

    private static List<String> problemNotes(long errors, long unanswered) {
        List<String> notes = new ArrayList<>();
        if (errors > 0) {
            notes.add(errors + (errors == 1 ? " error" : " errors"));
        }
        if (unanswered > 0) {
            notes.add(unanswered + " unanswered");
        }
        return notes;
    }

    private static long longOrZero(Row row, String column) {
        return row.isMissing(column) ? 0 : row.getLong(column);
    }

    private static XYChart perSeries(Table sweep, String xColumn, String column, String title, String xTitle,
                                     String yTitle, boolean logX, boolean logY) {
        XYChart chart = xyChart(title, xTitle, yTitle);
        chart.getStyler().setXAxisLogarithmic(logX);
        Map<String, List<double[]>> points = new LinkedHashMap<>();
        for (Row row : sweep) {
            double x = row.getNumber(xColumn);
            double y = row.getNumber(column);
            if (Double.isNaN(x) || Double.isNaN(y) || (logY && y <= 0)) {
                continue; // a failed run, or a value a log axis cannot show
            }
            points.computeIfAbsent(seriesName(sweep, row), k -> new ArrayList<>()).add(new double[] {x, y});
        }
        chart.getStyler().setYAxisLogarithmic(logY && !points.isEmpty());
        for (var entry : points.entrySet()) {
            List<double[]> p = entry.getValue();
            p.sort((a, b) -> Double.compare(a[0], b[0]));
            chart.addSeries(entry.getKey(), p.stream().mapToDouble(a -> a[0]).toArray(),
                    p.stream().mapToDouble(a -> a[1]).toArray());
        }
        if (points.isEmpty()) {
            chart.getStyler().setXAxisLogarithmic(false);
            chart.addSeries("no data", new double[] {0}, new double[] {0});
        }
        return chart;
    }

    /**
     * A load step ({@code LoadStep}'s time series): p99 latency per case on the left axis (log scale), the servers each
     * case pays for on the right, over time. The gap between the servers lines is the cost; the p99 lines, what it buys.
     */
    public static XYChart loadStep(Table timeSeries) {
        XYChart chart = xyChart("Load step: p99 latency and servers paid for", "time (s)", "latency p99 (ms)");
        chart.getStyler().setYAxisLogarithmic(true).setYAxisGroupPosition(1, Styler.YAxisPosition.Right)
                .setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.setYAxisGroupTitle(1, "servers");
        for (String name : timeSeries.stringColumn("case").asList().stream().distinct().toList()) {
            Table rows = timeSeries.where(timeSeries.stringColumn("case").isEqualTo(name));
            double[] t = rows.doubleColumn("t_s").asDoubleArray();
            double[] p99 = rows.doubleColumn("p99_ms").asDoubleArray();
            for (int i = 0; i < p99.length; i++) {
                p99[i] = Math.max(p99[i], 0.1); // an empty bucket has no latency; the log axis needs > 0
            }
            chart.addSeries(name + ": p99 (ms)", t, p99).setMarker(SeriesMarkers.NONE);
            XYSeries servers = chart.addSeries(name + ": servers", t, rows.intColumn("servers").asDoubleArray());
            servers.setYAxisGroup(1);
            servers.setMarker(SeriesMarkers.NONE);
            servers.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
        }
        return chart;
    }

    /** A sweep row's series: "architecture", plus variant and path when the sweep has more than one of them. */
    public static String seriesName(Table sweep, Row row) {
        StringBuilder name = new StringBuilder(row.getString("architecture"));
        if (sweep.containsColumn("variant") && sweep.stringColumn("variant").countUnique() > 1) {
            name.append(" / ").append(row.getString("variant"));
        }
        if (sweep.containsColumn("path") && sweep.stringColumn("path").countUnique() > 1) {
            name.append(' ').append(row.getString("path"));
        }
        return name.toString();
    }

    private static XYChart xyChart(String title, String xTitle, String yTitle) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setMarkerSize(6);
        return chart;
    }

    private static CategoryChart categoryChart(String title, String xTitle, String yTitle) {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
                .title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        return chart;
    }
}
