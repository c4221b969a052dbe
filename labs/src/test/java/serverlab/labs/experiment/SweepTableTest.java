package serverlab.labs.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.CategoryChart;
import serverlab.labs.charts.Charts;
import tech.tablesaw.api.Table;

/** The sweep table's shape and the charts drawn from it, without running servers. */
class SweepTableTest {

    private static Table table() {
        Table t = Sweep.emptyTable();
        addRow(t, "thread-pool", 500, 0, 436);
        addRow(t, "event-loop", 500, 0, 0);
        return t;
    }

    private static void addRow(Table t, String architecture, int connections, long errors, long unanswered) {
        for (String column : Sweep.COLUMNS) {
            switch (column) {
                case "architecture" -> t.stringColumn(column).append(architecture);
                case "variant" -> t.stringColumn(column).append("default");
                case "path" -> t.stringColumn(column).append("/hello");
                case "note", "mode", "parameter" -> t.stringColumn(column).append(column.equals("parameter") ? "connections" : "");
                case "connections" -> t.intColumn(column).append(connections);
                case "errors" -> t.longColumn(column).append(errors);
                case "unanswered" -> t.longColumn(column).append(unanswered);
                case "max_ms" -> t.doubleColumn(column).append(2000.0);
                default -> {
                    var c = t.column(column);
                    if (c instanceof tech.tablesaw.api.IntColumn i) i.append(1);
                    else if (c instanceof tech.tablesaw.api.LongColumn l) l.append(1L);
                    else t.doubleColumn(column).append(1.0);
                }
            }
        }
    }

    @Test
    void sweepTableHasAnUnansweredColumnNextToErrors() {
        int errors = Sweep.COLUMNS.indexOf("errors");
        assertEquals("unanswered", Sweep.COLUMNS.get(errors + 1));
        assertEquals(Sweep.COLUMNS, Sweep.emptyTable().columnNames());
    }

    @Test
    void sweepLatencyPercentilesDefaultToNoMaxAndNameConnectionsAndPath() {
        CategoryChart chart = Charts.latencyPercentiles(table());
        assertEquals("Latency percentiles, 500 connections, GET /hello", chart.getTitle());
        var names = List.copyOf(chart.getSeriesMap().keySet());
        assertEquals(List.of("thread-pool (max 2000 ms; 436 unanswered)", "event-loop (max 2000 ms)"), names);
        List<Object> xs = new java.util.ArrayList<>();
        chart.getSeriesMap().values().iterator().next().getXData().forEach(xs::add);
        assertEquals(List.of("p50", "p90", "p99", "p99.9"), xs);

        CategoryChart withMax = Charts.latencyPercentiles(table(), -1, true);
        List<Object> xsMax = new java.util.ArrayList<>();
        withMax.getSeriesMap().values().iterator().next().getXData().forEach(xsMax::add);
        assertTrue(xsMax.contains("max"));
        assertTrue(withMax.getSeriesMap().containsKey("thread-pool (436 unanswered)"), withMax.getSeriesMap().keySet().toString());
    }
}
