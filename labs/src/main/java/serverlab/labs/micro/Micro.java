package serverlab.labs.micro;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import serverlab.labs.Quick;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Runs the JMH microbenchmarks of this package from a notebook or the command line.
 *
 * <pre>{@code
 * Table t = Micro.run("ContextSwitch.*");          // notebook
 * java -cp ... serverlab.labs.micro.Micro ThreadStart --quick   // shell (or bench/micro)
 * }</pre>
 *
 * <p>The filter is a JMH regular expression over benchmark names (ThreadStart, Spawn,
 * ContextSwitch, IpcLatency, IpcThroughput). Normal settings: 1 fork, 3 warm-up and 5
 * measurement iterations of 1 s. Quick settings ({@link Quick} mode or {@code --quick}):
 * no fork, 1 warm-up and 2 measurement iterations of 200 ms — enough to see orders of
 * magnitude, not for publishing. Forked JVMs get this JVM's class path.
 */
public final class Micro {

    private Micro() {
    }

    /** Runs the benchmarks matching {@code filter}; quick settings when quick mode is on. */
    public static Table run(String filter) {
        return run(filter, Quick.enabled());
    }

    public static Table run(String filter, boolean quick) {
        return run(filter, quick, VerboseMode.SILENT);
    }

    static Table run(String filter, boolean quick, VerboseMode verbosity) {
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(Micro.class.getPackageName() + "\\." + filter)
                .verbosity(verbosity)
                .shouldFailOnError(true)
                .jvmArgsAppend("-Xss512k");
        if (quick) {
            options.forks(0)
                    .warmupIterations(1).warmupTime(TimeValue.milliseconds(200))
                    .measurementIterations(2).measurementTime(TimeValue.milliseconds(200));
        } else {
            options.forks(1)
                    .warmupIterations(3).warmupTime(TimeValue.seconds(1))
                    .measurementIterations(5).measurementTime(TimeValue.seconds(1));
        }
        try {
            return toTable(new Runner(options.build()).run());
        } catch (RunnerException e) {
            throw new IllegalStateException("benchmark run failed: " + e.getMessage(), e);
        }
    }

    /** One row per benchmark (and parameter set): benchmark, mode, score, error, units. */
    static Table toTable(Collection<RunResult> results) {
        var benchmark = StringColumn.create("benchmark");
        var mode = StringColumn.create("mode");
        var score = DoubleColumn.create("score");
        var error = DoubleColumn.create("error");
        var units = StringColumn.create("units");
        List<RunResult> sorted = new ArrayList<>(results);
        sorted.sort((a, b) -> label(a).compareTo(label(b)));
        for (RunResult r : sorted) {
            var primary = r.getPrimaryResult();
            benchmark.append(label(r));
            mode.append(r.getParams().getMode().shortLabel());
            score.append(primary.getScore());
            error.append(primary.getScoreError());
            units.append(primary.getScoreUnit());
        }
        return Table.create("microbenchmarks", benchmark, mode, score, error, units);
    }

    /** "ContextSwitch.platformThreads" or "IpcLatency.roundTrip[transport=PIPE]". */
    private static String label(RunResult r) {
        String name = r.getParams().getBenchmark();
        String shortName = name.substring(Micro.class.getPackageName().length() + 1);
        Collection<String> keys = r.getParams().getParamsKeys();
        if (keys.isEmpty()) {
            return shortName;
        }
        return shortName + keys.stream().map(k -> k + "=" + r.getParams().getParam(k))
                .collect(Collectors.joining(",", "[", "]"));
    }

    /** {@code Micro [filter] [--quick]}: runs and prints the table. */
    public static void main(String[] args) {
        String filter = ".*";
        boolean quick = Quick.enabled();
        for (String arg : args) {
            if (arg.equals("--quick")) {
                quick = true;
            } else if (arg.equals("--help") || arg.equals("-h")) {
                System.out.println("usage: Micro [filter regex, e.g. ContextSwitch or 'Ipc.*'] [--quick]");
                return;
            } else {
                filter = arg;
            }
        }
        Table table = run(filter, quick, VerboseMode.NORMAL);
        System.out.println(table.printAll());
        if (table.isEmpty()) {
            System.err.println("no benchmark matched " + filter);
            System.exit(1);
        }
        System.exit(0); // JMH leaves non-daemon threads behind when running without forks
    }
}
