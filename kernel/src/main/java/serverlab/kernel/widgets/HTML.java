package serverlab.kernel.widgets;

/** A piece of HTML the code can change (a status line, a result); the user cannot edit it. */
public final class HTML extends ValueWidget<String> {
    public HTML(String html) {
        super("HTML", "value", "");
        init("value", html == null ? "" : html);
        open();
    }

    @Override
    protected String fromJson(Object json) {
        return string(json);
    }

    @Override
    protected String fallbackHtml() {
        return value();
    }

    @Override
    public String toString() {
        return "HTML(" + value() + ")";
    }
}
