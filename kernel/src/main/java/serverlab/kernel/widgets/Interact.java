package serverlab.kernel.widgets;

import serverlab.kernel.Notebook;
import serverlab.kernel.eval.CellGuard;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code interact(...)}: controls above an {@link Output}; the code runs once now and again
 * after every change of a control, its output (text, charts) replacing the last in place.
 * Statically imported in every cell:
 * <pre>
 * var n = new IntSlider("connections", 1, 64, 8);
 * interact(() -> display(chartFor(n.value())), n);
 * </pre>
 */
public final class Interact {
    private Interact() {
    }

    /** Shows {@code controls} and the output of {@code body}, re-run after each change. */
    public static void interact(Runnable body, ValueWidget<?>... controls) {
        Notebook.display(interactive(body, controls));
    }

    /** One control whose value {@code body} takes. */
    public static <T> void interact(ValueWidget<T> control, Consumer<? super T> body) {
        interact(() -> body.accept(control.value()), control);
    }

    /** Like {@link #interact(Runnable, ValueWidget[])} without displaying: the box, to place or show later. */
    public static VBox interactive(Runnable body, ValueWidget<?>... controls) {
        Output output = new Output();
        Runnable run = () -> rerun(body, output);
        for (ValueWidget<?> control : controls) control.onChange(value -> run.run());
        run.run();
        List<Widget> children = new ArrayList<>(List.of(controls));
        children.add(output);
        return new VBox(children);
    }

    /** Runs {@code body} into {@code output}, replacing what it showed; a failure shows there too. */
    static void rerun(Runnable body, Output output) {
        try (Output.Capture ignored = output.capture()) {
            output.clear(true);
            try {
                body.run();
            } catch (CellGuard.CellInterrupted interrupted) {
                throw interrupted;
            } catch (RuntimeException e) {
                System.err.println(e);
            }
        }
    }
}
