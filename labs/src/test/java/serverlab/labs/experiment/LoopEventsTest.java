package serverlab.labs.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import serverlab.labs.load.Load;
import serverlab.labs.load.LoadResult;
import serverlab.servers.Server;
import serverlab.servers.ServerStats;
import serverlab.servers.Servers;
import tech.tablesaw.api.Row;
import tech.tablesaw.api.Table;

class LoopEventsTest {

    private static ServerStats stats(Map<String, Long> loopEvents) {
        return new ServerStats(0, 0, 0, 0, Map.of(), loopEvents);
    }

    private static Map<String, Long> loop(String name, long wakeups, long readyKeys, long reads) {
        Map<String, Long> counts = new HashMap<>();
        for (String event : LoopEvents.EVENTS) counts.put(name + "." + event, 0L);
        counts.put(name + ".wakeups", wakeups);
        counts.put(name + ".readyKeys", readyKeys);
        counts.put(name + ".read", reads);
        return counts;
    }

    private static Row row(Table table, String loop, String event) {
        for (Row row : table) {
            if (row.getString("loop").equals(loop) && row.getString("event").equals(event)) return row;
        }
        throw new AssertionError("no row for " + loop + " " + event + " in\n" + table);
    }

    @Test
    void betweenTwoSnapshotsCountsRatesAndEventsPerWakeup() {
        Map<String, Long> before = loop("pid 7", 10, 10, 5);
        Map<String, Long> after = loop("pid 7", 110, 410, 305);
        after.putAll(loop("pid 8", 50, 50, 50)); // a worker that started during the run counts from zero
        Table table = LoopEvents.between(stats(before), stats(after), Duration.ofSeconds(2));
        assertEquals(2 * LoopEvents.EVENTS.size(), table.rowCount());
        Row readyKeys = row(table, "pid 7", "readyKeys");
        assertEquals(400, readyKeys.getLong("count"));
        assertEquals(200.0, readyKeys.getDouble("per_s"), 1e-9);
        assertEquals(4.0, readyKeys.getDouble("per_wakeup"), 1e-9, "ready keys per wake-up");
        assertEquals(150.0, row(table, "pid 7", "read").getDouble("per_s"), 1e-9);
        assertEquals(50, row(table, "pid 8", "read").getLong("count"));
        assertEquals(0, row(table, "pid 8", "timer").getLong("count"));
    }

    @Test
    void recordingDuringALoadRunGivesTotalsAndATimeSeries() {
        try (Server server = Servers.start("event-loop")) {
            LoadResult run;
            LoopEvents events = LoopEvents.record(server, Duration.ofMillis(100));
            try (events) {
                run = Load.closedLoop(server).connections(4).warmup(Duration.ZERO).duration(Duration.ofSeconds(1))
                        .progress(false).run();
            }
            Table totals = events.totals();
            long reads = row(totals, "event-loop", "read").getLong("count");
            assertTrue(reads >= run.requests(), "one completing read per request: " + reads + " reads, " + run.summary());
            assertEquals(4, row(totals, "event-loop", "accept").getLong("count"));

            Table series = events.series();
            assertEquals(java.util.List.of("time_s", "loop", "event", "per_s"), series.columnNames());
            Table readRates = series.where(series.stringColumn("event").isEqualTo("read"));
            assertTrue(readRates.rowCount() >= 5, "a row per 100 ms interval:\n" + readRates);
            assertTrue(readRates.doubleColumn("per_s").max() > 0, readRates.toString());

            XYChart chart = LoopEvents.chart(series);
            assertTrue(chart.getSeriesMap().containsKey("read"), chart.getSeriesMap().keySet().toString());
            assertEquals(LoopEvents.EVENTS.size(), chart.getSeriesMap().size());
        }
    }
}
