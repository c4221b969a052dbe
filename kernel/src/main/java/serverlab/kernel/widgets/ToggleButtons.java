package serverlab.kernel.widgets;

import java.util.List;

/** A row of buttons of which one is pressed: a choice among a few options, all visible. */
public final class ToggleButtons<T> extends Selection<T> {
    public ToggleButtons(String description, List<T> options, T value) {
        super("ToggleButtons", description, options, value);
        open();
    }
}
