package serverlab.kernel.widgets;

import java.util.List;

/** Widgets one above the other. */
public final class VBox extends Box {
    public VBox(Widget... children) {
        super("VBox", List.of(children));
    }

    public VBox(List<? extends Widget> children) {
        super("VBox", children);
    }
}
