package serverlab.labs.display;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DisplaysTest {

    /** Records every display and update, as the kernel's sink would receive them. */
    static final class RecordingSink implements DisplaySink {
        final List<String> events = new ArrayList<>();

        @Override
        public synchronized String display(Object value) {
            events.add("display " + ConsoleSink.textOf(value));
            return "id-" + events.size();
        }

        @Override
        public synchronized void update(String displayId, Object value) {
            events.add("update " + displayId + " " + ConsoleSink.textOf(value));
        }
    }

    @AfterEach
    void restoreConsole() {
        Displays.install(null);
    }

    @Test
    void installedSinkBecomesCurrentAndNullRestoresConsole() {
        assertFalse(Displays.inNotebook());
        var sink = new RecordingSink();
        Displays.install(sink);
        assertSame(sink, Displays.current());
        assertTrue(Displays.inNotebook());
        Displays.install(null);
        assertSame(Displays.console(), Displays.current());
    }

    @Test
    void consoleUpdatePrintsOnlyWhenTextChanges() {
        var bytes = new ByteArrayOutputStream();
        var sink = new ConsoleSink(new PrintStream(bytes, true, StandardCharsets.UTF_8), false);
        String id = sink.display("a");
        sink.update(id, "a");
        sink.update(id, "b");
        sink.update(id, "b");
        assertEquals(List.of("a", "b"), bytes.toString(StandardCharsets.UTF_8).lines().toList());
    }

    @Test
    void progressBarOnNonTerminalPrintsOneLinePerTenPercent() throws Exception {
        var bytes = new ByteArrayOutputStream();
        var sink = new ConsoleSink(new PrintStream(bytes, true, StandardCharsets.UTF_8), false);
        try (var bar = ProgressBar.start("work", 100, sink)) {
            for (int i = 0; i < 100; i++) {
                bar.advance();
                if (i % 10 == 5) {
                    Thread.sleep(210); // let the throttle allow a redraw in every decile
                }
            }
        }
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        // The first line is the 0% display, the last the 100% one; one per decile at most.
        assertTrue(lines.size() >= 3 && lines.size() <= 11, "lines: " + lines);
        assertTrue(lines.get(0).contains("0%"), lines.get(0));
        assertTrue(lines.get(lines.size() - 1).contains("100%"), lines.get(lines.size() - 1));
    }

    @Test
    void progressBarOnTerminalRedrawsOneLineWithCarriageReturn() {
        var bytes = new ByteArrayOutputStream();
        var sink = new ConsoleSink(new PrintStream(bytes, true, StandardCharsets.UTF_8), true);
        try (var bar = ProgressBar.start("work", 4, sink)) {
            bar.set(2);
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.startsWith("\rwork"), out);
        assertEquals(1, out.chars().filter(ch -> ch == '\n').count(), "one newline, at the end: " + out);
        assertTrue(out.chars().filter(ch -> ch == '\r').count() >= 2, "redrawn in place: " + out);
        assertTrue(out.endsWith(System.lineSeparator()), "the finished bar ends its line");
    }

    @Test
    void progressBarUpdatesAreThrottledAndEndAtHundredPercent() {
        var sink = new RecordingSink();
        try (var bar = ProgressBar.start("fast", 1_000_000, sink)) {
            for (int i = 0; i < 1_000_000; i++) {
                bar.advance();
            }
        }
        // A million advances within well under a few seconds → only a handful of redraws.
        assertTrue(sink.events.size() < 50, "events: " + sink.events.size());
        assertTrue(sink.events.get(0).startsWith("display fast"));
        String last = sink.events.get(sink.events.size() - 1);
        assertTrue(last.startsWith("update id-1 fast") && last.contains("100%"), last);
    }

    @Test
    void progressBarBundleHasHtmlAndText() {
        var sink = new RecordingSink();
        var bar = ProgressBar.start("a<b", 10, sink);
        bar.set(5);
        var bundle = bar.mimeBundle();
        assertTrue(bundle.get("text/html").contains("a&lt;b"));
        assertTrue(bundle.get("text/html").contains("50%"));
        assertTrue(bundle.get("text/plain").contains("50%"));
        assertTrue(bundle.get("text/plain").contains("ETA"));
        bar.done();
        assertEquals(1.0, bar.fraction());
    }
}
