package serverlab.labs.display;

import java.io.PrintStream;
import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The sink used outside a notebook: prints the plain-text form of each value.
 *
 * <p>Updates print a new line only when the text changed. Progress bars are special:
 * on an interactive terminal they redraw one line in place with {@code \r}; when output
 * goes to a file or a CI log they print one line per 10% so logs stay short.
 */
public final class ConsoleSink implements DisplaySink {

    private final PrintStream out;
    private final boolean terminal;
    private final AtomicLong nextId = new AtomicLong();
    /** Last text printed per display id, to suppress repeats. */
    private final Map<String, String> lastText = new HashMap<>();
    /** Last 10% step printed per progress display id (non-terminal output). */
    private final Map<String, Integer> lastDecile = new HashMap<>();
    /** True while a {@code \r}-line is open on the terminal and needs a newline before other output. */
    private boolean lineOpen;

    public ConsoleSink(PrintStream out) {
        this(out, isInteractiveTerminal());
    }

    public ConsoleSink(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    @Override
    public synchronized String display(Object value) {
        String id = "console-" + nextId.incrementAndGet();
        show(id, value);
        return id;
    }

    @Override
    public synchronized void update(String displayId, Object value) {
        show(displayId, value);
    }

    private void show(String id, Object value) {
        String text = textOf(value);
        if (value instanceof ProgressBar bar) {
            showProgress(id, bar, text);
            return;
        }
        if (text.equals(lastText.put(id, text))) {
            return;
        }
        closeOpenLine();
        out.println(text);
        out.flush();
    }

    private void showProgress(String id, ProgressBar bar, String text) {
        if (terminal) {
            if (text.equals(lastText.put(id, text))) {
                return;
            }
            out.print("\r" + text);
            lineOpen = true;
            if (bar.isDone()) {
                closeOpenLine();
            }
            out.flush();
            return;
        }
        int decile = bar.isDone() ? 10 : (int) Math.floor(bar.fraction() * 10);
        Integer previous = lastDecile.put(id, decile);
        if (previous == null || decile > previous) {
            out.println(text);
            out.flush();
        }
    }

    private void closeOpenLine() {
        if (lineOpen) {
            out.println();
            lineOpen = false;
        }
    }

    static String textOf(Object value) {
        if (value instanceof Rich rich) {
            return rich.plainText();
        }
        return String.valueOf(value);
    }

    /**
     * Whether stdout is an interactive terminal. {@code Console.isTerminal()} exists from
     * JDK 22 on (where {@code System.console()} may be non-null even when redirected); we
     * compile for 21, so look it up by name and fall back to the JDK 21 meaning.
     */
    private static boolean isInteractiveTerminal() {
        var console = System.console();
        if (console == null) {
            return false;
        }
        try {
            Method isTerminal = console.getClass().getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (ReflectiveOperationException | RuntimeException noSuchMethodOnJdk21) {
            return true;
        }
    }
}
