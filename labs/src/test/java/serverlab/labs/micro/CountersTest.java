package serverlab.labs.micro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Row;
import tech.tablesaw.api.Table;

class CountersTest {

    /** Correct counters lose nothing; racy ones report whatever they lost (possibly 0), and the sums add up. */
    @Test
    void synchronizedCountersLoseNothingAndRacyOnesAreReportedHonestly() {
        Table t = Counters.race(4, 200_000);
        assertEquals(Counters.kinds(), t.stringColumn("counter").asList());
        for (Row row : t) {
            String counter = row.getString("counter");
            assertEquals(800_000, row.getLong("expected"));
            assertEquals(row.getLong("expected"), row.getLong("counted") + row.getLong("lost"), counter);
            assertTrue(row.getLong("lost") >= 0, counter + " cannot count more than it was told: " + t.print());
            assertTrue(row.getDouble("ns_per_increment") > 0, counter);
            if (!counter.equals("unsynchronized") && !counter.equals("volatile")) {
                assertEquals(0, row.getLong("lost"), counter + " must not lose updates: " + t.print());
            }
        }
    }

    /** A counter written by a student goes through the same race. */
    @Test
    void ownCounterRaces() {
        Counters.Counter mine = new Counters.Counter() {
            private final java.util.concurrent.atomic.AtomicLong n = new java.util.concurrent.atomic.AtomicLong();
            public void increment() { n.getAndIncrement(); }
            public long get() { return n.get(); }
        };
        Table t = Counters.race(mine, "mine", 3, 10_000);
        assertEquals("mine", t.stringColumn("counter").get(0));
        assertEquals(0, t.longColumn("lost").get(0));
        assertEquals(30_000, t.longColumn("counted").get(0));
    }
}
