package serverlab.servers.reference;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;

/** Counts the lines of a growing access log by their text (one worker pid per line), reading only what was appended. */
final class AccessLogCounts {

    private final Path log;
    private final Map<String, Long> counts = new TreeMap<>();
    private final StringBuilder partialLine = new StringBuilder();
    private long offset;

    AccessLogCounts(Path log) {
        this.log = log;
    }

    /** Lines per distinct text, including those appended since the last call. */
    synchronized Map<String, Long> read() {
        try (FileChannel file = FileChannel.open(log, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            for (int n; (n = file.read(buffer.clear(), offset)) > 0; offset += n) {
                CharBuffer appended = StandardCharsets.US_ASCII.decode(buffer.flip());
                while (appended.hasRemaining()) {
                    char c = appended.get();
                    if (c != '\n') {
                        partialLine.append(c);
                    } else {
                        counts.merge(partialLine.toString(), 1L, Long::sum);
                        partialLine.setLength(0);
                    }
                }
            }
        } catch (NoSuchFileException e) {
            // nothing logged yet
        } catch (IOException e) {
            // keep the counts so far
        }
        return Map.copyOf(counts);
    }
}
