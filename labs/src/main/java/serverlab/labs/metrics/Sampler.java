package serverlab.labs.metrics;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.Table;

/**
 * Samples a process tree at a fixed interval on a background thread, e.g. while a load test
 * runs, and returns the readings as a time series.
 *
 * <pre>{@code
 * try (Sampler sampler = Sampler.start(server.pid(), Duration.ofMillis(250))) {
 *     Load.closedLoop(server).run();
 *     Table series = sampler.table();
 * }
 * }</pre>
 */
public final class Sampler implements AutoCloseable {

    /** A result together with the process samples taken while it was computed. */
    public record Sampled<T>(T result, Table samples, ProcessTreeSample first, ProcessTreeSample last, ProcessTreeSample peak) {
    }

    private final ProcessTreeProbe probe;
    private final Periodic<ProcessTreeSample> readings;

    private Sampler(long pid, Duration interval) {
        this.probe = ProcessTreeProbe.of(pid);
        this.readings = Periodic.start("process-sampler-" + pid, interval, probe::sample);
    }

    public static Sampler start(long pid, Duration interval) {
        return new Sampler(pid, interval);
    }

    /** Runs {@code work} while sampling {@code pid} every {@code interval}. */
    public static <T> Sampled<T> around(long pid, Duration interval, Supplier<T> work) {
        try (Sampler sampler = start(pid, interval)) {
            T result = work.get();
            sampler.stop();
            return new Sampled<>(result, sampler.table(), sampler.first(), sampler.last(), sampler.peakRss());
        }
    }

    /** Stops sampling after one final sample. Idempotent. */
    public void stop() {
        readings.stop();
    }

    @Override
    public void close() {
        stop();
    }

    public List<ProcessTreeSample> samples() {
        return readings.readings().stream().map(Periodic.Reading::value).toList();
    }

    public ProcessTreeSample first() {
        return samples().get(0);
    }

    public ProcessTreeSample last() {
        List<ProcessTreeSample> all = samples();
        return all.get(all.size() - 1);
    }

    /** The sample with the highest RSS. */
    public ProcessTreeSample peakRss() {
        ProcessTreeSample peak = first();
        for (ProcessTreeSample s : samples()) {
            if (s.rssBytes() > peak.rssBytes()) {
                peak = s;
            }
        }
        return peak;
    }

    /**
     * The samples as a table: time_s since start, processes, rss_mb, pss_mb, threads,
     * ctx_voluntary, ctx_involuntary (cumulative), cpu_user_ms, cpu_sys_ms (cumulative), fds.
     */
    public Table table() {
        List<Periodic.Reading<ProcessTreeSample>> all = readings.readings();
        var time = DoubleColumn.create("time_s");
        var processes = IntColumn.create("processes");
        var rss = DoubleColumn.create("rss_mb");
        var pss = DoubleColumn.create("pss_mb");
        var threads = IntColumn.create("threads");
        var voluntary = LongColumn.create("ctx_voluntary");
        var involuntary = LongColumn.create("ctx_involuntary");
        var user = LongColumn.create("cpu_user_ms");
        var sys = LongColumn.create("cpu_sys_ms");
        var fds = IntColumn.create("fds");
        for (int i = 0; i < all.size(); i++) {
            ProcessTreeSample s = all.get(i).value();
            time.append(all.get(i).nanos() / 1e9);
            processes.append(s.processes());
            rss.append(s.rssMb());
            pss.append(s.pssMb());
            threads.append(s.threads());
            voluntary.append(s.voluntaryCtxSwitches());
            involuntary.append(s.involuntaryCtxSwitches());
            user.append(s.cpuUserMs());
            sys.append(s.cpuSystemMs());
            fds.append(s.openFds());
        }
        return Table.create("process samples (pid " + probe.pid() + ")",
                time, processes, rss, pss, threads, voluntary, involuntary, user, sys, fds);
    }
}
