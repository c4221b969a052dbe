package serverlab.kernel.widgets;

/** A slider over whole numbers from {@code min} to {@code max}. */
public final class IntSlider extends ValueWidget<Integer> {
    public IntSlider(String description, int min, int max, int value) {
        this(description, min, max, 1, value);
    }

    public IntSlider(String description, int min, int max, int step, int value) {
        super("IntSlider", "value", description);
        if (min > max) throw new IllegalArgumentException("min " + min + " > max " + max);
        init("min", min);
        init("max", max);
        init("step", step);
        init("value", Math.clamp(value, min, max));
        open();
    }

    public int min() {
        return ((Number) get("min")).intValue();
    }

    public int max() {
        return ((Number) get("max")).intValue();
    }

    /** A whole number, kept within [min, max] as ipywidgets keeps it. */
    @Override
    protected Integer fromJson(Object json) {
        double value = number(json).doubleValue();
        if (value != Math.rint(value)) throw new IllegalArgumentException("expected a whole number, got " + json);
        return (int) Math.clamp((long) value, min(), max());
    }
}
