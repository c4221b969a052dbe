package serverlab.kernel.display;

import io.github.spencerpark.jupyter.messages.MessageContext;
import serverlab.kernel.CellRun;
import serverlab.kernel.Notebook;
import serverlab.kernel.io.IOPub;
import serverlab.kernel.widgets.Output;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/** Renders values and publishes them as display_data / update_display_data. */
public final class DisplayPublisher implements Notebook.Displayer {
    private final IOPub iopub;
    private final Supplier<MessageContext> lastRequest;

    public DisplayPublisher(IOPub iopub, Supplier<MessageContext> lastRequest) {
        this.iopub = iopub;
        this.lastRequest = lastRequest;
    }

    @Override
    public String display(Object value, String... mimeTypes) {
        String id = UUID.randomUUID().toString();
        publish("display_data", id, value, mimeTypes);
        return id;
    }

    @Override
    public void update(String displayId, Object value, String... mimeTypes) {
        publish("update_display_data", displayId, value, mimeTypes);
    }

    @Override
    public void clear(boolean wait) {
        Output capture = Output.capturing();
        if (capture != null) {
            capture.clear(wait);
            return;
        }
        CellRun run = CellRun.current();
        if (run != null && run.isActive()) {
            if (run.silent()) return;
            run.streams().flush();
        }
        iopub.publish(run != null ? run.request() : lastRequest.get(), "clear_output", Map.of("wait", wait));
    }

    private void publish(String msgType, String id, Object value, String... mimeTypes) {
        // Inside an Output widget's context the display goes there; an update finds the Output that holds its id.
        Output capture = Output.capturing();
        if (capture != null && msgType.equals("display_data")) {
            capture.appendDisplay(id, Renderers.render(value, mimeTypes), Map.of());
            return;
        }
        if (msgType.equals("update_display_data") && Output.updateDisplay(id, Renderers.render(value, mimeTypes), Map.of())) return;
        CellRun run = CellRun.current();
        if (run != null && run.isActive()) {
            if (run.silent()) return;
            run.streams().flush();   // keep prints before the display above it
        }
        MessageContext parent = run != null ? run.request() : lastRequest.get();
        Map<String, Object> content = new LinkedHashMap<>();
        content.put("data", Renderers.render(value, mimeTypes));
        content.put("metadata", Map.of());
        content.put("transient", Map.of("display_id", id));
        iopub.publish(parent, msgType, content);
    }
}
