package serverlab.labs.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

/** The knee rule on hand-made rate-sweep rows (no servers). */
class KneeTest {

    private static Table sweep(String architecture, double[][] offeredAchievedP99) {
        Table t = Sweep.emptyTable();
        for (double[] row : offeredAchievedP99) {
            for (String column : Sweep.COLUMNS) {
                var c = t.column(column);
                switch (column) {
                    case "architecture" -> t.stringColumn(column).append(architecture);
                    case "offered_rps" -> t.doubleColumn(column).append(row[0]);
                    case "rps" -> t.doubleColumn(column).append(row[1]);
                    case "p99_ms" -> t.doubleColumn(column).append(row[2]);
                    default -> {
                        if (c instanceof tech.tablesaw.api.StringColumn s) s.append("");
                        else if (c instanceof tech.tablesaw.api.IntColumn i) i.append(0);
                        else if (c instanceof tech.tablesaw.api.LongColumn l) l.append(0L);
                        else t.doubleColumn(column).append(0.0);
                    }
                }
            }
        }
        return t;
    }

    @Test
    void kneeIsTheLastRateTheServerKeepsUpWith() {
        Table t = sweep("a", new double[][] {{1000, 1000, 1.0}, {2000, 1990, 1.5}, {4000, 3900, 4.0},
                {8000, 5200, 300}, {16000, 5100, 900}});
        assertEquals(List.of(new Knee("a", 4000, 4.0, 1.0)), Knee.find(t));
    }

    @Test
    void aLatencyBlowUpEndsTheKneeEvenIfThroughputKeepsUp() {
        Table t = sweep("a", new double[][] {{1000, 1000, 1.0}, {2000, 2000, 50}, {4000, 4000, 2.0}});
        assertEquals(1000, Knee.find(t).get(0).offeredRps(), "the first failing rate ends the walk; 4000 does not count");
    }

    @Test
    void aSeriesOverloadedFromTheStartHasNoKnee() {
        Table t = sweep("a", new double[][] {{1000, 500, 1.0}, {2000, 500, 9}});
        assertTrue(Knee.find(t).isEmpty());
    }
}
