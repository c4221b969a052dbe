package serverlab.kernel.install;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What Jupyter runs: kernel.json's command line with the JVM options for a fast start, and the class-data archive they map. */
final class KernelJson {
    private KernelJson() {
    }

    /** JDK 25's ahead-of-time cache (JEP 483, 514, 515) also keeps classes linked and methods profiled; older JDKs get AppCDS. */
    static boolean aheadOfTimeCache(int javaVersion) {
        return javaVersion >= 25;
    }

    static String archiveName(int javaVersion) {
        return aheadOfTimeCache(javaVersion) ? KernelSpecInstaller.AOT_CACHE_NAME : KernelSpecInstaller.CDS_ARCHIVE_NAME;
    }

    /**
     * Writes the class-data archive once, at install time, from a training run: a kernel driven through its
     * sockets through a first session (see Main's --train-cds). Kernels only ever read it: an archive that
     * running kernels rewrite at exit (-XX:+AutoCreateSharedArchive) crashed a JVM that mapped it mid-write.
     * A failed training run only costs start-up time, so it is reported, not fatal.
     */
    static void trainClassDataArchive(Path java, int javaVersion, List<String> jvmOpts, Path kernelDir) {
        Path archive = kernelDir.resolve(archiveName(javaVersion));
        Path tmp = kernelDir.resolve(archiveName(javaVersion) + ".tmp");
        List<String> command = new ArrayList<>(List.of(java.toString(),
                (aheadOfTimeCache(javaVersion) ? "-XX:AOTCacheOutput=" : "-XX:ArchiveClassesAtExit=") + tmp));
        command.addAll(defaultJvmOptions(kernelDir, javaVersion).stream()
                .filter(o -> !o.startsWith("-XX:SharedArchiveFile") && !o.startsWith("-XX:AOTCache")).toList());
        command.addAll(jvmOpts);   // the archive must be made with the options kernels run with, or they ignore it
        command.addAll(List.of("-jar", kernelDir.resolve(KernelSpecInstaller.JAR_NAME).toString(), "--train-cds"));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            boolean done = process.waitFor(300, TimeUnit.SECONDS);
            if (!done) process.destroyForcibly();
            if (done && process.exitValue() == 0 && Files.isRegularFile(tmp) && Files.size(tmp) > 0) {
                KernelSpecInstaller.moveReplacing(tmp, archive);
            } else {
                System.err.println("note: no class-data archive (training run failed); the kernel starts a little slower");
            }
        } catch (IOException | InterruptedException e) {
            System.err.println("note: no class-data archive (" + e.getMessage() + "); the kernel starts a little slower");
        } finally {
            try {
                Files.deleteIfExists(tmp);
                Files.deleteIfExists(kernelDir.resolve(archiveName(javaVersion) + ".tmp.config"));   // JDK 25's training record
            } catch (IOException ignored) {
            }
        }
    }

    static JsonObject of(KernelSpecInstaller.Options options, int javaVersion, Path kernelDir, Path startupScript) {
        JsonArray argv = new JsonArray();
        argv.add(options.java().toString());
        defaultJvmOptions(kernelDir, javaVersion).forEach(argv::add);
        options.jvmOpts().forEach(argv::add);
        argv.add("-jar");
        argv.add(kernelDir.resolve(KernelSpecInstaller.JAR_NAME).toString());
        argv.add("{connection_file}");

        JsonObject env = new JsonObject();
        if (startupScript != null) env.addProperty(KernelSpecInstaller.STARTUP_SCRIPT_ENV, startupScript.toString());

        JsonObject metadata = new JsonObject();
        metadata.addProperty("debugger", false);

        JsonObject spec = new JsonObject();
        spec.add("argv", argv);
        spec.addProperty("display_name", options.displayName());
        spec.addProperty("language", "java");
        spec.addProperty("interrupt_mode", "message");
        spec.add("env", env);
        spec.add("metadata", metadata);
        return spec;
    }

    /**
     * Options for a fast cold start (the goal is the first cell answered within 0.6 s of the start).
     * The class-data archive maps the kernel's classes (ZeroMQ, JShell and javac included) instead of
     * loading and verifying them; on JDK 25 it is an AOT cache that also holds them linked, with the
     * training run's method profiles so the JIT starts on javac at once (bench/kernel measures it).
     * A missing or stale archive is not used, silently. G1 stays the collector because notebooks run
     * servers inside the kernel JVM.
     */
    static List<String> defaultJvmOptions(Path kernelDir, int javaVersion) {
        List<String> options = new ArrayList<>();
        // Written by trainClassDataArchive at install time.
        if (aheadOfTimeCache(javaVersion)) {
            options.add("-XX:AOTCache=" + kernelDir.resolve(KernelSpecInstaller.AOT_CACHE_NAME));
            options.add("-Xlog:aot*=off");   // a stale cache (jar replaced by hand) is just not used
        } else {
            options.add("-XX:SharedArchiveFile=" + kernelDir.resolve(KernelSpecInstaller.CDS_ARCHIVE_NAME));
            options.add("-Xshare:auto");
        }
        // --enable-native-access makes the JDK's base archive report a harmless property mismatch as
        // "[error][cds]" on stdout at every start (JDK 25); CDS problems are never fatal.
        options.add("-Xlog:cds*=off");
        options.add("-Dfile.encoding=UTF-8");
        options.add("--enable-native-access=ALL-UNNAMED"); // native calls from notebooks (FFM, JNI) without JDK 22+ warnings
        // Each JShell compile leaves tens of MB of garbage; without these, G1 grows the heap to
        // gigabytes over a session. Shrink after collections and collect when the kernel is idle.
        options.add("-XX:MinHeapFreeRatio=10");
        options.add("-XX:MaxHeapFreeRatio=30");
        options.add("-XX:G1PeriodicGCInterval=5000");
        // Tablesaw's classgraph calls sun.misc.Unsafe; JDK 24+ warns on stderr at first use (JEP 498).
        if (javaVersion >= 24) options.add("--sun-misc-unsafe-memory-access=allow");
        return options;
    }
}
