package serverlab.labs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Quick mode shortens every run so CI (and an impatient reader) can execute all notebooks.
 * It is on when the environment variable {@code SERVERLAB_QUICK} or the system property
 * {@code serverlab.quick} is {@code 1}, {@code true} or {@code yes}.
 *
 * <p>Lab code asks Quick for its durations and lists instead of checking the flag itself,
 * so the scaling rules live in one place: durations ÷ 10 (never below
 * {@link #DURATION_FLOOR}), sweeps trimmed to their first, middle and last values.
 */
public final class Quick {

    /** Shortest duration quick mode scales down to: shorter runs measure little but noise. */
    public static final Duration DURATION_FLOOR = Duration.ofMillis(500);

    private static final int DIVISOR = 10;

    private Quick() {
    }

    public static boolean enabled() {
        return isTrue(System.getProperty("serverlab.quick")) || isTrue(System.getenv("SERVERLAB_QUICK"));
    }

    /** {@code d} in normal mode; in quick mode d/10, but not below the floor (nor above d). */
    public static Duration duration(Duration d) {
        if (!enabled()) {
            return d;
        }
        Duration scaled = d.dividedBy(DIVISOR);
        Duration floor = d.compareTo(DURATION_FLOOR) < 0 ? d : DURATION_FLOOR;
        return scaled.compareTo(floor) < 0 ? floor : scaled;
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
