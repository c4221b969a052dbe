package serverlab.kernel.widgets;

/** A slider over real numbers from {@code min} to {@code max}. */
public final class FloatSlider extends ValueWidget<Double> {
    public FloatSlider(String description, double min, double max, double step, double value) {
        super("FloatSlider", "value", description);
        if (!(min <= max)) throw new IllegalArgumentException("min " + min + " > max " + max);
        init("min", min);
        init("max", max);
        init("step", step);
        init("value", Math.clamp(value, min, max));
        open();
    }

    @Override
    protected Double fromJson(Object json) {
        double value = number(json).doubleValue();
        if (Double.isNaN(value)) throw new IllegalArgumentException("NaN is not a slider value");
        return Math.clamp(value, ((Number) get("min")).doubleValue(), ((Number) get("max")).doubleValue());
    }
}
