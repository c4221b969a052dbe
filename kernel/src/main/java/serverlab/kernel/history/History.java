package serverlab.kernel.history;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import io.github.spencerpark.jupyter.kernel.history.HistoryEntry;
import io.github.spencerpark.jupyter.kernel.history.HistoryManager;
import serverlab.kernel.io.PrivateFiles;

import java.io.IOException;
import java.io.Writer;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Persistent input history shared by all kernels of one user, for Jupyter's {@code history_request}.
 *
 * <p>The file holds JSON lines: cell records {@code {"session":3,"line":1,"input":"1+1","output":"2"}}
 * and one marker per kernel start {@code {"session":3,"started":"..."}} that reserves the session
 * number even before the first cell runs. Every change happens under a lock on a sibling
 * {@code .lock} file (never on the data file itself, because compaction replaces the data file
 * and a lock on the old inode would not exclude writers of the new one).
 *
 * <p>The history may hold secrets typed into cells: a directory it creates is 0700, its files 0600.
 *
 * <p>Queries re-read the file so that entries written by other running kernels are visible.
 */
public final class History implements HistoryManager {

    /** Entries kept before compaction kicks in; compaction keeps the newest 80 %. */
    public static final int DEFAULT_MAX_ENTRIES = 10_000;

    // FileChannel locks are per process: two History objects on one file in the same JVM
    // would get OverlappingFileLockException, so threads of this JVM queue on a monitor first.
    private static final Map<Path, Object> JVM_LOCKS = new ConcurrentHashMap<>();
    private static final Gson GSON = new Gson();

    private final Path file;
    private final Path lockFile;
    private final int session;

    public History(Path file) {
        this(file, DEFAULT_MAX_ENTRIES);
    }

    public History(Path file, int maxEntries) {
        if (maxEntries < 1) throw new IllegalArgumentException("maxEntries must be positive: " + maxEntries);
        this.file = file.toAbsolutePath().normalize();
        this.lockFile = this.file.resolveSibling(this.file.getFileName() + ".lock");
        try {
            if (!Files.isDirectory(this.file.getParent())) PrivateFiles.directory(this.file.getParent());
            this.session = withLock(() -> {
                int newSession = newestSession(maxEntries) + 1;
                JsonObject marker = new JsonObject();
                marker.addProperty("session", newSession);
                marker.addProperty("started", Instant.now().toString());
                appendLine(marker);
                return newSession;
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open history file " + this.file, e);
        }
    }

    /**
     * The history at {@code preferred}; when it cannot be opened there (a home directory that is missing or not
     * writable, as for system users), a history file in {@code fallbackDirectory}, with one line on {@code warnings}
     * saying so: a kernel without its usual history still starts.
     */
    public static History open(Path preferred, Path fallbackDirectory, java.io.PrintStream warnings) {
        try {
            return new History(preferred);
        } catch (UncheckedIOException | SecurityException e) {
            Path fallback = fallbackDirectory.resolve("history.jsonl");
            warnings.println("warning: " + e.getMessage() + " (" + e.getCause() + "); keeping this kernel's history in " + fallback
                    + " instead (set SERVERLAB_HISTORY to choose the file)");
            return new History(fallback);
        }
    }

    /**
     * The history file named by {@code SERVERLAB_HISTORY}, else
     * {@code $XDG_DATA_HOME/serverlab/history.jsonl}, else {@code ~/.local/share/serverlab/history.jsonl}.
     */
    public static Path defaultFile() {
        String explicit = System.getenv("SERVERLAB_HISTORY");
        if (explicit != null && !explicit.isBlank()) return Path.of(explicit);
        String xdgData = System.getenv("XDG_DATA_HOME");
        Path dataHome = xdgData != null && !xdgData.isBlank()
                ? Path.of(xdgData)
                : Path.of(System.getProperty("user.home"), ".local", "share");
        return dataHome.resolve("serverlab").resolve("history.jsonl");
    }

    public Path file() {
        return file;
    }

    /** This kernel's session number: one more than any session in the file when it was opened. */
    public int session() {
        return session;
    }

    public void record(int line, String input) {
        record(line, input, null);
    }

    /** Appends one cell of the current session; {@code output} may be null. */
    public void record(int line, String input, String output) {
        JsonObject json = new JsonObject();
        json.addProperty("session", session);
        json.addProperty("line", line);
        json.addProperty("input", input);
        if (output != null) json.addProperty("output", output);
        try {
            withLock(() -> {
                appendLine(json);
                return null;
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to history file " + file, e);
        }
    }

    /** The last {@code n} cells across all sessions, newest last. */
    public List<HistoryEntry> tail(int n) {
        List<HistoryEntry> cells = cells(e -> true);
        return n <= 0 ? List.of() : List.copyOf(cells.subList(Math.max(0, cells.size() - n), cells.size()));
    }

    /**
     * Cells {@code start <= line < stop} of one session, as IPython numbers them: 0 is the current
     * session, negative values count back from it ({@code -1} is the previous kernel). A {@code stop}
     * of 0 or less means "to the end".
     */
    public List<HistoryEntry> range(int session, int start, int stop) {
        int absolute = session > 0 ? session : this.session + session;
        return cells(e -> e.getSession() == absolute
                && e.getCellNumber() >= start
                && (stop <= 0 || e.getCellNumber() < stop));
    }

    /**
     * Cells whose whole input matches a glob ({@code *} any text, {@code ?} one character),
     * newest last. {@code n == 0} returns all matches, otherwise the newest {@code n};
     * {@code unique} keeps only the newest occurrence of each input.
     */
    public List<HistoryEntry> search(String globPattern, int n, boolean unique) {
        Pattern regex = globToRegex(globPattern);
        List<HistoryEntry> matches = cells(e -> regex.matcher(e.getInput()).matches());
        if (unique) {
            Set<String> seen = new HashSet<>();
            List<HistoryEntry> newestFirst = new ArrayList<>();
            for (int i = matches.size() - 1; i >= 0; i--) {
                if (seen.add(matches.get(i).getInput())) newestFirst.add(matches.get(i));
            }
            matches = newestFirst.reversed();
        }
        return n <= 0 ? List.copyOf(matches) : List.copyOf(matches.subList(Math.max(0, matches.size() - n), matches.size()));
    }

    // --- basekernel's HistoryManager, so the kernel can hand this object to BaseKernel directly ---

    @Override
    public List<HistoryEntry> lookupRange(int session, int start, int stop, Set<ResultFlag> flags) {
        return withOutputIf(flags, range(session, start, stop));
    }

    @Override
    public List<HistoryEntry> lookupTail(int n, Set<ResultFlag> flags) {
        return withOutputIf(flags, tail(n));
    }

    @Override
    public List<HistoryEntry> search(String pattern, int n, Set<ResultFlag> flags) {
        return withOutputIf(flags, search(pattern, n, flags.contains(ResultFlag.UNIQUE)));
    }

    private static List<HistoryEntry> withOutputIf(Set<ResultFlag> flags, List<HistoryEntry> entries) {
        if (flags.contains(ResultFlag.INCLUDE_OUTPUT)) return entries;
        return entries.stream()
                .map(e -> new HistoryEntry(e.getSession(), e.getCellNumber(), e.getInput()))
                .toList();
    }

    static Pattern globToRegex(String glob) {
        StringBuilder regex = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char c : glob.toCharArray()) {
            if (c == '*' || c == '?') {
                if (!literal.isEmpty()) regex.append(Pattern.quote(literal.toString()));
                literal.setLength(0);
                regex.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        if (!literal.isEmpty()) regex.append(Pattern.quote(literal.toString()));
        // Cells span lines: '*' must cross newlines as SQLite's GLOB (IPython's backend) does.
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }

    // --- file access ---

    private record Record(int session, int line, String input, String output, String json) {
        boolean isCell() {
            return input != null;
        }

        HistoryEntry toEntry() {
            return output == null ? new HistoryEntry(session, line, input) : new HistoryEntry(session, line, input, output);
        }
    }

    private List<HistoryEntry> cells(Predicate<HistoryEntry> filter) {
        try {
            return readAll().stream().filter(Record::isCell).map(Record::toEntry).filter(filter).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read history file " + file, e);
        }
    }

    /**
     * The newest session number in the file, compacting the file first when it holds more than {@code maxEntries}
     * cells. A kernel opens the history before its first cell, so the usual case parses no cell: it reads the file
     * once and looks back from its end for the last session marker (markers are appended in session order; cells
     * of older sessions may follow them).
     */
    private int newestSession(int maxEntries) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return 0;
        }
        long lines = 0;
        for (byte b : bytes) if (b == '\n') lines++;
        if (lines > maxEntries) {   // lines >= cells: only then can compaction be due
            List<Record> records = readAll();
            long cells = records.stream().filter(Record::isCell).count();
            if (cells > maxEntries) compact(records, maxEntries * 4 / 5);
            return records.stream().mapToInt(Record::session).max().orElse(0);
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        for (int end = text.length(), start; end > 0; end = start - 1) {   // lines from the last, each found once
            start = text.lastIndexOf('\n', end - 1) + 1;
            String line = text.substring(start, end);
            if (!line.contains("\"started\"")) continue;   // only markers carry it: no cell is parsed
            try {
                JsonObject json = GSON.fromJson(line, JsonObject.class);
                if (json != null && json.has("session") && !json.has("input")) return json.get("session").getAsInt();
            } catch (JsonParseException | IllegalStateException | UnsupportedOperationException e) {
                // a torn line
            }
        }
        return readAll().stream().mapToInt(Record::session).max().orElse(0);   // no marker at all
    }

    private List<Record> readAll() throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        List<Record> records = new ArrayList<>(lines.size());
        for (String line : lines) {
            if (line.isBlank()) continue;
            try {
                JsonObject json = GSON.fromJson(line, JsonObject.class);
                if (json == null || !json.has("session")) continue;
                records.add(new Record(
                        json.get("session").getAsInt(),
                        json.has("line") ? json.get("line").getAsInt() : 0,
                        json.has("input") ? json.get("input").getAsString() : null,
                        json.has("output") ? json.get("output").getAsString() : null,
                        line));
            } catch (JsonParseException | IllegalStateException | UnsupportedOperationException e) {
                // A kernel killed mid-write can leave a torn last line; skip it rather than lose the file.
            }
        }
        return records;
    }

    /** Rewrites the file with the newest {@code keep} cells; markers of dropped sessions go too. */
    private void compact(List<Record> records, int keep) throws IOException {
        List<Record> cells = records.stream().filter(Record::isCell).toList();
        Record oldestKept = cells.get(cells.size() - keep);
        List<String> kept = new ArrayList<>();
        boolean reachedKept = false;
        for (Record r : records) {
            if (r == oldestKept) reachedKept = true;
            if (reachedKept || (!r.isCell() && r.session() >= oldestKept.session())) kept.add(r.json());
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);   // left by a kernel killed mid-compaction
        try (Writer out = Channels.newWriter(PrivateFiles.create(tmp), StandardCharsets.UTF_8)) {
            for (String line : kept) out.write(line + "\n");
        }
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** One write(2) of a whole line on an O_APPEND descriptor, so lines never interleave. */
    private void appendLine(JsonObject json) throws IOException {
        byte[] bytes = (GSON.toJson(json) + "\n").getBytes(StandardCharsets.UTF_8);
        try (FileChannel channel = PrivateFiles.open(file, StandardOpenOption.APPEND)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) channel.write(buffer);
        }
    }

    private interface IoAction<T> {
        T run() throws IOException;
    }

    private <T> T withLock(IoAction<T> action) throws IOException {
        synchronized (JVM_LOCKS.computeIfAbsent(file, f -> new Object())) {
            try (FileChannel lockChannel = PrivateFiles.open(lockFile)) {
                lockChannel.lock(); // released when the channel closes
                return action.run();
            }
        }
    }
}
