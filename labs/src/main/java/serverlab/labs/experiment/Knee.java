package serverlab.labs.experiment;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import serverlab.labs.charts.Charts;
import tech.tablesaw.api.Row;
import tech.tablesaw.api.Table;

/**
 * The knee of a latency-vs-offered-load curve ({@link Sweep#rates}): the highest offered rate the
 * server still keeps up with. Walking up the rates of one series, a rate is fine while the achieved
 * throughput is within {@code throughputTolerance} of the offered rate and p99 stays below
 * {@code p99Multiple} × the p99 at the lowest rate; the knee is the last fine rate before the first
 * that is not. Past it the queue grows for as long as the run lasts: the hockey stick.
 *
 * @param series        the sweep series (architecture, plus variant and path when the sweep has several)
 * @param offeredRps    the knee's offered rate (requests/s)
 * @param p99Ms         p99 at the knee
 * @param lowLoadP99Ms  p99 at the lowest offered rate, the baseline
 */
public record Knee(String series, double offeredRps, double p99Ms, double lowLoadP99Ms) {

    public static final double DEFAULT_THROUGHPUT_TOLERANCE = 0.05;
    public static final double DEFAULT_P99_MULTIPLE = 10;

    /** The knee of every series of a rate sweep, with the default criteria (within 5%, p99 under 10×). */
    public static List<Knee> find(Table rateSweep) {
        return find(rateSweep, DEFAULT_THROUGHPUT_TOLERANCE, DEFAULT_P99_MULTIPLE);
    }

    /** The knee of every series that has one (a series overloaded even at its lowest rate has none). */
    public static List<Knee> find(Table rateSweep, double throughputTolerance, double p99Multiple) {
        Map<String, List<Row>> bySeries = new LinkedHashMap<>();
        for (Row row : rateSweep) {
            if (!Double.isNaN(row.getDouble("rps"))) {
                bySeries.computeIfAbsent(Charts.seriesName(rateSweep, row), k -> new ArrayList<>())
                        .add(rateSweep.row(row.getRowNumber()));
            }
        }
        List<Knee> knees = new ArrayList<>();
        bySeries.forEach((series, rows) -> {
            rows.sort(Comparator.comparingDouble(r -> r.getDouble("offered_rps")));
            double lowLoadP99 = rows.get(0).getDouble("p99_ms");
            Knee knee = null;
            for (Row r : rows) {
                double offered = r.getDouble("offered_rps");
                boolean keepsUp = r.getDouble("rps") >= (1 - throughputTolerance) * offered
                        && r.getDouble("p99_ms") <= p99Multiple * lowLoadP99;
                if (!keepsUp) {
                    break;
                }
                knee = new Knee(series, offered, r.getDouble("p99_ms"), lowLoadP99);
            }
            if (knee != null) {
                knees.add(knee);
            }
        });
        return knees;
    }
}
