package serverlab.labs.workbook;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Locale;
import java.util.Optional;

import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import serverlab.labs.Quick;
import serverlab.labs.experiment.Results;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.Table;

/**
 * The full-length runs of each chapter's experiments, measured on the development machine and committed
 * beside the notebooks as {@code results/<chapter>.<experiment>.csv}, with the machine described in
 * {@code results/<chapter>.machine.txt}.
 *
 * <p>A chapter passes every result table through {@link #keep}; in a recording run ({@code SERVERLAB_RECORD=1},
 * full mode only) that writes the CSV. Charts can draw the recorded run next to this run ({@link #overlay}),
 * and a cell that cannot run here (no root, a missing tool) shows the recorded result instead ({@link #instead}).
 * The directory is {@code SERVERLAB_RESULTS} (or {@code -Dserverlab.results}) when set, else {@code results/}
 * beside the notebook (the kernel's working directory), else {@code notebooks/results/}.
 */
public final class Recorded {

    private Recorded() {
    }

    /** Where recorded runs live. */
    public static Path directory() {
        String configured = Optional.ofNullable(System.getProperty("serverlab.results")).orElse(System.getenv("SERVERLAB_RESULTS"));
        if (configured != null && !configured.isBlank()) return Path.of(configured);
        Path besideNotebook = Path.of("results");
        if (Files.isDirectory(besideNotebook)) return besideNotebook;
        Path fromRepository = Path.of("notebooks", "results");
        return Files.isDirectory(fromRepository) ? fromRepository : besideNotebook;
    }

    /** True in a recording run: {@code SERVERLAB_RECORD=1} (or {@code -Dserverlab.record=1}) and not quick mode. */
    public static boolean recording() {
        String flag = Optional.ofNullable(System.getProperty("serverlab.record")).orElse(System.getenv("SERVERLAB_RECORD"));
        boolean asked = flag != null && (flag.equals("1") || flag.equalsIgnoreCase("true") || flag.equalsIgnoreCase("yes"));
        if (asked && Quick.enabled()) {
            throw new IllegalStateException("SERVERLAB_RECORD=1 with quick mode on: recorded runs must be full length."
                    + " Unset SERVERLAB_QUICK for a recording run.");
        }
        return asked;
    }

    /** Returns {@code thisRun}; in a recording run also saves it as the chapter's recorded {@code experiment}. */
    public static Table keep(String chapter, String experiment, Table thisRun) {
        if (recording()) {
            Results.save(thisRun, file(chapter, experiment));
            try {
                Files.writeString(directory().resolve(chapter + ".machine.txt"),
                        "Recorded " + LocalDate.now() + " on " + Machine.describe() + "\n");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot describe the machine in " + directory(), e);
            }
        }
        return thisRun;
    }

    /** The recorded run of {@code experiment}, if one was committed. */
    public static Optional<Table> load(String chapter, String experiment) {
        Path file = file(chapter, experiment);
        return Files.isRegularFile(file) ? Optional.of(Results.load(file)) : Optional.empty();
    }

    /** The machine the chapter's runs were recorded on, in one line. */
    public static String machine(String chapter) {
        try {
            return Files.readString(directory().resolve(chapter + ".machine.txt")).strip();
        } catch (IOException e) {
            return "(no recorded machine for " + chapter + ")";
        }
    }

    /**
     * For a cell that cannot run here: prints one line saying why and where the recorded result comes from,
     * and returns that result.
     */
    public static Table instead(String chapter, String experiment, String whyNotHere) {
        Table recorded = load(chapter, experiment).orElseThrow(() -> new IllegalStateException(
                whyNotHere + ", and no recorded run exists at " + file(chapter, experiment)
                        + ": the workbook's results/ folder is missing or incomplete; restore it from the repository."));
        System.out.println("⚠ " + whyNotHere + ". Showing the recorded run instead — " + machine(chapter) + ".");
        return recorded;
    }

    /**
     * Adds the recorded run's {@code yColumn} against {@code xColumn} to {@code chart} as a dashed grey series
     * named {@code "recorded: " + label}. Returns false (and changes nothing) when no run was recorded.
     */
    public static boolean overlay(XYChart chart, String chapter, String experiment, String xColumn, String yColumn, String label) {
        Optional<Table> recorded = load(chapter, experiment);
        if (recorded.isEmpty()) return false;
        Table t = recorded.get();
        double[] x = ((NumericColumn<?>) t.column(xColumn)).asDoubleArray();
        double[] y = ((NumericColumn<?>) t.column(yColumn)).asDoubleArray();
        XYSeries series = chart.addSeries("recorded: " + label, x, y);
        series.setLineStyle(SeriesLines.DASH_DASH);
        series.setMarker(SeriesMarkers.NONE);
        series.setLineColor(java.awt.Color.GRAY);
        return true;
    }

    private static Path file(String chapter, String experiment) {
        if (!experiment.matches("[a-z0-9-]+") || !chapter.matches("[0-9]{2}-[a-z0-9-]+")) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "chapter must look like 01-metrics and experiment like rate-sweep, got %s / %s", chapter, experiment));
        }
        return directory().resolve(chapter + "." + experiment + ".csv");
    }
}
