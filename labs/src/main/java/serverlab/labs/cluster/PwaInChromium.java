package serverlab.labs.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;

import serverlab.labs.experiment.Results;
import tech.tablesaw.api.Table;

/**
 * The {@link PwaSite} measured live in headless Chromium: runs the repository's {@code scripts/pwa.py} (Playwright
 * driving Debian's chromium, never a downloaded browser) and reads the table it writes. One row per page load:
 * {@code variant} (plain, service-worker), {@code load}, {@code network} (online, offline), {@code server_requests},
 * {@code asset_requests}, {@code load_ms}, {@code works}.
 */
public final class PwaInChromium {

    private static final long TIMEOUT_S = 180;

    private PwaInChromium() {
    }

    /** What is missing to run it here, in one line saying what to install, or null if nothing is. */
    public static String missing(Path repository) {
        Path chromium = Path.of(System.getenv().getOrDefault("SERVERLAB_CHROMIUM", "/usr/bin/chromium"));
        if (!Files.isExecutable(chromium)) return "no Chromium at " + chromium + ": sudo apt-get install chromium (or sudo scripts/tools.sh)";
        if (!Files.isExecutable(python(repository))) return "no " + python(repository) + ": run ./lab --install-only (it installs Playwright)";
        if (!Files.isRegularFile(script(repository))) return "no " + script(repository) + ": give the repository's root directory";
        return null;
    }

    /** Loads each variant {@code loads} times online, then once offline (about 3 s per load on a busy machine). */
    public static Table measure(Path repository, int loads) {
        String missing = missing(repository);
        if (missing != null) throw new IllegalStateException(missing);
        Path results = null;
        try {
            results = Files.createTempDirectory("serverlab-pwa-results-");
            Path output = results.resolve("output.txt");
            ProcessBuilder builder = new ProcessBuilder(python(repository).toString(), script(repository).toString(),
                    "--loads", String.valueOf(loads)).redirectErrorStream(true).redirectOutput(output.toFile());
            builder.environment().put("SERVERLAB_RESULTS", results.toString());
            builder.environment().put("JAVA_HOME", System.getProperty("java.home")); // this JVM: JDK >= 21
            Process process = builder.start();
            try {
                if (!process.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) throw new IllegalStateException("pwa.py took over " + TIMEOUT_S + " s");
                if (process.exitValue() != 0) {
                    List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
                    throw new IllegalStateException("pwa.py failed: " + String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size())));
                }
            } finally {
                process.destroyForcibly(); // pwa.py stops its own server and browser; this covers a timeout
            }
            return Results.load(results.resolve("07-cloud-tiers.pwa.csv"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + script(repository), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted");
        } finally {
            if (results != null) deleteQuietly(results);
        }
    }

    private static Path python(Path repository) {
        return repository.resolve(".venv/bin/python");
    }

    private static Path script(Path repository) {
        return repository.resolve("scripts/pwa.py");
    }

    private static void deleteQuietly(Path directory) {
        try (var files = Files.list(directory)) {
            for (Path file : files.toList()) Files.deleteIfExists(file);
            Files.deleteIfExists(directory);
        } catch (IOException e) {
            System.err.println("warning: could not delete " + directory + ": " + e.getMessage());
        }
    }
}
