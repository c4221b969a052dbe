package serverlab.kernel.widgets;

import java.util.List;

/** A drop-down list of options. */
public final class Dropdown<T> extends Selection<T> {
    public Dropdown(String description, List<T> options, T value) {
        super("Dropdown", description, options, value);
        open();
    }
}
