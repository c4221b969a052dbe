package serverlab.kernel.widgets;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A Jupyter widget model kept in sync with its twin in the front end (the Jupyter widget
 * message protocol 2.1.0, as ipywidgets 8 speaks it): creating one opens a comm whose data is
 * the state, a change on either side travels as an {@code update}, and displaying it shows a
 * view. Without a widget front end (nbconvert, a handout) the display shows {@link #fallbackHtml()}.
 *
 * <p>State values are JSON values (String, Number, Boolean, List, Map, null); references to
 * other widgets are the strings {@code "IPY_MODEL_<id>"}.
 */
public abstract class Widget {
    public static final String VIEW_MIME = "application/vnd.jupyter.widget-view+json";
    static final String CONTROLS = "@jupyter-widgets/controls";

    private final String id = UUID.randomUUID().toString().replace("-", "");
    private final Map<String, Object> state = new LinkedHashMap<>();
    private final List<Consumer<String>> observers = new CopyOnWriteArrayList<>();

    /** A model of {@code @jupyter-widgets/controls} 2.0.0: {@code kind} "IntSlider" names IntSliderModel and IntSliderView. */
    protected Widget(String kind) {
        this(CONTROLS, "2.0.0", kind);
    }

    protected Widget(String module, String moduleVersion, String kind) {
        state.put("_model_module", module);
        state.put("_model_module_version", moduleVersion);
        state.put("_model_name", kind + "Model");
        state.put("_view_module", module);
        state.put("_view_module_version", moduleVersion);
        state.put("_view_name", kind + "View");
        state.put("_dom_classes", List.of());
    }

    /** Opens the comm: subclasses call it last in their constructor, once the state is complete. */
    protected final void open() {
        Comms.current().open(this);
    }

    public String id() {
        return id;
    }

    /** How other widgets' state refers to this one. */
    public String reference() {
        return "IPY_MODEL_" + id;
    }

    /** A copy of the whole state, as sent when the comm opens. */
    public synchronized Map<String, Object> state() {
        return new LinkedHashMap<>(state);
    }

    protected synchronized Object get(String key) {
        return state.get(key);
    }

    /** Sets a state value from Java: the front end gets an update, observers are told (when it changed). */
    protected void put(String key, Object value) {
        synchronized (this) {
            if (state.containsKey(key) && java.util.Objects.equals(state.get(key), value)) return;
            state.put(key, value);
        }
        Map<String, Object> change = new LinkedHashMap<>();
        change.put(key, value);
        Comms.current().update(this, change);
        changed(List.of(key));
    }

    /** Sets a value before {@link #open()}: part of the initial state, no update sent. */
    protected synchronized void init(String key, Object value) {
        state.put(key, value);
    }

    /**
     * Applies an update from the front end and returns the keys that changed. Each value goes
     * through {@link #accept}; one refused value refuses the whole update.
     */
    List<String> receive(Map<String, Object> update) {
        Map<String, Object> accepted = new LinkedHashMap<>();
        for (Map.Entry<String, Object> entry : update.entrySet()) {
            accepted.put(entry.getKey(), accept(entry.getKey(), entry.getValue()));
        }
        List<String> changed = new ArrayList<>();
        synchronized (this) {
            for (Map.Entry<String, Object> entry : accepted.entrySet()) {
                if (!java.util.Objects.equals(state.put(entry.getKey(), entry.getValue()), entry.getValue())) changed.add(entry.getKey());
            }
        }
        return changed;
    }

    /**
     * The value to keep for {@code key} when the front end sends {@code value}; throws
     * IllegalArgumentException for one this model cannot hold. By default only keys the model
     * already has are accepted, as they are.
     */
    protected Object accept(String key, Object value) {
        synchronized (this) {
            if (!state.containsKey(key)) throw new IllegalArgumentException("no attribute '" + key + "'");
        }
        return value;
    }

    /** A {@code custom} message from the front end, e.g. a button's click. */
    protected void onCustom(Map<String, Object> content) {
    }

    /** Calls {@code observer} with the name of each attribute that changed, from either side. */
    public void observe(Consumer<String> observer) {
        observers.add(observer);
    }

    void changed(List<String> keys) {
        for (String key : keys) {
            for (Consumer<String> observer : observers) observer.accept(key);
        }
    }

    /** The display bundle: a live view for widget front ends, a static rendering for everything else. */
    public Map<String, Object> mimeBundle() {
        Map<String, Object> bundle = new LinkedHashMap<>();
        bundle.put(VIEW_MIME, Map.of("version_major", 2, "version_minor", 0, "model_id", id));
        bundle.put("text/html", fallbackHtml());
        bundle.put("text/plain", toString());
        return bundle;
    }

    /** What a notebook shows in place of the live widget where no widget front end runs. */
    protected String fallbackHtml() {
        return "<code>" + serverlab.kernel.display.Renderers.escapeHtml(toString()) + "</code>";
    }

    /** Closes the comm: the front end removes the views. */
    public void close() {
        Comms.current().close(this);
    }
}
