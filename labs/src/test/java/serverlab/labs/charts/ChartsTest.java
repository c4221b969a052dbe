package serverlab.labs.charts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapSeries;
import serverlab.labs.load.LoadResult;
import serverlab.labs.load.WarmUp;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

class ChartsTest {

    private static LoadResult run(double maxMs, long unanswered) {
        return new LoadResult("closed", "http://127.0.0.1:1", 50, Duration.ofSeconds(2), 100, 100, 200,
                1, 2, 3, 4, maxMs, 1.5, Map.of("timeout", 0L), unanswered, Map.of("/hello", 200L),
                Table.create("empty"), new Histogram(3), WarmUp.fixed(Duration.ZERO), Map.of("/hello", new Histogram(3)), 0);
    }

    private static List<?> labels(CategoryChart chart) {
        CategorySeries s = chart.getSeriesMap().values().iterator().next();
        List<Object> xs = new java.util.ArrayList<>();
        s.getXData().forEach(xs::add);
        return xs;
    }

    @Test
    void latencyPercentilesLeaveMaxOutByDefault() {
        Map<String, LoadResult> runs = new LinkedHashMap<>();
        runs.put("a", run(1000, 0));
        runs.put("b", run(900, 0));
        CategoryChart chart = Charts.latencyPercentiles(runs);
        assertEquals(List.of("p50", "p90", "p99", "p99.9"), labels(chart));
        assertTrue(chart.getTitle().contains("50 connections"), chart.getTitle());
        assertTrue(chart.getTitle().contains("GET /hello"), chart.getTitle());
        // max is not lost: the legend says it
        assertTrue(chart.getSeriesMap().containsKey("a (max 1000 ms)"), chart.getSeriesMap().keySet().toString());

        CategoryChart withMax = Charts.latencyPercentiles(runs, true);
        assertEquals(List.of("p50", "p90", "p99", "p99.9", "max"), labels(withMax));
    }

    @Test
    void latencyPercentilesShowUnansweredRequests() {
        CategoryChart chart = Charts.latencyPercentiles(Map.of("thread-pool", run(10, 436)));
        String name = chart.getSeriesMap().keySet().iterator().next();
        assertTrue(name.contains("436 unanswered"), name);
    }

    @Test
    void barsDrawOneSeriesPerValueColumnAndBarsBySeriesFillMissingPairsWithZero() {
        Table wide = Table.create("wide", StringColumn.create("client", "near", "far"),
                DoubleColumn.create("p50_ms", 1.0, 80.0), DoubleColumn.create("p99_ms", 5.0, 120.0));
        CategoryChart grouped = Charts.bars(wide, "client", "latency", "ms", "p50_ms", "p99_ms");
        assertEquals(List.of("p50 ms", "p99 ms"), List.copyOf(grouped.getSeriesMap().keySet()));
        assertEquals(List.of(1.0, 80.0), grouped.getSeriesMap().get("p50 ms").getYData().stream().map(Number::doubleValue).toList());
        assertEquals(List.of(5.0, 120.0), grouped.getSeriesMap().get("p99 ms").getYData().stream().map(Number::doubleValue).toList());

        Table longForm = Table.create("long", StringColumn.create("policy", "rr", "rr", "hash"),
                StringColumn.create("server", "app 1", "app 2", "app 1"), DoubleColumn.create("share", 50.0, 50.0, 100.0));
        CategoryChart bySeries = Charts.barsBySeries(longForm, "policy", "server", "share", "spread", "%");
        CategorySeries app2 = bySeries.getSeriesMap().get("app 2");
        assertEquals(List.of("rr", "hash"), List.copyOf(app2.getXData()));
        assertEquals(List.of(50.0, 0.0), app2.getYData().stream().map(Number::doubleValue).toList());
    }

    @Test
    void heatMapHasOneCellPerPairAndLeavesNaNEmpty() {
        Table t = Table.create("table",
                StringColumn.create("path", "/hello", "/hello", "/cpu", "/cpu"),
                StringColumn.create("architecture", "a", "b", "a", "b"),
                DoubleColumn.create("share", 1.0, 0.5, Double.NaN, 1.0));
        HeatMapChart chart = Charts.heatMap(t, "path", "architecture", "share", "title", "workload", "architecture");
        HeatMapSeries s = chart.getHeatMapSeries();
        assertEquals(List.of("/hello", "/cpu"), s.getXData());
        assertEquals(List.of("a", "b"), s.getYData());
        List<List<Number>> cells = s.getHeatData().stream().map(a -> java.util.Arrays.<Number>asList(a)).toList();
        assertEquals(List.of(List.<Number>of(0, 0, 1.0), List.<Number>of(0, 1, 0.5), List.<Number>of(1, 1, 1.0)), cells);
        assertTrue(Charts.toPng(chart).length > 0);
    }
}
