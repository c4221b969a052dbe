package serverlab.servers.handlers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardCopyOption;
import java.nio.file.Path;

import serverlab.servers.core.UserCache;

/**
 * The default {@code dataDir}: a few files for {@code /file?name=} (small text, 4 KiB, 64 KiB and 1 MiB of
 * {@link Patterns#bytes} content), kept in the per-user cache directory ({@link UserCache}) that every JVM shares. A temp directory per JVM was left behind by every worker that
 * was killed (a crash, {@code /crash}, a kill in an experiment), since only a normal exit runs deleteOnExit.
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

    /** The cache directory's name carries the content's version: change it when the files change. */
    static final String CACHED_NAME = "sample-data-v1";

    private static Path create() {
        try {
            return cached(cacheRoot());
        } catch (IOException | RuntimeException e) { // no writable home (a locked-down container): one temp dir for this JVM
            try {
                Path dir = populate(Files.createTempDirectory("serverlab-data-"));
                dir.toFile().deleteOnExit();
                try (var files = Files.list(dir)) {
                    files.forEach(f -> f.toFile().deleteOnExit());
                }
                return dir;
            } catch (IOException again) {
                throw new UncheckedIOException("cannot create the sample data directory", again);
            }
        }
    }

    private static Path cacheRoot() {
        return UserCache.directory();
    }

    /**
     * {@code root/sample-data-v1}, written once: a JVM that finds it complete uses it; otherwise it writes the files
     * into a fresh directory beside it and renames that into place, so concurrent JVMs never see half a directory.
     * A broken copy (a crash while it was written by hand, a truncated file) is renamed aside and replaced.
     */
    static Path cached(Path root) throws IOException {
        Path dir = root.resolve(CACHED_NAME);
        for (int attempt = 0; attempt < 3; attempt++) {
            if (complete(dir)) return dir;
            Files.createDirectories(root);
            Path fresh = populate(Files.createTempDirectory(root, CACHED_NAME + ".tmp-"));
            try {
                Files.move(fresh, dir, StandardCopyOption.ATOMIC_MOVE);
                return dir;
            } catch (IOException taken) { // dir exists: another JVM's complete copy, or a broken one
                deleteTree(fresh);
                if (!complete(dir)) moveAsideAndDelete(dir);
            }
        }
        throw new IOException("could not set up the sample data in " + dir);
    }

    private static void moveAsideAndDelete(Path dir) throws IOException {
        Path aside = dir.resolveSibling(CACHED_NAME + ".broken-" + System.nanoTime());
        try {
            Files.move(dir, aside, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException alreadyMoved) { // another JVM is repairing it too
            return;
        }
        deleteTree(aside);
    }

    private static boolean complete(Path dir) throws IOException {
        return Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
                && sized(dir.resolve(HELLO), -1) && sized(dir.resolve(INDEX), -1)
                && sized(dir.resolve(SMALL), 4 << 10) && sized(dir.resolve(MEDIUM), 64 << 10) && sized(dir.resolve(LARGE), 1 << 20);
    }

    /** A regular file of exactly {@code bytes} bytes ({@code -1}: any non-empty file). */
    private static boolean sized(Path file, long bytes) throws IOException {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) return false;
        long size = Files.size(file);
        return bytes < 0 ? size > 0 : size == bytes;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return;
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
