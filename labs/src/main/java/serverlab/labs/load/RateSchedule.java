package serverlab.labs.load;

import java.util.List;

/**
 * An open loop's offered rate over time: each {@link LoadTest.Stage} holds from its start until the next one's,
 * the last one to the end of the run. Times are nanoseconds since the schedule began.
 */
record RateSchedule(long[] startNanos, double[] perSecond) {

    static RateSchedule of(List<LoadTest.Stage> stages) {
        return new RateSchedule(stages.stream().mapToLong(s -> s.start().toNanos()).toArray(),
                stages.stream().mapToDouble(LoadTest.Stage::requestsPerSecond).toArray());
    }

    /** Requests per second at {@code nanos} since the schedule began. */
    double at(long nanos) {
        int stage = 0;
        while (stage + 1 < startNanos.length && startNanos[stage + 1] <= nanos) stage++;
        return perSecond[stage];
    }

    /** Every time stretched by {@code timeFactor} (quick mode's ÷10), every rate multiplied by {@code rateFactor} (one worker's share). */
    RateSchedule scaled(double timeFactor, double rateFactor) {
        long[] starts = new long[startNanos.length];
        double[] rates = new double[perSecond.length];
        for (int i = 0; i < starts.length; i++) {
            starts[i] = Math.round(startNanos[i] * timeFactor);
            rates[i] = perSecond[i] * rateFactor;
        }
        return new RateSchedule(starts, rates);
    }

    /** The mean rate from {@code fromNanos} to {@code toNanos}. */
    double mean(long fromNanos, long toNanos) {
        double requests = 0;
        for (int i = 0; i < startNanos.length; i++) {
            long begin = Math.max(startNanos[i], fromNanos);
            long end = i + 1 < startNanos.length ? Math.min(startNanos[i + 1], toNanos) : toNanos;
            if (end > begin) requests += perSecond[i] * (end - begin) / 1e9;
        }
        return requests / ((toNanos - fromNanos) / 1e9);
    }
}
