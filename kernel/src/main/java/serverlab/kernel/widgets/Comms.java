package serverlab.kernel.widgets;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.reflect.TypeToken;
import io.github.spencerpark.jupyter.messages.MessageContext;
import io.github.spencerpark.jupyter.messages.comm.CommCloseCommand;
import io.github.spencerpark.jupyter.messages.comm.CommMsgCommand;
import io.github.spencerpark.jupyter.messages.comm.CommOpenCommand;
import io.github.spencerpark.jupyter.messages.request.CommInfoRequest;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The kernel's end of the comm protocol: the comms widgets open from Java, and the front end's
 * {@code comm_open}, {@code comm_msg}, {@code comm_close} and {@code comm_info_request}.
 *
 * <p>Concurrency: {@link #receive} runs on the thread that reads the shell socket, so state from
 * the front end is applied in the order it was sent, before any later cell reads it, even while
 * a cell runs. Java code the front end triggers (observers, click handlers) runs afterwards, one
 * message at a time, on the "widget-events" thread; only then is the message's {@code idle}
 * published, which is what paces a dragged slider to the speed of its observers.
 */
public final class Comms {
    public static final String WIDGET_TARGET = "jupyter.widget";
    /** ipywidgets' optional target for fetching every widget's state in one message (a reloaded page). */
    public static final String CONTROL_TARGET = "jupyter.widget.control";
    /** The widget message protocol of ipywidgets 8, sent with every {@code comm_open}. */
    public static final String PROTOCOL_VERSION = "2.1.0";

    /** How comms reach the front end; a null parent means the request being served on the calling thread. */
    public interface Wire {
        void publish(MessageContext parent, String msgType, Map<String, Object> content, Map<String, Object> metadata);

        void reply(MessageContext request, String msgType, Map<String, Object> content);

        /** Runs Java code a front-end message triggered as a cell's code runs: its output and errors under {@code request}. */
        void run(MessageContext request, Runnable code);

        void status(MessageContext request, String executionState);
    }

    private static final Gson GSON = new Gson();
    private static volatile Comms current = new Comms(null);

    private final Wire wire;
    private final Map<String, Widget> widgets = new ConcurrentHashMap<>();
    private final Set<String> controlComms = ConcurrentHashMap.newKeySet();
    private final ExecutorService events;

    public Comms(Wire wire) {
        this.wire = wire;
        this.events = wire == null ? null : Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "widget-events");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** The kernel's comms; outside a kernel, a detached one: widgets keep their state and send nothing. */
    public static Comms current() {
        return current;
    }

    public static void install(Comms comms) {
        current = comms;
    }

    // --- from Java -------------------------------------------------------------------------

    void open(Widget widget) {
        if (wire == null) return;
        widgets.put(widget.id(), widget);
        Map<String, Object> content = new LinkedHashMap<>();
        content.put("comm_id", widget.id());
        content.put("target_name", WIDGET_TARGET);
        content.put("data", Map.of("state", widget.state(), "buffer_paths", List.of()));
        wire.publish(null, "comm_open", content, Map.of("version", PROTOCOL_VERSION));
    }

    void update(Widget widget, Map<String, Object> state) {
        update(null, widget, state);
    }

    private void update(MessageContext parent, Widget widget, Map<String, Object> state) {
        if (wire == null || !widgets.containsKey(widget.id())) return;
        send(parent, widget.id(), Map.of("method", "update", "state", state, "buffer_paths", List.of()));
    }

    void close(Widget widget) {
        if (wire == null || widgets.remove(widget.id()) == null) return;
        wire.publish(null, "comm_close", Map.of("comm_id", widget.id(), "data", Map.of()), null);
    }

    private void send(MessageContext parent, String commId, Map<String, Object> data) {
        wire.publish(parent, "comm_msg", Map.of("comm_id", commId, "data", data), Map.of("version", PROTOCOL_VERSION));
    }

    // --- from the front end --------------------------------------------------------------------

    /** True for the shell messages {@link #receive} answers. */
    public static boolean isComm(String msgType) {
        return msgType.equals("comm_open") || msgType.equals("comm_msg") || msgType.equals("comm_close")
                || msgType.equals("comm_info_request");
    }

    /**
     * Answers one comm message. A message this kernel cannot use (an unknown comm, a value a
     * widget cannot hold) is reported on stderr under the request, never thrown.
     */
    public void receive(MessageContext request, Object content) {
        wire.status(request, "busy");
        Runnable then = null;
        try {
            then = switch (content) {
                case CommInfoRequest info -> commInfo(request, info.getTargetName());
                case CommOpenCommand open -> opened(request, open);
                case CommMsgCommand message -> message(request, message.getCommID(), map(message.getData()));
                case CommCloseCommand close -> closed(close.getCommID());
                default -> throw new IllegalArgumentException("not a comm message: " + content);
            };
        } catch (RuntimeException e) {
            wire.publish(request, "stream", Map.of("name", "stderr", "text", "[widgets] " + e.getMessage() + "\n"), null);
        }
        Runnable callbacks = then;
        events.execute(() -> {
            try {
                if (callbacks != null) wire.run(request, callbacks);
            } finally {
                wire.status(request, "idle");
            }
        });
    }

    private Runnable commInfo(MessageContext request, String targetName) {
        Map<String, Object> comms = new LinkedHashMap<>();
        for (String id : widgets.keySet()) {
            if (targetName == null || targetName.equals(WIDGET_TARGET)) comms.put(id, Map.of("target_name", WIDGET_TARGET));
        }
        wire.reply(request, "comm_info_reply", Map.of("status", "ok", "comms", comms));
        return null;
    }

    private Runnable opened(MessageContext request, CommOpenCommand open) {
        if (CONTROL_TARGET.equals(open.getTargetName())) {
            controlComms.add(open.getCommID());
            return null;
        }
        // Widgets are created from Java only: close the front end's comm so that it does not wait.
        wire.publish(request, "comm_close", Map.of("comm_id", open.getCommID(), "data", Map.of()), null);
        throw new IllegalArgumentException("comm target '" + open.getTargetName() + "' is not served by this kernel");
    }

    private Runnable closed(String commId) {
        controlComms.remove(commId);
        widgets.remove(commId);
        return null;
    }

    private Runnable message(MessageContext request, String commId, Map<String, Object> data) {
        Object method = data.get("method");
        if (controlComms.contains(commId)) {
            if (!"request_states".equals(method)) throw new IllegalArgumentException("unknown control method " + method);
            send(request, commId, Map.of("method", "update_states", "states", states(), "buffer_paths", List.of()));
            return null;
        }
        Widget widget = widgets.get(commId);
        if (widget == null) throw new IllegalArgumentException("no widget with comm id " + commId);
        return switch (String.valueOf(method)) {
            case "update" -> {
                Map<String, Object> state = data.get("state") instanceof Map<?, ?> m ? cast(m) : Map.of();
                List<String> changed;
                try {
                    changed = widget.receive(state);
                } catch (IllegalArgumentException refused) {
                    update(request, widget, current(widget, state.keySet()));   // the front end shows the kept value again
                    throw new IllegalArgumentException(widget.getClass().getSimpleName() + " refused " + state + ": " + refused.getMessage());
                }
                yield changed.isEmpty() ? null : () -> widget.changed(changed);
            }
            case "request_state" -> {
                update(request, widget, widget.state());
                yield null;
            }
            case "custom" -> {
                Map<String, Object> custom = data.get("content") instanceof Map<?, ?> m ? cast(m) : Map.of();
                yield () -> widget.onCustom(custom);
            }
            default -> throw new IllegalArgumentException("unknown widget method " + method);
        };
    }

    private static Map<String, Object> current(Widget widget, Set<String> keys) {
        Map<String, Object> state = widget.state();
        state.keySet().retainAll(keys);
        return state;
    }

    private Map<String, Object> states() {
        Map<String, Object> states = new LinkedHashMap<>();
        for (Widget widget : widgets.values()) {
            Map<String, Object> state = widget.state();
            states.put(widget.id(), Map.of("model_name", state.get("_model_name"), "model_module", state.get("_model_module"),
                    "model_module_version", state.get("_model_module_version"), "state", state));
        }
        return states;
    }

    private static Map<String, Object> map(JsonObject json) {
        if (json == null) return Map.of();
        return GSON.fromJson(json, new TypeToken<Map<String, Object>>() { }.getType());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> map) {
        return (Map<String, Object>) map;
    }
}
