package serverlab.kernel.history;

import io.github.spencerpark.jupyter.kernel.history.HistoryEntry;
import io.github.spencerpark.jupyter.kernel.history.HistoryManager.ResultFlag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HistoryTest {

    @TempDir
    Path dir;

    private static List<String> inputs(List<HistoryEntry> entries) {
        return entries.stream().map(HistoryEntry::getInput).toList();
    }

    @Test
    void sessionsAndEntriesPersistAcrossInstances() {
        Path file = dir.resolve("sub/history.jsonl");
        History first = new History(file);
        assertEquals(1, first.session());
        first.record(1, "int x = 1;");
        first.record(2, "x + 1", "2");

        History second = new History(file);
        assertEquals(2, second.session());
        second.record(1, "x * 2");

        assertEquals(List.of("int x = 1;", "x + 1", "x * 2"), inputs(second.tail(10)));
        HistoryEntry withOutput = second.range(-1, 2, 3).get(0);
        assertEquals(1, withOutput.getSession());
        assertEquals("2", withOutput.getOutput());
    }

    @Test
    void sessionIsReservedBeforeAnyCellRuns() {
        Path file = dir.resolve("history.jsonl");
        History idle = new History(file);
        History next = new History(file);
        assertEquals(idle.session() + 1, next.session());
    }

    @Test
    void tailReturnsNewestLast() {
        History history = new History(dir.resolve("h.jsonl"));
        for (int i = 1; i <= 5; i++) history.record(i, "cell " + i);
        assertEquals(List.of("cell 4", "cell 5"), inputs(history.tail(2)));
        assertEquals(5, history.tail(100).size());
        assertTrue(history.tail(0).isEmpty());
    }

    @Test
    void rangeUsesRelativeSessionsAndExclusiveStop() {
        Path file = dir.resolve("h.jsonl");
        History old = new History(file);
        old.record(1, "old 1");
        old.record(2, "old 2");
        History current = new History(file);
        for (int i = 1; i <= 4; i++) current.record(i, "new " + i);

        assertEquals(List.of("new 2", "new 3"), inputs(current.range(0, 2, 4)));
        assertEquals(List.of("new 2", "new 3", "new 4"), inputs(current.range(0, 2, 0)));
        assertEquals(List.of("old 1", "old 2"), inputs(current.range(-1, 1, 0)));
        assertEquals(List.of("old 2"), inputs(current.range(old.session(), 2, 3)));
        assertTrue(current.range(-5, 1, 0).isEmpty());
    }

    @Test
    void searchMatchesWholeInputWithGlobs() {
        History history = new History(dir.resolve("h.jsonl"));
        history.record(1, "var server = Servers.start(\"event-loop\")");
        history.record(2, "server.close()");
        history.record(3, "server.close()");
        history.record(4, "int a = 1;\nint b = 2;");
        history.record(5, "a.b");

        assertEquals(List.of("server.close()", "server.close()"), inputs(history.search("server*", 0, false)));
        assertEquals(List.of("server.close()"), inputs(history.search("server*", 0, true)));
        assertEquals(List.of("server.close()"), inputs(history.search("*close*", 1, false)));
        assertEquals(List.of("int a = 1;\nint b = 2;"), inputs(history.search("int*2;", 0, false)));
        // '.' is literal and '?' is exactly one character
        assertEquals(List.of("a.b"), inputs(history.search("a?b", 0, false)));
        assertTrue(history.search("a*c", 0, false).isEmpty());
        assertTrue(history.search("close", 0, false).isEmpty(), "the glob must match the whole input");
    }

    @Test
    void historyManagerFlagsControlOutputAndUniqueness() {
        History history = new History(dir.resolve("h.jsonl"));
        history.record(1, "1 + 1", "2");
        history.record(2, "1 + 1", "2");
        assertFalse(history.lookupTail(1).get(0).hasOutput());
        assertEquals("2", history.lookupTail(1, ResultFlag.INCLUDE_OUTPUT).get(0).getOutput());
        assertEquals(1, history.search("1*", 0, ResultFlag.UNIQUE).size());
        assertEquals(2, history.lookupRange(0, 1, 0).size());
    }

    @Test
    void compactsOnOpenWhenOverTheLimitAndKeepsNewest() throws Exception {
        Path file = dir.resolve("h.jsonl");
        History writer = new History(file, 100);
        for (int i = 1; i <= 150; i++) writer.record(i, "cell " + i);

        History reopened = new History(file, 100);
        List<HistoryEntry> all = reopened.tail(1000);
        assertEquals(80, all.size());
        assertEquals("cell 71", all.get(0).getInput());
        assertEquals("cell 150", all.get(all.size() - 1).getInput());
        assertEquals(writer.session() + 1, reopened.session(), "compaction must not reuse session numbers");
        assertTrue(Files.size(file) < 150 * 40, "file was rewritten smaller");
    }

    @Test
    void aNewSessionFollowsTheNewestMarkerEvenWhenAnOlderKernelWroteLast() throws Exception {
        Path file = dir.resolve("h.jsonl");
        History older = new History(file);
        History newer = new History(file);
        older.record(1, "written after the newer kernel started");
        History third = new History(file);
        assertEquals(newer.session() + 1, third.session());
        String big = "x".repeat(1000);
        for (int i = 2; i <= 100; i++) older.record(i, big + i);   // ~100 KB after the newest marker: past the tail read
        assertEquals(third.session() + 1, new History(file).session());
    }

    @Test
    void tornLineFromACrashIsSkipped() throws Exception {
        Path file = dir.resolve("h.jsonl");
        new History(file).record(1, "kept");
        Files.writeString(file, "{\"session\":1,\"line\":2,\"inp", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND);
        History next = new History(file);
        next.record(1, "after");
        assertEquals(List.of("kept", "after"), inputs(next.tail(10)));
    }

    @Test
    void concurrentWritersNeverInterleaveLines() throws Exception {
        Path file = dir.resolve("h.jsonl");
        History a = new History(file);
        History b = new History(file);
        String bigInput = "x".repeat(20_000);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                History h = t % 2 == 0 ? a : b;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 50; i++) h.record(i, bigInput);
                }));
            }
            for (Future<?> f : futures) f.get();
        } finally {
            pool.shutdown();
        }
        assertEquals(200, new History(file).search(bigInput, 0, false).size());
    }

    @Test
    void historyItCreatesIsPrivateEvenAfterCompaction() throws Exception {
        Path file = dir.resolve("fresh/history.jsonl");
        History history = new History(file, 2);
        for (int line = 1; line <= 3; line++) history.record(line, "String password = \"" + line + "\";");
        new History(file, 2);   // compacts: the file is replaced by a rewritten copy
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.resolveSibling("history.jsonl.lock"))));
    }

    @Test
    void historyIsNeverWrittenThroughASymbolicLink() throws Exception {
        Path target = Files.writeString(dir.resolve("someone-elses-file"), "");
        Path file = dir.resolve("history.jsonl");
        Files.createSymbolicLink(file, target);
        assertThrows(java.io.UncheckedIOException.class, () -> new History(file));
        assertEquals("", Files.readString(target));
    }

    @Test
    void aHistoryThatCannotBeOpenedFallsBackAndSaysSo() throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("home"), "a file where the home directory should be");
        java.io.ByteArrayOutputStream warnings = new java.io.ByteArrayOutputStream();
        History history = History.open(notADirectory.resolve(".local/share/serverlab/history.jsonl"), dir.resolve("runtime"),
                new java.io.PrintStream(warnings, true, StandardCharsets.UTF_8));
        assertEquals(dir.resolve("runtime/history.jsonl"), history.file());
        history.record(1, "int kept = 1;");
        assertEquals("int kept = 1;", history.tail(1).get(0).getInput());
        String said = warnings.toString(StandardCharsets.UTF_8);
        assertTrue(said.startsWith("warning: cannot open history file") && said.contains("runtime/history.jsonl"), said);
    }
}
