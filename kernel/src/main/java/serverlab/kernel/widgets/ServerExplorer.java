package serverlab.kernel.widgets;

import serverlab.labs.charts.Charts;
import serverlab.labs.load.Load;
import serverlab.labs.load.LoadResult;
import serverlab.servers.Server;
import serverlab.servers.ServerOptions;
import serverlab.servers.Servers;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The server explorer: pick an architecture, a number of connections and a workload, press
 * Run, and a short closed-loop run (127.0.0.1, a second of measurement) is charted next to the
 * last few runs. It runs its default once before it is shown, so a notebook executed without a
 * widget front end (nbclient, a handout) shows that result instead of controls.
 * <pre>
 * ServerExplorer.show();
 * </pre>
 */
public final class ServerExplorer {
    /** Workloads that tell the architectures apart: a tiny answer, CPU work, a blocking wait (a database call). */
    public static final List<String> WORKLOADS = List.of("/hello", "/cpu?iterations=20000", "/sleep?ms=5");
    private static final int KEEP_RUNS = 4;
    private static final Duration WARM_UP = Duration.ofMillis(300);
    private static final Duration MEASURE = Duration.ofSeconds(1);

    private final Dropdown<String> architecture;
    private final IntSlider connections;
    private final ToggleButtons<String> workload;
    private final Button run = new Button("Run");
    private final Output output = new Output();
    private final Map<String, LoadResult> runs = new LinkedHashMap<>();
    private final VBox view;

    public ServerExplorer(String architecture, int connections, String workload) {
        this.architecture = new Dropdown<>("architecture", architectures(), architecture);
        this.connections = new IntSlider("connections", 1, 200, connections);
        this.workload = new ToggleButtons<>("workload", WORKLOADS, workload);
        run.style("primary").onClick(this::runOnce);
        view = new VBox(new HBox(this.architecture, this.connections), this.workload, run, output);
    }

    /** Shows an explorer on thread-pool, 16 connections, GET /hello, with that run's result. */
    public static void show() {
        new ServerExplorer("thread-pool", 16, "/hello").display();
    }

    /** Runs the current choice once, then shows the explorer below the cell. */
    public void display() {
        runOnce();
        serverlab.kernel.Notebook.display(view);
    }

    /** The architectures of the registry, without the production references (they need nginx or a JIT-warm Jetty). */
    static List<String> architectures() {
        return Servers.list().stream().filter(r -> r.family() != Servers.Family.REFERENCES).map(Servers.Registration::name).toList();
    }

    /** One bounded run of the current choice; its chart replaces the last one in the output. */
    public void runOnce() {
        String label = architecture.value() + " · " + connections.value() + " conn · " + workload.value();
        run.setDisabled(true);
        try (Output.Capture ignored = output.capture()) {
            output.clear(true);
            try (Server server = Servers.start(architecture.value(), ServerOptions.defaults())) {
                LoadResult result = Load.closedLoop(server).connections(connections.value()).path(workload.value())
                        .warmup(WARM_UP).duration(MEASURE).run();
                runs.remove(label);
                runs.put(label, result);
                while (runs.size() > KEEP_RUNS) runs.remove(runs.keySet().iterator().next());
            } catch (RuntimeException e) {
                System.err.println(label + " failed: " + e.getMessage());
            }
            runs.forEach((name, r) -> System.out.printf("%-40s %,9.0f req/s   p50 %7.2f ms   p99 %7.2f ms   %d errors%n",
                    name, r.achievedRate(), r.p50Ms(), r.p99Ms(), r.totalErrors()));
            if (!runs.isEmpty()) serverlab.kernel.Notebook.display(Charts.latencyPercentiles(runs));
        } finally {
            run.setDisabled(false);
        }
    }
}
