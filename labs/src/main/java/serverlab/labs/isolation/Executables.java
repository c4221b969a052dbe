package serverlab.labs.isolation;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import serverlab.servers.core.UserCache;

/**
 * The chapter's native programs: tools found on the PATH, the C sources beside this class built static
 * (once per user: {@code isolation/<hash of source and compiler>/} in {@link UserCache}), and commands run
 * with a time bound. Static, so the same binary runs on the host, under qemu-user and in an initramfs
 * that has no libc.
 */
final class Executables {

    private static final Duration COMPILE_TIMEOUT = Duration.ofMinutes(2);

    private Executables() {
    }

    /** The first executable called {@code name} on the PATH. */
    static Optional<Path> onPath(String name) {
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        return Stream.of(path.split(":")).filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, name)).filter(Files::isExecutable).findFirst();
    }

    /**
     * The C source {@code resource} (next to this class) compiled with {@code compiler -O2 -static}; compiled on
     * the first call and taken from the cache afterwards. The binary is renamed into place whole, so JVMs
     * compiling at the same time never run half a file.
     */
    static Path compiledStatic(String resource, String compiler) {
        return compiledStatic(resource, compiler, cacheRoot());
    }

    static Path compiledStatic(String resource, String compiler, Path cache) {
        byte[] source = resource(resource);
        Path dir = cache.resolve(hash(source, compiler));
        Path binary = dir.resolve(resource.replaceFirst("\\.c$", "") + "-" + compiler);
        if (Files.isExecutable(binary)) return binary;
        try {
            Files.createDirectories(dir);
            Path c = Files.write(Files.createTempFile(dir, "source-", ".c"), source);
            Path partial = Files.createTempFile(dir, binary.getFileName().toString(), ".partial");
            try {
                try {
                    run(List.of(compiler, "-O2", "-static", "-o", partial.toString(), c.toString()), COMPILE_TIMEOUT);
                } catch (IllegalStateException e) {
                    throw new IllegalStateException(e.getMessage() + "\n(a static build needs the C library's archive:"
                            + " apt-get install libc6-dev, or libc6-dev-arm64-cross for aarch64)", e);
                }
                Files.move(partial, binary, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(c);
                Files.deleteIfExists(partial);
            }
            return binary;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build " + resource + " in " + dir, e);
        }
    }

    /** Runs {@code command} to its end (at most {@code timeout}) and returns its output; a failure says what it printed. */
    static String run(List<String> command, Duration timeout) {
        Path log = null;
        try {
            log = Files.createTempFile("serverlab-run-", ".log");    // a file, not a pipe: no reader thread needed
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).redirectOutput(log.toFile()).start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
                throw new IllegalStateException(command.getFirst() + " did not finish within " + timeout.toSeconds() + " s: " + command);
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed (exit " + process.exitValue() + "):\n" + output.strip());
            }
            return output;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command.getFirst() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + command.getFirst() + " ran", e);
        } finally {
            if (log != null) log.toFile().delete();
        }
    }

    static byte[] resource(String name) {
        try (InputStream in = Executables.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("missing resource " + name + " beside " + Executables.class);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String hash(byte[] source, String compiler) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(source);
            sha.update(compiler.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static Path cacheRoot() {
        return UserCache.directory().resolve("isolation");
    }
}
