package serverlab.kernel.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Where output goes when no running cell owns the printing thread: a server thread
 * started three cells ago, a pool still draining. It must not land in whatever cell
 * happens to run now, so it is kept here (last lines in memory, all of it in a log file)
 * and shown by {@code %background}. The log file is private (0600 in the kernel's 0700 runtime
 * directory) and deleted when the kernel exits.
 */
public final class BackgroundOutput {
    private static final int KEEP_LINES = 2000;

    private final Path logFile;
    private final Deque<String> lines = new ArrayDeque<>();
    private final StringBuilder partial = new StringBuilder();
    private OutputStream log;
    private boolean deleted;
    private long totalLines;

    public BackgroundOutput(Path logFile) {
        this.logFile = logFile;
    }

    public Path logFile() {
        return logFile;
    }

    public synchronized long totalLines() {
        return totalLines;
    }

    public synchronized void write(String streamName, byte[] bytes, int offset, int length) {
        String text = new String(bytes, offset, length, StandardCharsets.UTF_8);
        try {
            if (log == null && !deleted) log = Channels.newOutputStream(PrivateFiles.create(logFile, StandardOpenOption.APPEND));
            if (log != null) {
                log.write(bytes, offset, length);
                log.flush();
            }
        } catch (IOException e) {
            // The in-memory tail still holds the text.
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                lines.addLast((streamName.equals("stderr") ? "[stderr] " : "") + partial);
                partial.setLength(0);
                totalLines++;
                if (lines.size() > KEEP_LINES) lines.removeFirst();
            } else {
                partial.append(c);
            }
        }
    }

    /** Closes and deletes the log file. */
    public synchronized void delete() {
        deleted = true;
        try {
            if (log != null) log.close();
            log = null;
            Files.deleteIfExists(logFile);
        } catch (IOException e) {
            // Exiting anyway; the runtime directory is private.
        }
    }

    /** The last {@code n} complete lines, oldest first. */
    public synchronized String tail(int n) {
        StringBuilder out = new StringBuilder();
        int skip = Math.max(0, lines.size() - n);
        for (String line : lines) {
            if (skip-- > 0) continue;
            out.append(line).append('\n');
        }
        if (!partial.isEmpty()) out.append(partial).append('\n');
        return out.toString();
    }
}
