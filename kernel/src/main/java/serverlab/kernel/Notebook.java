package serverlab.kernel;

import serverlab.labs.display.DisplaySink;

import java.util.Objects;

/**
 * Display and input functions for notebook code, statically imported in every cell:
 * {@code String id = display(chart);} and later {@code updateDisplay(id, newChart);};
 * {@code String name = input("Name: ");}.
 */
public final class Notebook {
    private static volatile Displayer displayer;

    /** The kernel side of display: renders and publishes. */
    public interface Displayer extends DisplaySink {
        String display(Object value, String... mimeTypes);

        void update(String displayId, Object value, String... mimeTypes);

        /** Clears the output of the running cell; with {@code wait}, only when new output arrives. */
        default void clear(boolean wait) {
            throw new UnsupportedOperationException("clearOutput");
        }

        @Override
        default String display(Object value) {
            return display(value, new String[0]);
        }

        @Override
        default void update(String displayId, Object value) {
            update(displayId, value, new String[0]);
        }
    }

    private Notebook() {}

    static void install(Displayer kernelDisplayer) {
        displayer = kernelDisplayer;
    }

    /** Shows {@code value} below the cell (a table, a chart, an image, any object) and returns its display id. */
    public static String display(Object value) {
        return displayer().display(value);
    }

    /** Shows {@code value} rendered as the given MIME types only, e.g. {@code display(chart, "image/svg+xml")}. */
    public static String display(Object value, String... mimeTypes) {
        return displayer().display(value, mimeTypes);
    }

    /** Replaces, in place, the output shown under {@code displayId}. */
    public static void updateDisplay(String displayId, Object value) {
        displayer().update(Objects.requireNonNull(displayId, "displayId"), value);
    }

    public static void updateDisplay(String displayId, Object value, String... mimeTypes) {
        displayer().update(Objects.requireNonNull(displayId, "displayId"), value, mimeTypes);
    }

    /** Clears this cell's output so far. */
    public static void clearOutput() {
        displayer().clear(false);
    }

    /** Clears this cell's output when the next output arrives (no flicker in animations). */
    public static void clearOutput(boolean wait) {
        displayer().clear(wait);
    }

    /** Asks the user for a line of text in an input box below the cell, as Python's input() does. */
    public static String input(String prompt) {
        return ask(prompt, false);
    }

    /** Like {@link #input(String)}, with the typing hidden. */
    public static String password(String prompt) {
        return ask(prompt, true);
    }

    private static String ask(String prompt, boolean password) {
        try {
            return serverlab.kernel.io.CellInput.readLine(prompt == null ? "" : prompt, password);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e.getMessage(), e);
        }
    }

    private static Displayer displayer() {
        Displayer d = displayer;
        if (d == null) throw new IllegalStateException("display() works inside the ServerLab kernel only");
        return d;
    }
}
