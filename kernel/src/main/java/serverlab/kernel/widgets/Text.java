package serverlab.kernel.widgets;

/** A one-line text field. */
public final class Text extends ValueWidget<String> {
    public Text(String description, String value) {
        super("Text", "value", description);
        init("value", value == null ? "" : value);
        open();
    }

    @Override
    protected String fromJson(Object json) {
        return string(json);
    }
}
