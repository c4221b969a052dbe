package serverlab.kernel.io;

import io.github.spencerpark.jupyter.messages.MessageContext;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The stdout and stderr of one cell, batched into as few {@code stream} messages as the
 * pace of the output allows: text waits only while the previous batch is being sent.
 * Interleaving of stdout and stderr is kept.
 */
public final class CellStreams {
    private static final int MAX_MESSAGE_CHARS = 256 * 1024;

    private final MessageContext parent;
    private final IOPub iopub;
    private final StreamFlusher flusher;
    private final CharsetDecoder outDecoder = decoder();
    private final CharsetDecoder errDecoder = decoder();
    private final List<Segment> pending = new ArrayList<>();
    private final Object sendLock = new Object();

    private record Segment(String name, StringBuilder text) {}

    public CellStreams(MessageContext parent, IOPub iopub, StreamFlusher flusher) {
        this.parent = parent;
        this.iopub = iopub;
        this.flusher = flusher;
    }

    public void write(String name, byte[] bytes, int offset, int length) {
        CharsetDecoder decoder = "stderr".equals(name) ? errDecoder : outDecoder;
        boolean wasEmpty;
        synchronized (this) {
            CharBuffer chars = CharBuffer.allocate(length + 1);
            decoder.decode(ByteBuffer.wrap(bytes, offset, length), chars, false);
            chars.flip();
            if (!chars.hasRemaining()) return;
            wasEmpty = pending.isEmpty();
            Segment last = wasEmpty ? null : pending.get(pending.size() - 1);
            if (last == null || !last.name.equals(name)) pending.add(last = new Segment(name, new StringBuilder()));
            last.text.append(chars);
        }
        if (wasEmpty) flusher.schedule(this);
    }

    public void write(String name, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        write(name, bytes, 0, bytes.length);
    }

    /** True when the buffered text ends mid-line (printf writes a line in several pieces). */
    synchronized boolean endsMidLine() {
        if (pending.isEmpty()) return false;
        StringBuilder last = pending.get(pending.size() - 1).text;
        return !last.isEmpty() && last.charAt(last.length() - 1) != '\n';
    }

    /** Sends everything buffered so far, in order; callers use it before results and replies. */
    public void flush() {
        synchronized (sendLock) {
            List<Segment> batch;
            synchronized (this) {
                if (pending.isEmpty()) return;
                batch = new ArrayList<>(pending);
                pending.clear();
            }
            for (Segment segment : batch) {
                String text = segment.text.toString();
                for (int from = 0; from < text.length(); from += MAX_MESSAGE_CHARS) {
                    String part = text.substring(from, Math.min(text.length(), from + MAX_MESSAGE_CHARS));
                    iopub.publish(parent, "stream", Map.of("name", segment.name, "text", part));
                }
            }
        }
    }

    private static CharsetDecoder decoder() {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
    }
}
