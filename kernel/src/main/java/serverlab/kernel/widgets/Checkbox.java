package serverlab.kernel.widgets;

/** A box to tick: true or false. */
public final class Checkbox extends ValueWidget<Boolean> {
    public Checkbox(String description, boolean value) {
        super("Checkbox", "value", description);
        init("value", value);
        open();
    }

    @Override
    protected Boolean fromJson(Object json) {
        if (json instanceof Boolean b) return b;
        throw new IllegalArgumentException("expected true or false, got " + json);
    }
}
