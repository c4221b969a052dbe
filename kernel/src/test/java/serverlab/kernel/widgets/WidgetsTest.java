package serverlab.kernel.widgets;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.spencerpark.jupyter.messages.MessageContext;
import io.github.spencerpark.jupyter.messages.comm.CommMsgCommand;
import io.github.spencerpark.jupyter.messages.comm.CommOpenCommand;
import io.github.spencerpark.jupyter.messages.request.CommInfoRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The widget models and their state sync, against a recording wire instead of a front end. */
class WidgetsTest {
    record Sent(String type, Map<String, Object> content, Map<String, Object> metadata) {
    }

    /** Records what the kernel would send; runs front-end-triggered code inline. */
    static final class RecordingWire implements Comms.Wire {
        final List<Sent> sent = new CopyOnWriteArrayList<>();

        @Override
        public void publish(MessageContext parent, String msgType, Map<String, Object> content, Map<String, Object> metadata) {
            sent.add(new Sent(msgType, content, metadata));
        }

        @Override
        public void reply(MessageContext request, String msgType, Map<String, Object> content) {
            sent.add(new Sent(msgType, content, null));
        }

        @Override
        public void run(MessageContext request, Runnable code) {
            code.run();
        }

        @Override
        public void status(MessageContext request, String executionState) {
            sent.add(new Sent("status", Map.of("execution_state", executionState), null));
        }

        List<Sent> of(String type) {
            return sent.stream().filter(s -> s.type.equals(type)).toList();
        }

        /** Waits for the idle that ends the handling of one front-end message. */
        void awaitIdle(int count) throws InterruptedException {
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (sent.stream().filter(s -> s.content.equals(Map.of("execution_state", "idle"))).count() < count) {
                if (System.nanoTime() > deadline) throw new AssertionError("no idle; sent " + sent);
                Thread.sleep(5);
            }
        }
    }

    private final RecordingWire wire = new RecordingWire();
    private final Comms comms = new Comms(wire);

    @BeforeEach
    void install() {
        Comms.install(comms);
    }

    @AfterEach
    void detach() {
        Comms.install(new Comms(null));
    }

    private static JsonObject json(String text) {
        return JsonParser.parseString(text).getAsJsonObject();
    }

    private void frontEnd(Widget widget, String data) throws InterruptedException {
        int idles = (int) wire.sent.stream().filter(s -> s.content.equals(Map.of("execution_state", "idle"))).count();
        comms.receive(null, new CommMsgCommand(widget.id(), json(data)));
        wire.awaitIdle(idles + 1);
    }

    @Test
    void creatingAWidgetOpensItsCommWithTheWholeStateAndTheProtocolVersion() {
        IntSlider slider = new IntSlider("connections", 1, 64, 8);
        Sent open = wire.of("comm_open").get(0);
        assertEquals(slider.id(), open.content.get("comm_id"));
        assertEquals("jupyter.widget", open.content.get("target_name"));
        assertEquals(Map.of("version", "2.1.0"), open.metadata);
        @SuppressWarnings("unchecked")
        Map<String, Object> state = (Map<String, Object>) ((Map<String, Object>) open.content.get("data")).get("state");
        assertEquals("IntSliderModel", state.get("_model_name"));
        assertEquals("@jupyter-widgets/controls", state.get("_model_module"));
        assertEquals(8, state.get("value"));
    }

    @Test
    void javaSetSendsOnlyTheChangeAndTellsObservers() {
        IntSlider slider = new IntSlider("n", 0, 10, 3);
        List<Integer> seen = new ArrayList<>();
        slider.onChange(seen::add);
        slider.setValue(5);
        slider.setValue(5);   // unchanged: nothing sent
        slider.setValue(50);  // kept within [min, max]
        List<Object> updates = wire.of("comm_msg").stream().map(s -> s.content.get("data")).toList();
        assertEquals(List.of(Map.of("method", "update", "state", Map.of("value", 5), "buffer_paths", List.of()),
                Map.of("method", "update", "state", Map.of("value", 10), "buffer_paths", List.of())), updates);
        assertEquals(List.of(5, 10), seen);
    }

    @Test
    void frontEndUpdateChangesTheValueAndRunsObservers() throws InterruptedException {
        FloatSlider rate = new FloatSlider("rate", 0, 1, 0.1, 0.5);
        List<Double> seen = new CopyOnWriteArrayList<>();
        rate.onChange(seen::add);
        frontEnd(rate, "{\"method\": \"update\", \"state\": {\"value\": 0.75}}");
        assertEquals(0.75, rate.value());
        assertEquals(List.of(0.75), seen);
        assertEquals(List.of("busy", "idle"), wire.of("status").stream().map(s -> s.content.get("execution_state")).toList());
    }

    @Test
    void aValueTheWidgetCannotHoldIsRefusedReportedAndResent() throws InterruptedException {
        IntSlider slider = new IntSlider("n", 0, 10, 3);
        frontEnd(slider, "{\"method\": \"update\", \"state\": {\"value\": 2.5}}");
        assertEquals(3, slider.value());
        assertTrue(wire.of("stream").get(0).content.get("text").toString().contains("expected a whole number"));
        assertEquals(Map.of("method", "update", "state", Map.of("value", 3), "buffer_paths", List.of()),
                wire.of("comm_msg").get(0).content.get("data"));
        assertThrows(IllegalArgumentException.class, () -> new IntSlider("n", 5, 1, 3));
    }

    @Test
    void selectionsSyncTheIndexAndRefuseOneOutOfRange() throws InterruptedException {
        Dropdown<String> arch = new Dropdown<>("architecture", List.of("iterative", "event-loop"), "event-loop");
        assertEquals(1, arch.index());
        frontEnd(arch, "{\"method\": \"update\", \"state\": {\"index\": 0}}");
        assertEquals("iterative", arch.value());
        frontEnd(arch, "{\"method\": \"update\", \"state\": {\"index\": 7}}");
        assertEquals("iterative", arch.value());
        assertThrows(IllegalArgumentException.class, () -> arch.setValue("nginx"));
    }

    @Test
    void aButtonClickRunsItsHandlers() throws InterruptedException {
        Button button = new Button("Run");
        List<String> clicks = new CopyOnWriteArrayList<>();
        button.onClick(() -> clicks.add("clicked"));
        frontEnd(button, "{\"method\": \"custom\", \"content\": {\"event\": \"click\"}}");
        assertEquals(List.of("clicked"), clicks);
    }

    @Test
    void commInfoListsWidgetsAndTheControlCommReturnsEveryState() throws InterruptedException {
        Text text = new Text("name", "ada");
        Text kept = new Text("kept", "grace");
        comms.receive(null, new CommInfoRequest("jupyter.widget"));
        comms.receive(null, new CommInfoRequest("other"));
        List<Sent> replies = wire.of("comm_info_reply");
        assertEquals(Map.of(text.id(), Map.of("target_name", "jupyter.widget"), kept.id(), Map.of("target_name", "jupyter.widget")),
                replies.get(0).content.get("comms"));
        assertEquals(Map.of(), replies.get(1).content.get("comms"));
        text.close();
        assertEquals(Map.of("comm_id", text.id(), "data", Map.of()), wire.of("comm_close").get(0).content);
        comms.receive(null, new CommInfoRequest(null));
        assertEquals(Map.of(kept.id(), Map.of("target_name", "jupyter.widget")), wire.of("comm_info_reply").get(2).content.get("comms"),
                "a closed widget is no longer listed");

        comms.receive(null, new CommOpenCommand("control", "jupyter.widget.control", json("{}")));
        comms.receive(null, new CommMsgCommand("control", json("{\"method\": \"request_states\"}")));
        wire.awaitIdle(5);
        @SuppressWarnings("unchecked")
        Map<String, Object> data = (Map<String, Object>) wire.of("comm_msg").get(0).content.get("data");
        assertEquals("update_states", data.get("method"));
        assertTrue(data.get("states").toString().contains("grace"), data.toString());
    }

    @Test
    void outputKeepsStreamsTogetherAndClearWaitsForTheNextOutput() {
        Output out = new Output();
        out.appendStream("stdout", "a\n");
        out.appendStream("stdout", "b\n");
        out.appendDisplay("d1", Map.of("text/plain", "chart 1"), Map.of());
        assertEquals(2, out.outputs().size());
        assertEquals("a\nb\n", out.outputs().get(0).get("text"));
        assertTrue(Output.updateDisplay("d1", Map.of("text/plain", "chart 2"), Map.of()));
        assertEquals(Map.of("text/plain", "chart 2"), out.outputs().get(1).get("data"));

        out.clear(true);
        assertEquals(2, out.outputs().size(), "clear(wait) keeps the old output until a new one arrives");
        out.appendStream("stderr", "new\n");
        assertEquals(List.of(Map.of("output_type", "stream", "name", "stderr", "text", "new\n")), out.outputs());
        assertTrue(!Output.updateDisplay("d1", Map.of("text/plain", "gone"), Map.of()), "a cleared display is no longer found");
    }

    @Test
    void interactRerunsIntoItsOutputReplacingTheLastRun() {
        IntSlider k = new IntSlider("k", 1, 5, 2);
        List<Integer> runs = new ArrayList<>();
        VBox box = Interact.interactive(() -> runs.add(k.value()), k);
        Output out = (Output) box.children().get(1);
        out.appendStream("stdout", "first\n");
        k.setValue(4);
        assertEquals(List.of(2, 4), runs);
        assertEquals(List.of(), out.outputs(), "a re-run that printed nothing leaves no stale output");
    }

    @Test
    void theDisplayBundleHasAViewAndAStaticFallback() {
        HTML html = new HTML("<b>42</b> req/s");
        VBox box = new VBox(html, new Checkbox("keep-alive", true));
        Map<String, Object> bundle = box.mimeBundle();
        assertEquals(Map.of("version_major", 2, "version_minor", 0, "model_id", box.id()), bundle.get(Widget.VIEW_MIME));
        assertTrue(bundle.get("text/html").toString().contains("<b>42</b> req/s"), bundle.toString());
        assertTrue(bundle.get("text/plain").toString().contains("keep-alive = true"), bundle.toString());
    }
}
