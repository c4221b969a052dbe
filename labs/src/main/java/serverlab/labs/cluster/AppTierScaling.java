package serverlab.labs.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import serverlab.labs.display.ProgressBar;
import serverlab.labs.load.Load;
import serverlab.labs.load.LoadResult;
import serverlab.labs.load.LoadTest;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.Table;

/**
 * Throughput, latency and CPU per tier as a cluster's app tier grows: the same closed-loop load at each size.
 * CPU is measured over the measured window only (after a warm-up run that lets new app servers' JITs settle), as
 * cores busy: CPU seconds per second of wall time, per tier.
 *
 * <pre>{@code
 * Table t = AppTierScaling.run(cluster, "/api/items", 32, Duration.ofSeconds(5), 1, 2, 4);
 * }</pre>
 */
public final class AppTierScaling {

    private static final List<String> TIERS = List.of("balancer", "app", "data");

    private AppTierScaling() {
    }

    /** One app-tier size: its load result and the cores each tier kept busy. */
    private record Step(int appServers, LoadResult load, Map<String, Double> cores) {
    }

    /**
     * Columns: {@code app_servers}, {@code rps}, {@code p50_ms}, {@code p99_ms}, {@code errors} (failed or unanswered),
     * {@code balancer_cores}, {@code app_cores}, {@code data_cores} (CPU seconds per second). The cluster keeps the
     * last size afterwards.
     */
    public static Table run(Cluster cluster, String path, int connections, Duration each, int... appServers) {
        if (appServers.length == 0) throw new IllegalArgumentException("give at least one app-tier size");
        List<Step> steps = new ArrayList<>();
        try (ProgressBar bar = ProgressBar.start("app tier: " + appServers.length + " sizes", appServers.length)) {
            for (int n : appServers) {
                steps.add(measure(cluster, n, path, connections, each));
                bar.advance();
            }
        }
        Table table = Table.create("throughput and CPU per tier vs app servers, GET " + path + ", " + connections + " connections",
                IntColumn.create("app_servers", steps.stream().mapToInt(Step::appServers).toArray()),
                DoubleColumn.create("rps", steps.stream().mapToDouble(s -> s.load().achievedRate())),
                DoubleColumn.create("p50_ms", steps.stream().mapToDouble(s -> s.load().p50Ms())),
                DoubleColumn.create("p99_ms", steps.stream().mapToDouble(s -> s.load().p99Ms())),
                LongColumn.create("errors", steps.stream().mapToLong(s -> s.load().totalErrors() + s.load().unanswered()).toArray()));
        for (String tier : TIERS) {
            table.addColumns(DoubleColumn.create(tier + "_cores", steps.stream().mapToDouble(s -> s.cores().get(tier))));
        }
        return table;
    }

    private static Step measure(Cluster cluster, int appServers, String path, int connections, Duration each) {
        try {
            cluster.setAppServers(appServers);
        } catch (IOException e) {
            throw new UncheckedIOException("could not resize the app tier to " + appServers, e);
        }
        load(cluster, path, connections, Duration.ofSeconds(1)).run(); // thrown away: warms up until steady (new JVMs compile)
        Map<String, Long> before = cluster.cpuPerTier();
        long start = System.nanoTime();
        LoadResult measured = load(cluster, path, connections, each).warmup(Duration.ZERO).run();
        double wallMs = (System.nanoTime() - start) / 1e6;
        Map<String, Long> after = cluster.cpuPerTier();
        Map<String, Double> cores = new LinkedHashMap<>();
        for (String tier : TIERS) cores.put(tier, (after.get(tier) - before.get(tier)) / wallMs);
        return new Step(appServers, measured, cores);
    }

    private static LoadTest load(Cluster cluster, String path, int connections, Duration each) {
        return Load.closedLoop(cluster).path(path).connections(connections).duration(each).progress(false);
    }
}
