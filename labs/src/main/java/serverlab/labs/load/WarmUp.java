package serverlab.labs.load;

import java.time.Duration;
import java.util.Locale;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.Table;

/**
 * How a load run warmed up before it measured.
 *
 * @param untilSteady true if it waited for steady throughput, false for a fixed warm-up
 * @param took        how long the warm-up lasted
 * @param steady      whether throughput was steady when measuring began (false for a fixed warm-up, which
 *                    does not look, and for one that hit its upper bound while throughput was still changing)
 * @param window      length of the windows it compared (zero for a fixed warm-up)
 * @param tolerance   the ± band the windows had to stay in, as a fraction (0.1 = ±10%)
 * @param watchedJit  whether it also waited for the server JVM's JIT compilers to go idle (a server in a JVM
 *                    of its own)
 * @param series      throughput of each warm-up window: {@code time_s} (end of the window, s since the
 *                    start), {@code rps}, and with a watched JIT {@code jit_ms} (its compilers' CPU time in
 *                    the window); empty for a fixed warm-up
 */
public record WarmUp(boolean untilSteady, Duration took, boolean steady, Duration window, double tolerance,
                     boolean watchedJit, Table series) {

    /** A fixed warm-up of this length, which did not look at throughput. */
    public static WarmUp fixed(Duration took) {
        return new WarmUp(false, took, false, Duration.ZERO, 0, false,
                Table.create("warm-up", DoubleColumn.create("time_s"), DoubleColumn.create("rps")));
    }

    /** One line for a run's summary. */
    public String describe() {
        double seconds = took.toMillis() / 1000.0;
        if (!untilSteady) {
            return String.format(Locale.ROOT, "warm-up: fixed %.1f s (throughput not checked)", seconds);
        }
        String rule = String.format(Locale.ROOT, "%d windows of %d ms within ±%.0f%%",
                SteadyThroughput.WINDOWS, window.toMillis(), tolerance * 100)
                + (watchedJit ? ", the server's JIT idle" : "");
        return steady
                ? String.format(Locale.ROOT, "warm-up: steady after %.2f s (%s)", seconds, rule)
                : String.format(Locale.ROOT, "warm-up: NOT steady after %.2f s, its upper bound (wanted %s): "
                        + (watchedJit ? "throughput was still changing or the JIT still compiling" : "throughput was still changing")
                        + ", so the measurement may include the climb", seconds, rule);
    }
}
