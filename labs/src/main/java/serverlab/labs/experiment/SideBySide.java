package serverlab.labs.experiment;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import serverlab.labs.display.ProgressBar;
import serverlab.labs.load.Load;
import serverlab.labs.load.LoadResult;
import serverlab.labs.load.LoadTest;
import serverlab.labs.metrics.ProcessTreeProbe;
import serverlab.labs.metrics.ProcessTreeSample;
import serverlab.servers.Server;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Servers that are running at the same time, measured under the same load in alternating rounds (A, B, C, A, B, C,
 * …), so that whatever else the machine does hits them alike; each one's best round is kept. On a shared machine a
 * comparison measured one server after the other mostly measures the drift between the two runs.
 *
 * <pre>{@code
 * SideBySide.measure(Map.of("host", onHost, "sandbox", inSandbox),
 *         load -> load.connections(16).path("/hello").duration(Duration.ofSeconds(2)), 3);
 * }</pre>
 */
public final class SideBySide {

    private SideBySide() {
    }

    /**
     * @param servers by label, measured in this order in every round
     * @param load    configures the closed loop each server gets (connections, path, duration, warm-up)
     * @return one row per server: {@code server}, {@code rps} and {@code p99_ms} of its best round, {@code cpu_cores}
     *         (CPU its process tree used in that round per second of the round), {@code cpu_us_per_request} (the same
     *         CPU ÷ the requests answered), {@code rps_spread} (worst round ÷ best),
     *         {@code rounds}
     */
    public static Table measure(Map<String, ? extends Server> servers, UnaryOperator<LoadTest> load, int rounds) {
        if (rounds < 1) throw new IllegalArgumentException("rounds must be at least 1");
        Map<String, List<Round>> runs = new LinkedHashMap<>();
        servers.keySet().forEach(label -> runs.put(label, new ArrayList<>()));
        try (ProgressBar bar = ProgressBar.start("side by side: " + servers.size() + " servers × " + rounds + " rounds", (long) servers.size() * rounds)) {
            for (int round = 0; round < rounds; round++) {
                for (Map.Entry<String, ? extends Server> entry : servers.entrySet()) {
                    runs.get(entry.getKey()).add(round(entry.getValue(), load));
                    bar.advance();
                }
            }
        }
        Table table = Table.create("side by side", StringColumn.create("server"), DoubleColumn.create("rps"), DoubleColumn.create("p99_ms"),
                DoubleColumn.create("cpu_cores"), DoubleColumn.create("cpu_us_per_request"), DoubleColumn.create("rps_spread"), IntColumn.create("rounds"));
        runs.forEach((label, list) -> {
            Round best = list.stream().max((a, b) -> Double.compare(a.result.achievedRate(), b.result.achievedRate())).orElseThrow();
            double worst = list.stream().mapToDouble(r -> r.result.achievedRate()).min().orElseThrow();
            table.stringColumn("server").append(label);
            table.doubleColumn("rps").append(best.result.achievedRate());
            table.doubleColumn("p99_ms").append(best.result.p99Ms());
            table.doubleColumn("cpu_cores").append(best.cpuCores);
            table.doubleColumn("cpu_us_per_request").append(best.result.achievedRate() > 0 ? 1e6 * best.cpuCores / best.result.achievedRate() : Double.NaN);
            table.doubleColumn("rps_spread").append(best.result.achievedRate() > 0 ? worst / best.result.achievedRate() : 0);
            table.intColumn("rounds").append(list.size());
        });
        return table;
    }

    private record Round(LoadResult result, double cpuCores) {
    }

    private static Round round(Server server, UnaryOperator<LoadTest> load) {
        ProcessTreeProbe probe = ProcessTreeProbe.of(server.pid());
        ProcessTreeSample before = probe.sample();
        long start = System.nanoTime();
        LoadResult result = load.apply(Load.closedLoop(server)).progress(false).run();
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Round(result, probe.sample().minus(before).cpuMs() / 1000.0 / seconds);
    }
}
