package serverlab.kernel.widgets;

import serverlab.kernel.Notebook;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An output area inside a widget layout. While a thread is in its {@link #capture()} context,
 * that thread's {@code System.out}, {@code System.err} and {@code display(...)} (charts, tables)
 * land here instead of under the cell, also from a button's handler long after the cell ended.
 * The kernel keeps the outputs and syncs them as the model's {@code outputs} (ipywidgets 8's
 * OutputModel renders whatever that list holds).
 */
public final class Output extends Widget {
    private static final ThreadLocal<Output> CAPTURING = new ThreadLocal<>();
    /** Display ids shown inside an Output, so that updateDisplay(id, ...) finds them from any thread. */
    private static final Map<String, Output> DISPLAYS = new ConcurrentHashMap<>();

    private final List<Map<String, Object>> outputs = new ArrayList<>();
    private final List<String> displayIds = new ArrayList<>();
    private boolean clearOnNextOutput;

    public Output() {
        super("@jupyter-widgets/output", "1.0.0", "Output");
        init("msg_id", "");
        init("outputs", List.of());
        open();
    }

    /** The Output the calling thread's output goes to, or null for the cell. */
    public static Output capturing() {
        return CAPTURING.get();
    }

    /** A capture context: {@code try (var c = out.capture()) { ... }}. */
    public interface Capture extends AutoCloseable {
        @Override
        void close();
    }

    /** Until the returned context closes, this thread's output goes here. */
    public Capture capture() {
        Output outer = CAPTURING.get();
        CAPTURING.set(this);
        return () -> {
            synchronized (this) {
                if (clearOnNextOutput) clearNow();   // a clear(true) that no output followed
            }
            if (outer == null) CAPTURING.remove(); else CAPTURING.set(outer);
        };
    }

    /** Shows {@code value} here, as {@code display(value)} shows it under a cell. */
    public String display(Object value) {
        try (Capture ignored = capture()) {
            return Notebook.display(value);
        }
    }

    /** Removes the outputs; with {@code wait}, only when the next output arrives (no flicker between charts). */
    public synchronized void clear(boolean wait) {
        if (wait) clearOnNextOutput = true;
        else clearNow();
    }

    public synchronized void appendStream(String name, String text) {
        beforeOutput();
        int last = outputs.size() - 1;
        if (last >= 0 && "stream".equals(outputs.get(last).get("output_type")) && name.equals(outputs.get(last).get("name"))) {
            outputs.set(last, stream(name, outputs.get(last).get("text") + text));
        } else {
            outputs.add(stream(name, text));
            displayIds.add(null);
        }
        sync();
    }

    public synchronized void appendDisplay(String displayId, Map<String, Object> data, Map<String, Object> metadata) {
        beforeOutput();
        outputs.add(displayData(data, metadata));
        displayIds.add(displayId);
        DISPLAYS.put(displayId, this);
        sync();
    }

    /** Replaces the display {@code displayId} if an Output holds it; false when none does. */
    public static boolean updateDisplay(String displayId, Map<String, Object> data, Map<String, Object> metadata) {
        Output holder = DISPLAYS.get(displayId);
        return holder != null && holder.replace(displayId, data, metadata);
    }

    private synchronized boolean replace(String displayId, Map<String, Object> data, Map<String, Object> metadata) {
        boolean found = false;
        for (int i = 0; i < outputs.size(); i++) {
            if (displayId.equals(displayIds.get(i))) {
                outputs.set(i, displayData(data, metadata));
                found = true;
            }
        }
        if (found) sync();
        return found;
    }

    /** The outputs as nbformat output dicts. */
    public synchronized List<Map<String, Object>> outputs() {
        return List.copyOf(outputs);
    }

    private void beforeOutput() {
        if (clearOnNextOutput) clearNow();
    }

    private void clearNow() {
        clearOnNextOutput = false;
        for (String id : displayIds) {
            if (id != null) DISPLAYS.remove(id, this);
        }
        outputs.clear();
        displayIds.clear();
        sync();
    }

    private void sync() {
        put("outputs", List.copyOf(outputs));
    }

    private static Map<String, Object> stream(String name, String text) {
        Map<String, Object> output = new LinkedHashMap<>();
        output.put("output_type", "stream");
        output.put("name", name);
        output.put("text", text);
        return output;
    }

    private static Map<String, Object> displayData(Map<String, Object> data, Map<String, Object> metadata) {
        Map<String, Object> output = new LinkedHashMap<>();
        output.put("output_type", "display_data");
        output.put("data", data);
        output.put("metadata", metadata == null ? Map.of() : metadata);
        return output;
    }

    /** Without a widget front end: the outputs themselves, charts as inline images. */
    @Override
    protected synchronized String fallbackHtml() {
        StringBuilder html = new StringBuilder("<div>");
        for (Map<String, Object> output : outputs) {
            if (output.get("data") instanceof Map<?, ?> data) {
                if (data.get("text/html") instanceof String h) html.append(h);
                else if (data.get("image/png") instanceof String png) html.append("<img src=\"data:image/png;base64,").append(png).append("\"/>");
                else html.append("<pre>").append(escape(String.valueOf(data.get("text/plain")))).append("</pre>");
            } else {
                html.append("<pre>").append(escape(String.valueOf(output.get("text")))).append("</pre>");
            }
        }
        return html.append("</div>").toString();
    }

    @Override
    public synchronized String toString() {
        StringBuilder text = new StringBuilder();
        for (Map<String, Object> output : outputs) {
            Object plain = output.get("data") instanceof Map<?, ?> data ? data.get("text/plain") : output.get("text");
            text.append(plain);
            if (!text.isEmpty() && text.charAt(text.length() - 1) != '\n') text.append('\n');
        }
        return text.isEmpty() ? "Output()" : text.toString().stripTrailing();
    }

    private static String escape(String s) {
        return serverlab.kernel.display.Renderers.escapeHtml(s);
    }
}
