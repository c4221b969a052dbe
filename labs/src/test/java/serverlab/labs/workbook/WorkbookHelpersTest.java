package serverlab.labs.workbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Table;

class WorkbookHelpersTest {

    @TempDir
    Path results;

    @BeforeEach
    void useTempResults() {
        System.setProperty("serverlab.results", results.toString());
        System.setProperty("serverlab.quick", "0"); // CI exports SERVERLAB_QUICK=1; recording needs full mode
    }

    @AfterEach
    void clear() {
        System.clearProperty("serverlab.results");
        System.clearProperty("serverlab.record");
        System.clearProperty("serverlab.quick");
    }

    private static Table sweep() {
        return Table.create("rate sweep", IntColumn.create("rate", 1000, 2000, 4000),
                DoubleColumn.create("p99 (ms)", 1.5, 2.0, 80.0));
    }

    @Test
    void keepSavesOnlyInARecordingRun() {
        Recorded.keep("01-metrics", "rate-sweep", sweep());
        assertTrue(Recorded.load("01-metrics", "rate-sweep").isEmpty(), "an ordinary run must not overwrite recordings");

        System.setProperty("serverlab.record", "1");
        Recorded.keep("01-metrics", "rate-sweep", sweep());
        Table back = Recorded.load("01-metrics", "rate-sweep").orElseThrow();
        assertEquals(3, back.rowCount());
        assertEquals(80.0, back.numberColumn("p99 (ms)").getDouble(2));
        assertTrue(Recorded.machine("01-metrics").contains("cores"), Recorded.machine("01-metrics"));
    }

    @Test
    void aQuickRunIsNeverRecorded() {
        System.setProperty("serverlab.record", "1");
        System.setProperty("serverlab.quick", "1");
        assertThrows(IllegalStateException.class, () -> Recorded.keep("01-metrics", "rate-sweep", sweep()));
        assertFalse(Files.exists(results.resolve("01-metrics.rate-sweep.csv")));
    }

    @Test
    void insteadShowsTheRecordedRunOrSaysWhatIsMissing() {
        IllegalStateException missing = assertThrows(IllegalStateException.class,
                () -> Recorded.instead("06-virtualization", "containers", "podman is not installed"));
        assertTrue(missing.getMessage().contains("podman is not installed"), missing.getMessage());

        System.setProperty("serverlab.record", "1");
        Recorded.keep("06-virtualization", "containers", sweep());
        System.clearProperty("serverlab.record");
        String printed = captureStdout(() -> assertEquals(3, Recorded.instead("06-virtualization", "containers",
                "podman is not installed").rowCount()));
        assertTrue(printed.startsWith("⚠ podman is not installed. Showing the recorded run instead"), printed);
    }

    @Test
    void overlayAddsTheRecordedSeriesWhenThereIsOne() {
        XYChart chart = new XYChartBuilder().build();
        assertFalse(Recorded.overlay(chart, "01-metrics", "rate-sweep", "rate", "p99 (ms)", "p99"));
        System.setProperty("serverlab.record", "1");
        Recorded.keep("01-metrics", "rate-sweep", sweep());
        assertTrue(Recorded.overlay(chart, "01-metrics", "rate-sweep", "rate", "p99 (ms)", "p99"));
        assertTrue(chart.getSeriesMap().containsKey("recorded: p99"));
    }

    @Test
    void namesThatWouldEscapeTheDirectoryAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Recorded.load("01-metrics", "../../etc/passwd"));
    }

    @Test
    void expectPrintsEvidenceWhenTheShapeHolds() {
        String printed = captureStdout(() -> Expect.shape("event-loop is faster")
                .that(true, "ratio %.2f (want > 1.2)", 1.5).otherwise("run it again"));
        assertEquals("✓ event-loop is faster\n  ratio 1.50 (want > 1.2)\n", printed);
    }

    @Test
    void expectNamesEveryBrokenExpectationAndWhatToDo() {
        Expect.ShapeError e = assertThrows(Expect.ShapeError.class, () -> Expect.shape("poll falls, epoll stays flat")
                .that(false, "poll ratio %.2f (want < 0.5)", 0.9)
                .that(true, "epoll ratio %.2f (want > 0.7)", 0.95)
                .otherwise("Check the selector column."));
        assertTrue(e.getMessage().contains("✗ poll ratio 0.90 (want < 0.5)"), e.getMessage());
        assertTrue(e.getMessage().contains("✓ epoll ratio 0.95"), e.getMessage());
        assertTrue(e.getMessage().endsWith("What to do: Check the selector column."), e.getMessage());
    }

    @Test
    void machineDescribesCoresAndJdk() {
        String line = Machine.describe();
        assertTrue(line.startsWith(Runtime.getRuntime().availableProcessors() + " cores"), line);
        assertTrue(line.contains("JDK " + Runtime.version()), line);
    }

    private static String captureStdout(Runnable action) {
        PrintStream original = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setOut(original);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
