package serverlab.kernel.widgets;

import java.util.List;

/**
 * A choice of one of {@code options}, each shown by its {@code String.valueOf}; the state
 * holds the index of the chosen one, as ipywidgets' selection models do.
 */
public abstract class Selection<T> extends ValueWidget<T> {
    private final List<T> options;

    protected Selection(String kind, String description, List<T> options, T value) {
        super(kind, "index", description);
        if (options.isEmpty()) throw new IllegalArgumentException("no options to choose from");
        this.options = List.copyOf(options);
        init("_options_labels", this.options.stream().map(String::valueOf).toList());
        init("index", indexOf(value));
    }

    public List<T> options() {
        return options;
    }

    public int index() {
        return ((Number) get("index")).intValue();
    }

    @Override
    protected T fromJson(Object json) {
        double index = number(json).doubleValue();
        if (index != Math.rint(index) || index < 0 || index >= options.size()) {
            throw new IllegalArgumentException("no option at index " + json + " of " + options.size());
        }
        return options.get((int) index);
    }

    @Override
    protected Object toJson(T value) {
        return indexOf(value);
    }

    private int indexOf(T value) {
        int index = options.indexOf(value);
        if (index < 0) throw new IllegalArgumentException(value + " is not one of " + options);
        return index;
    }
}
