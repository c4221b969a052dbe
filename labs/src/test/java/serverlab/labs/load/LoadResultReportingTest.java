package serverlab.labs.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import serverlab.labs.Quick;
import serverlab.labs.charts.Charts;
import serverlab.labs.testing.CountingHttpServer;
import tech.tablesaw.api.Table;

/** How a run is reported: per-second rows, requests left unanswered, quick-mode durations. */
class LoadResultReportingTest {

    /**
     * Every response takes 300 ms, so the requests sent near the end of a 1 s window are
     * answered after it. They belong to the second they were sent in; the table must not grow
     * a nearly empty extra row for the drain.
     */
    @Test
    void timeSeriesHasOneRowPerBucketOfTheWindowEvenWhenResponsesArriveLate() throws Exception {
        try (var server = new CountingHttpServer(CountingHttpServer.delayEvery(1, 300))) {
            LoadResult r = Load.closedLoop(server.url()).connections(4).warmup(Duration.ZERO).bucket(Duration.ofSeconds(1))
                    .duration(Duration.ofSeconds(1)).exactDurations().progress(false).run();
            Table t = r.timeSeries();
            assertEquals(1, t.rowCount(), t.print());
            assertEquals(r.requests(), (long) t.numberColumn("requests").sum(), t.print());
            assertEquals(1.0, t.doubleColumn("length_s").get(0), 1e-9, t.print());
        }
    }

    /** A 1.5 s window in 1 s buckets: the last row covers half a second, says so, and its rate is scaled by its length. */
    @Test
    void partialLastBucketIsScaledByItsLength() throws Exception {
        try (var server = new CountingHttpServer()) {
            LoadResult r = Load.openLoop(server.url()).rate(200).connections(4).warmup(Duration.ZERO).bucket(Duration.ofSeconds(1))
                    .duration(Duration.ofMillis(1500)).exactDurations().progress(false).run();
            Table t = r.timeSeries();
            assertEquals(2, t.rowCount(), t.print());
            assertEquals(0.5, t.doubleColumn("length_s").get(1), 1e-9, t.print());
            // 200 req/s offered: the half second has ~100 requests, i.e. ~200 req/s, not ~100.
            double lastRate = t.doubleColumn("rps").get(1);
            assertTrue(lastRate > 150 && lastRate < 250, t.print());
            assertEquals(t.longColumn("requests").get(1) / 0.5, lastRate, 1e-9);
        }
    }

    /** A rate schedule: 200 req/s for half a second, then 1000; each half of the time series shows its own rate. */
    @Test
    void aRateScheduleStepsTheOfferedRateDuringTheRun() throws Exception {
        try (var server = new CountingHttpServer()) {
            LoadResult r = Load.openLoop(server.url())
                    .rate(List.of(LoadTest.Stage.at(Duration.ZERO, 200), LoadTest.Stage.at(Duration.ofMillis(500), 1000)))
                    .connections(4).warmup(Duration.ZERO).bucket(Duration.ofMillis(500))
                    .duration(Duration.ofSeconds(1)).exactDurations().progress(false).run();
            Table t = r.timeSeries();
            assertEquals(2, t.rowCount(), t.print());
            assertEquals(200, t.doubleColumn("rps").get(0), 40, t.print());
            assertEquals(1000, t.doubleColumn("rps").get(1), 200, t.print());
            assertEquals(600, r.offeredRate(), 1e-6);
        }
    }

    /**
     * The default bucket gives a short (quick-mode) run a curve: a 1 s window has ten 100 ms rows,
     * named so in the table, each row's rate scaled to requests/s.
     */
    @Test
    void shortRunsGetSubSecondBuckets() throws Exception {
        try (var server = new CountingHttpServer()) {
            LoadResult r = Load.openLoop(server.url()).rate(400).connections(4).warmup(Duration.ZERO)
                    .duration(Duration.ofSeconds(1)).exactDurations().progress(false).run();
            Table t = r.timeSeries();
            assertEquals("load per 100 ms", t.name());
            assertEquals(10, t.rowCount(), t.print());
            assertEquals(0.9, t.doubleColumn("time_s").get(9), 1e-9, t.print());
            assertEquals(0.1, t.doubleColumn("length_s").get(0), 1e-9, t.print());
            assertEquals(r.requests(), (long) t.numberColumn("requests").sum(), t.print());
            // 400 req/s offered: ~40 requests per 100 ms bucket, i.e. ~400 req/s in every row.
            assertTrue(t.doubleColumn("rps").mean() > 300 && t.doubleColumn("rps").mean() < 500, t.print());
            assertTrue(Charts.throughputOverTime(r).getTitle().contains("per 100 ms"), Charts.throughputOverTime(r).getTitle());
        }
    }

    @Test
    void defaultBucketIsTheWidestGivingTenPoints() {
        assertEquals(Duration.ofSeconds(1), LoadTest.defaultBucket(Duration.ofSeconds(10)));
        assertEquals(Duration.ofSeconds(1), LoadTest.defaultBucket(Duration.ofSeconds(60)));
        assertEquals(Duration.ofMillis(500), LoadTest.defaultBucket(Duration.ofSeconds(5)));
        assertEquals(Duration.ofMillis(100), LoadTest.defaultBucket(Duration.ofSeconds(1)));
        assertEquals(Duration.ofMillis(50), LoadTest.defaultBucket(Quick.DURATION_FLOOR));
    }

    /** Connections that never get an answer are neither requests nor errors: they must still show. */
    @Test
    void unansweredRequestsAreReportedEverywhere() throws Exception {
        try (var server = new CountingHttpServer()) {
            LoadResult r = Load.closedLoop(server.url()).path("/hang").connections(5).warmup(Duration.ZERO)
                    .timeout(Duration.ofSeconds(10)).duration(Duration.ofMillis(500)).exactDurations()
                    .progress(false).run();
            assertEquals(0, r.totalErrors(), r.summary());
            assertEquals(5, r.unanswered(), r.summary());
            assertTrue(r.summary().contains("unanswered 5"), r.summary());
            String html = r.mimeBundle().get("text/html");
            assertTrue(html.contains("<th>unanswered</th>") && html.matches("(?s).*>5</td></tr></table>.*"), html);
            assertEquals(5L, r.summaryRow().get("unanswered"));
            assertEquals(5, (long) r.timeSeries().numberColumn("unanswered").sum(), r.timeSeries().print());
        }
    }

    /** Passing {@code Quick.duration(d)} to a load test must not scale it a second time. */
    @Test
    void quickDurationIsAppliedOnlyOnce() throws Exception {
        String before = System.getProperty("serverlab.quick");
        System.setProperty("serverlab.quick", "true");
        try (var server = new CountingHttpServer()) {
            Duration scaled = Quick.duration(Duration.ofSeconds(10));
            assertEquals(Duration.ofSeconds(1), scaled);
            assertEquals(scaled, Quick.duration(scaled), "Quick.duration of its own result is a no-op");
            LoadResult r = Load.closedLoop(server.url()).connections(2).warmup(Duration.ZERO)
                    .duration(scaled).progress(false).run();
            assertEquals(Duration.ofSeconds(1), r.duration(), r.summary());
            // A plain duration is still scaled, once.
            LoadResult plain = Load.closedLoop(server.url()).connections(2).warmup(Duration.ZERO)
                    .duration(Duration.ofSeconds(6)).progress(false).run();
            assertEquals(Duration.ofMillis(600), plain.duration(), plain.summary());
        } finally {
            if (before == null) {
                System.clearProperty("serverlab.quick");
            } else {
                System.setProperty("serverlab.quick", before);
            }
        }
    }
}
