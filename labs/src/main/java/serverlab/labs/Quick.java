package serverlab.labs;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Quick mode shortens every run so CI (and an impatient reader) can execute all notebooks.
 * It is on when the system property {@code serverlab.quick} is {@code 1}, {@code true} or {@code yes};
 * when that property is not set, the environment variable {@code SERVERLAB_QUICK} decides the same way.
 * The property wins so one JVM (a test whose figures need full-length runs) can opt out under CI.
 *
 * <p>Lab code asks Quick for its durations and lists instead of checking the flag itself,
 * so the scaling rules live in one place: durations ÷ 10 (never below
 * {@link #DURATION_FLOOR}), sweeps trimmed to their first, middle and last values.
 *
 * <p><b>Who scales durations.</b> The load generator does: {@code LoadTest.run()} passes its
 * duration and warm-up through {@link #duration} (unless {@code exactDurations()} is called),
 * and {@code Sweep} and {@code Check} hand their durations to {@code LoadTest} unscaled. So
 * pass <em>normal</em> durations to them. Calling {@link #duration} yourself is only needed for
 * your own loops and sleeps. If you do pass its result on, it is not scaled a second time:
 * {@link #duration} remembers the objects it returned, and {@link #duration} of such an object
 * returns it unchanged ({@code duration(duration(d)).equals(duration(d))}). Arithmetic on a
 * result ({@code plus}, {@code multipliedBy}) makes a new, unmarked duration that would be
 * scaled again.
 */
public final class Quick {

    /** Shortest duration quick mode scales down to: shorter runs measure little but noise. */
    public static final Duration DURATION_FLOOR = Duration.ofMillis(500);

    private static final int DIVISOR = 10;

    private Quick() {
    }

    public static boolean enabled() {
        String property = System.getProperty("serverlab.quick");
        return isTrue(property != null ? property : System.getenv("SERVERLAB_QUICK"));
    }

    /**
     * {@code d} in normal mode; in quick mode d/10, but not below the floor (nor above d).
     * Idempotent on its own results: a duration this method returned is returned unchanged,
     * so {@code LoadTest} can apply quick mode to whatever it is given without scaling twice.
     */
    public static Duration duration(Duration d) {
        if (!enabled() || isScaled(d)) {
            return d;
        }
        Duration scaled = d.dividedBy(DIVISOR);
        Duration floor = d.compareTo(DURATION_FLOOR) < 0 ? d : DURATION_FLOOR;
        Duration result = scaled.compareTo(floor) < 0 ? floor : scaled;
        if (result != d) {
            markScaled(result);
        }
        return result;
    }

    /**
     * True if {@code d} is an object {@link #duration} returned after scaling (recently: the
     * last {@value #REMEMBERED} results are remembered, by identity, not by value).
     */
    public static boolean isScaled(Duration d) {
        synchronized (scaledResults) {
            for (WeakReference<Duration> ref : scaledResults) {
                if (ref != null && ref.get() == d) {
                    return true;
                }
            }
        }
        return false;
    }

    private static final int REMEMBERED = 256;
    @SuppressWarnings("unchecked")
    private static final WeakReference<Duration>[] scaledResults = new WeakReference[REMEMBERED];
    private static int nextSlot;

    private static void markScaled(Duration d) {
        // A fresh object (dividedBy creates one), or the floor constant, whose rescaling is a no-op anyway.
        synchronized (scaledResults) {
            scaledResults[nextSlot] = new WeakReference<>(d);
            nextSlot = (nextSlot + 1) % REMEMBERED;
        }
    }

    /** {@code values} in normal mode; in quick mode only the first, middle and last. */
    public static <T> List<T> trim(List<T> values) {
        if (!enabled() || values.size() <= 3) {
            return values;
        }
        List<T> kept = new ArrayList<>(3);
        kept.add(values.get(0));
        kept.add(values.get(values.size() / 2));
        kept.add(values.get(values.size() - 1));
        return List.copyOf(kept);
    }

    /** A repetition count: {@code n} normally, n/10 (at least 1) in quick mode. */
    public static int count(int n) {
        return enabled() ? Math.max(1, n / DIVISOR) : n;
    }

    private static boolean isTrue(String value) {
        if (value == null) {
            return false;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "1", "true", "yes", "on" -> true;
            default -> false;
        };
    }
}
