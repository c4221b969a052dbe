package serverlab.labs.load;

/**
 * The rule that ends a warm-up: throughput is steady when the last {@value #WINDOWS} windows'
 * rates are each within ±tolerance of their mean, and the later half of them is within
 * ±tolerance/2 of the earlier half (so a slow climb cannot hide inside the band). A JIT still
 * compiling shows up as a climb; a cold connection pool as a jump.
 */
final class SteadyThroughput {

    static final int WINDOWS = 4;

    private final double tolerance;
    private final double[] recent = new double[WINDOWS];
    private int seen;

    SteadyThroughput(double tolerance) {
        if (!(tolerance > 0 && tolerance < 1)) {
            throw new IllegalArgumentException("tolerance must be between 0 and 1 (e.g. 0.1 for ±10%)");
        }
        this.tolerance = tolerance;
    }

    /** Adds the rate of the next window (requests/s); true if throughput is steady as of this window. */
    boolean add(double rate) {
        System.arraycopy(recent, 1, recent, 0, WINDOWS - 1);
        recent[WINDOWS - 1] = rate;
        seen++;
        if (seen < WINDOWS) {
            return false;
        }
        double mean = mean(0, WINDOWS);
        if (!(mean > 0)) {
            return false;
        }
        for (double r : recent) {
            if (Math.abs(r - mean) > tolerance * mean) {
                return false;
            }
        }
        return Math.abs(mean(WINDOWS / 2, WINDOWS) - mean(0, WINDOWS / 2)) <= tolerance / 2 * mean;
    }

    private double mean(int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += recent[i];
        }
        return sum / (to - from);
    }
}
