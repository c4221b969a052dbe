package serverlab.kernel.widgets;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** A push button: {@link #onClick} handlers run when it is pressed in the front end (or {@link #click()}ed). */
public final class Button extends Widget {
    private final List<Runnable> handlers = new CopyOnWriteArrayList<>();

    public Button(String description) {
        super("Button");
        init("description", description);
        init("button_style", "");
        init("disabled", false);
        open();
    }

    public Button onClick(Runnable handler) {
        handlers.add(handler);
        return this;
    }

    /** Runs the click handlers, as a press in the front end does. */
    public void click() {
        for (Runnable handler : handlers) handler.run();
    }

    /** Greys the button out, e.g. while its action runs. */
    public void setDisabled(boolean disabled) {
        put("disabled", disabled);
    }

    /** One of "primary", "success", "info", "warning", "danger" or "". */
    public Button style(String buttonStyle) {
        put("button_style", buttonStyle);
        return this;
    }

    @Override
    protected void onCustom(Map<String, Object> content) {
        if ("click".equals(content.get("event"))) click();
    }

    @Override
    public String toString() {
        return "Button(" + get("description") + ")";
    }
}
