package serverlab.labs.display;

import java.util.Objects;

/**
 * The process-wide display hook. Lab code calls {@link #current()}; the kernel calls
 * {@link #install(DisplaySink)} once at start-up so that progress bars and live charts
 * update in the notebook instead of printing to the console.
 */
public final class Displays {

    private static final DisplaySink CONSOLE = new ConsoleSink(System.out);

    private static volatile DisplaySink current = CONSOLE;

    private Displays() {
    }

    /** Makes {@code sink} the target of every later display; {@code null} restores the console. */
    public static void install(DisplaySink sink) {
        current = sink == null ? CONSOLE : sink;
    }

    /** The sink lab code should display through right now. */
    public static DisplaySink current() {
        return current;
    }

    /** True when a kernel (or any non-console sink) is installed, i.e. output goes to a notebook. */
    public static boolean inNotebook() {
        return current != CONSOLE;
    }

    /** The console sink, for code that wants plain text output regardless of what is installed. */
    public static DisplaySink console() {
        return CONSOLE;
    }

    /** Shorthand for {@code current().display(value)}. */
    public static String display(Object value) {
        return current().display(Objects.requireNonNull(value, "value"));
    }
}
