package serverlab.kernel.widgets;

import java.util.List;
import java.util.stream.Collectors;

/** Widgets laid out side by side ({@link HBox}) or one above the other ({@link VBox}). */
public abstract class Box extends Widget {
    private final List<Widget> children;

    Box(String kind, List<? extends Widget> children) {
        super(kind);
        this.children = List.copyOf(children);
        init("children", this.children.stream().map(Widget::reference).toList());
        open();
    }

    public List<Widget> children() {
        return children;
    }

    /** Without a widget front end: the children's own static renderings, in the same direction. */
    @Override
    protected String fallbackHtml() {
        String direction = this instanceof HBox ? "row" : "column";
        return children.stream().map(Widget::fallbackHtml)
                .collect(Collectors.joining("", "<div style=\"display:flex;flex-direction:" + direction + ";gap:0.5em\">", "</div>"));
    }

    @Override
    public String toString() {
        return children.stream().map(Widget::toString).collect(Collectors.joining(this instanceof HBox ? "  " : "\n"));
    }
}
