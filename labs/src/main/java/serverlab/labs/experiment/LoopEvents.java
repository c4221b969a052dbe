package serverlab.labs.experiment;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.knowm.xchart.XYChart;
import serverlab.labs.charts.Charts;
import serverlab.labs.metrics.Periodic;
import serverlab.servers.Server;
import serverlab.servers.ServerStats;
import serverlab.servers.core.LoopCounters.Count;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * What a server's event loops did during a run, read from their counters ({@link ServerStats#loopEvents()}):
 * wake-ups, ready keys, and events by type (accept, read, partialRead, writeCompleted, completion, timer).
 * Either two snapshots,
 *
 * <pre>{@code
 * ServerStats before = server.stats();
 * LoadResult run = Load.closedLoop(server).duration(Duration.ofSeconds(5)).run();
 * Table totals = LoopEvents.between(before, server.stats(), run.duration());
 * }</pre>
 *
 * or samples every {@code interval} on a background thread while the load runs, for a time series:
 *
 * <pre>{@code
 * try (LoopEvents events = LoopEvents.record(server, Duration.ofMillis(250))) {
 *     Load.closedLoop(server).duration(Duration.ofSeconds(5)).run();
 *     events.stop();
 *     display(events.totals());
 *     display(LoopEvents.chart(events.series()));
 * }
 * }</pre>
 */
public final class LoopEvents implements AutoCloseable {

    /** The events in the order of the tables; a stats key is {@code "<loop>.<event>"}. */
    public static final List<String> EVENTS = Arrays.stream(Count.values()).map(Count::key).toList();

    private final Periodic<ServerStats> samples;

    private LoopEvents(Server server, Duration interval) {
        this.samples = Periodic.start("loop-events-sampler", interval, server::stats);
    }

    /** Starts sampling {@code server}'s loop counters every {@code interval}; stop (or close) it after the run. */
    public static LoopEvents record(Server server, Duration interval) {
        return new LoopEvents(server, interval);
    }

    /** Stops sampling after one final sample. Idempotent. */
    public void stop() {
        samples.stop();
    }

    @Override
    public void close() {
        stop();
    }

    /** Every count from the first sample to the latest: {@link #between} them. */
    public Table totals() {
        List<Periodic.Reading<ServerStats>> all = samples.readings();
        Periodic.Reading<ServerStats> first = all.getFirst(), last = all.getLast();
        return between(first.value(), last.value(), Duration.ofNanos(last.nanos() - first.nanos()));
    }

    /**
     * The rates between consecutive samples: {@code time_s} (end of the interval, since recording started),
     * {@code loop}, {@code event}, {@code per_s}; one row per interval, loop and event.
     */
    public Table series() {
        DoubleColumn time = DoubleColumn.create("time_s");
        StringColumn loop = StringColumn.create("loop");
        StringColumn event = StringColumn.create("event");
        DoubleColumn perSecond = DoubleColumn.create("per_s");
        List<Periodic.Reading<ServerStats>> all = samples.readings();
        for (int i = 1; i < all.size(); i++) {
            double seconds = (all.get(i).nanos() - all.get(i - 1).nanos()) / 1e9;
            Map<String, Map<String, Long>> before = byLoop(all.get(i - 1).value()), after = byLoop(all.get(i).value());
            for (var loopCounts : after.entrySet()) {
                for (String name : EVENTS) {
                    long delta = loopCounts.getValue().get(name) - before.getOrDefault(loopCounts.getKey(), Map.of()).getOrDefault(name, 0L);
                    time.append(all.get(i).nanos() / 1e9);
                    loop.append(loopCounts.getKey());
                    event.append(name);
                    perSecond.append(delta / seconds);
                }
            }
        }
        return Table.create("loop events over time", time, loop, event, perSecond);
    }

    /**
     * What each loop did between two snapshots of the same server: one row per loop and event with
     * {@code count}, {@code per_s} (over {@code elapsed}) and {@code per_wakeup} (count / wake-ups: for
     * {@code readyKeys} the ready channels one wake-up dispatched, for {@code read} the requests it read).
     */
    public static Table between(ServerStats before, ServerStats after, Duration elapsed) {
        double seconds = elapsed.toNanos() / 1e9;
        StringColumn loop = StringColumn.create("loop");
        StringColumn event = StringColumn.create("event");
        LongColumn count = LongColumn.create("count");
        DoubleColumn perSecond = DoubleColumn.create("per_s");
        DoubleColumn perWakeup = DoubleColumn.create("per_wakeup");
        Map<String, Map<String, Long>> start = byLoop(before);
        for (var loopCounts : byLoop(after).entrySet()) {
            Map<String, Long> was = start.getOrDefault(loopCounts.getKey(), Map.of());
            Map<String, Long> delta = new LinkedHashMap<>();
            for (String name : EVENTS) delta.put(name, loopCounts.getValue().get(name) - was.getOrDefault(name, 0L));
            long wakeups = delta.get(Count.WAKEUPS.key());
            for (var entry : delta.entrySet()) {
                loop.append(loopCounts.getKey());
                event.append(entry.getKey());
                count.append(entry.getValue());
                perSecond.append(seconds > 0 ? entry.getValue() / seconds : Double.NaN);
                perWakeup.append(wakeups > 0 ? (double) entry.getValue() / wakeups : Double.NaN);
            }
        }
        return Table.create("loop events", loop, event, count, perSecond, perWakeup);
    }

    /** A line per event (per loop and event when there are several loops) from a {@link #series()} table. */
    public static XYChart chart(Table series) {
        TreeSet<String> loops = new TreeSet<>(series.stringColumn("loop").asList());
        Table wide = Table.create("loop events over time");
        DoubleColumn time = DoubleColumn.create("time_s");
        Map<String, DoubleColumn> lines = new LinkedHashMap<>();
        for (String loop : loops) {
            for (String event : EVENTS) {
                String name = loops.size() == 1 ? event : loop + " " + event;
                lines.put(loop + "." + event, DoubleColumn.create(name));
            }
        }
        double previousTime = Double.NaN;
        for (int row = 0; row < series.rowCount(); row++) {
            double t = series.doubleColumn("time_s").get(row);
            if (t != previousTime) { // a new interval: a new row in every line
                time.append(t);
                lines.values().forEach(DoubleColumn::appendMissing);
                previousTime = t;
            }
            DoubleColumn line = lines.get(series.stringColumn("loop").get(row) + "." + series.stringColumn("event").get(row));
            line.set(line.size() - 1, series.doubleColumn("per_s").get(row));
        }
        wide.addColumns(time);
        lines.values().forEach(wide::addColumns);
        String[] names = lines.values().stream().map(DoubleColumn::name).toArray(String[]::new);
        return Charts.timeSeries(wide, "time_s", "Event loop events", "time (s)", "per second", names);
    }

    /** {@code "<loop>.<event>" -> n} as loop → event → n; loop names may contain dots, event names do not. */
    private static Map<String, Map<String, Long>> byLoop(ServerStats stats) {
        Map<String, Map<String, Long>> loops = new TreeMap<>();
        stats.loopEvents().forEach((key, n) -> {
            int dot = key.lastIndexOf('.');
            loops.computeIfAbsent(key.substring(0, dot), l -> new LinkedHashMap<>()).put(key.substring(dot + 1), n);
        });
        return loops;
    }
}
