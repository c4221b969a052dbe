package serverlab.kernel.widgets;

import java.util.List;

/** Widgets side by side. */
public final class HBox extends Box {
    public HBox(Widget... children) {
        super("HBox", List.of(children));
    }
}
