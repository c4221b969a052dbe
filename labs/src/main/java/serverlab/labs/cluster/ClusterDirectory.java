package serverlab.labs.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A cluster's temp directory, {@code serverlab-cluster-<owner pid>-<random>}: the database files and logs. Every
 * process of a cluster ends on its own when its owner dies (app servers and the data tier when their stdin ends,
 * nginx by its guard); should one be killed before it can, the database server still names this directory on its
 * command line (PostgreSQL's {@code -D}, H2's {@code -baseDir}), so {@link #sweep} reaps what a dead owner left:
 * its directories and any process that still names one.
 */
final class ClusterDirectory {

    static final String PREFIX = "serverlab-cluster-";
    private static final Pattern OWNED = Pattern.compile(Pattern.quote(PREFIX) + "(\\d+)-.*");
    private static final Path TMP = Path.of(System.getProperty("java.io.tmpdir"));

    private ClusterDirectory() {
    }

    /** A new directory for a cluster of this JVM, after sweeping dead owners' leftovers. */
    static Path create() {
        sweep();
        try {
            return Files.createTempDirectory(TMP, PREFIX + ProcessHandle.current().pid() + "-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a cluster directory in " + TMP, e);
        }
    }

    /**
     * Kills the processes of clusters whose owner is dead and deletes their directories.
     *
     * @return the directories reaped
     */
    static List<Path> sweep() {
        List<Path> reaped = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(TMP, PREFIX + "*")) {
            for (Path directory : entries) {
                Matcher owned = OWNED.matcher(directory.getFileName().toString());
                if (owned.matches() && ProcessHandle.of(Long.parseLong(owned.group(1))).isEmpty()) {
                    processesNaming(directory).forEach(ProcessHandle::destroyForcibly);
                    delete(directory);
                    reaped.add(directory);
                }
            }
        } catch (IOException e) {
            // no temp directory to look in: nothing to sweep
        }
        return reaped;
    }

    /** Processes whose command line mentions {@code directory}. */
    static List<ProcessHandle> processesNaming(Path directory) {
        String name = directory.toString();
        return ProcessHandle.allProcesses().filter(process -> commandLineContains(process.pid(), name)).toList();
    }

    private static boolean commandLineContains(long pid, String text) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8).contains(text);
        } catch (IOException | SecurityException e) {
            return false; // gone, or not ours to read
        }
    }

    static void delete(Path directory) {
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // already gone
        }
    }
}
