package serverlab.servers.handlers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The default {@code dataDir}: a temp directory, created once per JVM, holding a few files
 * for {@code /file?name=} (small text, 4 KiB, 64 KiB and 1 MiB of {@link Patterns#bytes} content).
 */
public final class SampleData {

    /** Sample file names and sizes; the binary ones hold {@link Patterns} bytes so clients can verify them. */
    public static final String HELLO = "hello.txt";
    public static final String INDEX = "index.html";
    public static final String SMALL = "4k.bin";
    public static final String MEDIUM = "64k.bin";
    public static final String LARGE = "1m.bin";

    private SampleData() {
    }

    private static final class Holder {
        static final Path DIRECTORY = create();
    }

    public static Path directory() {
        return Holder.DIRECTORY;
    }

    /** Writes the sample files into {@code dir} (created if needed) and returns it. */
    public static Path populate(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(HELLO), "Hello from a file!\n", StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(INDEX), "<!doctype html><title>ServerLab</title><p>It works.</p>\n", StandardCharsets.UTF_8);
        Files.write(dir.resolve(SMALL), Patterns.bytes(4 << 10));
        Files.write(dir.resolve(MEDIUM), Patterns.bytes(64 << 10));
        Files.write(dir.resolve(LARGE), Patterns.bytes(1 << 20));
        return dir;
    }

    private static Path create() {
        try {
            Path dir = populate(Files.createTempDirectory("serverlab-data-"));
            dir.toFile().deleteOnExit();
            try (var files = Files.list(dir)) {
                files.forEach(f -> f.toFile().deleteOnExit());
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the sample data directory", e);
        }
    }
}
