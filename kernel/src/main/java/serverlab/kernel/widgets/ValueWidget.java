package serverlab.kernel.widgets;

import java.util.function.Consumer;

/**
 * A control with one value a user changes (a slider, a checkbox, a choice): {@link #value()},
 * {@link #setValue}, and {@link #onChange} for changes from either side.
 */
public abstract class ValueWidget<T> extends Widget {
    private final String key;

    /** {@code key}: the state attribute that holds the value ("value", or "index" for a choice). */
    protected ValueWidget(String kind, String key, String description) {
        super(kind);
        this.key = key;
        init("description", description);
    }

    public T value() {
        return fromJson(get(key));
    }

    public void setValue(T value) {
        put(key, accept(key, toJson(value)));
    }

    public String description() {
        return (String) get("description");
    }

    /** Calls {@code listener} with the new value after each change, from the front end or from Java. */
    public ValueWidget<T> onChange(Consumer<? super T> listener) {
        observe(changed -> {
            if (changed.equals(key)) listener.accept(value());
        });
        return this;
    }

    /** The Java value of a state value; throws IllegalArgumentException for one this control cannot hold. */
    protected abstract T fromJson(Object json);

    protected Object toJson(T value) {
        return value;
    }

    @Override
    protected Object accept(String name, Object value) {
        return name.equals(key) ? toJson(fromJson(value)) : super.accept(name, value);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + description() + " = " + value() + ")";
    }

    static Number number(Object json) {
        if (json instanceof Number n) return n;
        throw new IllegalArgumentException("expected a number, got " + json);
    }

    static String string(Object json) {
        if (json instanceof String s) return s;
        throw new IllegalArgumentException("expected a string, got " + json);
    }
}
