package serverlab.kernel.install;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code java -jar serverlab-kernel.jar install|uninstall [options]}: writes or removes the Jupyter
 * kernelspec (kernel.json, a copy of the kernel jar, logos) without needing Python's
 * {@code jupyter kernelspec} command.
 */
public final class KernelSpecInstaller {

    public static final String DEFAULT_NAME = "serverlab";
    public static final String DEFAULT_DISPLAY_NAME = "ServerLab (Java)";
    public static final String JAR_NAME = "serverlab-kernel.jar";
    public static final String CDS_ARCHIVE_NAME = "serverlab-kernel.jsa";
    public static final String STARTUP_SCRIPT_ENV = "SERVERLAB_STARTUP_SCRIPT";
    static final int MIN_JAVA = 21;

    private KernelSpecInstaller() {
    }

    /** Thrown for anything the user can fix; the message says how. */
    static final class InstallException extends Exception {
        final int exitCode;

        InstallException(String message, int exitCode) {
            super(message);
            this.exitCode = exitCode;
        }
    }

    enum Location { USER, SYS_PREFIX, PREFIX }

    record Options(boolean install, Location location, Path prefix, String name, String displayName,
                   String python, Path java, List<String> jvmOpts, Path startupScript, Path jar, boolean help) {
    }

    /** Entry point for Main; returns the process exit code (0 ok, 1 failed, 2 usage error). */
    public static int run(String[] args) {
        return run(args, System.out, System.err);
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            Options options = InstallerArguments.parse(args);
            if (options.help()) {
                out.print(InstallerArguments.usage());
                return 0;
            }
            Path kernelDir = KernelSpecLocation.kernelDir(options);
            if (options.install()) {
                install(options, kernelDir);
                out.println("Installed kernelspec " + options.name() + " in " + kernelDir);
                out.println("  kernel.json runs " + options.java() + " -jar " + kernelDir.resolve(JAR_NAME));
                if (options.location() == Location.PREFIX) {
                    out.println("  Jupyter finds it when " + kernelDir.getParent().getParent()
                            + " is on JUPYTER_PATH (or the prefix is Jupyter's own sys.prefix)");
                }
                out.println("  Start it with: jupyter lab   (then pick \"" + options.displayName() + "\")");
            } else if (uninstall(kernelDir)) {
                out.println("Removed kernelspec " + options.name() + " from " + kernelDir);
            } else {
                out.println("Kernelspec " + options.name() + " is not installed in " + kernelDir + " (nothing to remove)");
            }
            return 0;
        } catch (InstallException e) {
            err.println("serverlab " + (args.length > 0 ? args[0] : "install") + ": " + e.getMessage());
            if (e.exitCode == 2) err.print("\n" + InstallerArguments.usage());
            return e.exitCode;
        } catch (IOException e) {
            err.println("serverlab " + args[0] + " failed: " + e);
            return 1;
        }
    }

    // --- install ---

    static void install(Options options, Path kernelDir) throws InstallException, IOException {
        Path jar = sourceJar(options.jar());
        int javaVersion = javaFeatureVersion(options.java());
        if (javaVersion < MIN_JAVA) {
            throw new InstallException(options.java() + " is Java " + javaVersion + "; the kernel needs Java "
                    + MIN_JAVA + " or newer: pass --java /path/to/jdk-21+/bin/java", 1);
        }
        Path startupScript = null;
        if (options.startupScript() != null) {
            startupScript = options.startupScript().toAbsolutePath().normalize();
            if (!Files.isRegularFile(startupScript)) {
                throw new InstallException("startup script " + startupScript + " does not exist", 1);
            }
        }

        Files.createDirectories(kernelDir);
        Path installedJar = kernelDir.resolve(JAR_NAME);
        if (!Files.exists(installedJar) || !Files.isSameFile(jar, installedJar)) {
            // Copy then rename: a kernel still running from the old jar keeps its (unlinked) file.
            Path tmp = kernelDir.resolve(JAR_NAME + ".tmp");
            Files.copy(jar, tmp, StandardCopyOption.REPLACE_EXISTING);
            moveReplacing(tmp, installedJar);
        }
        // The CDS archive describes the old jar's classes: rebuild it from a training run now.
        Files.deleteIfExists(kernelDir.resolve(CDS_ARCHIVE_NAME));
        trainClassDataArchive(options.java(), javaVersion, kernelDir);

        JsonObject spec = kernelJson(options, javaVersion, kernelDir, startupScript);
        String json = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(spec) + "\n";
        Files.writeString(kernelDir.resolve("kernel.json"), json, StandardCharsets.UTF_8);

        Logo.writeAll(kernelDir);
    }

    /**
     * Writes the AppCDS archive once, at install time, from a run that starts JShell and
     * renders a table and a chart. Kernels only ever read it: an archive that running kernels
     * rewrite at exit (-XX:+AutoCreateSharedArchive) crashed a JVM that mapped it mid-write.
     * A failed training run only costs start-up time, so it is reported, not fatal.
     */
    static void trainClassDataArchive(Path java, int javaVersion, Path kernelDir) {
        Path archive = kernelDir.resolve(CDS_ARCHIVE_NAME);
        Path tmp = kernelDir.resolve(CDS_ARCHIVE_NAME + ".tmp");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-XX:ArchiveClassesAtExit=" + tmp));
        command.addAll(defaultJvmOptions(kernelDir, javaVersion).stream().filter(o -> !o.startsWith("-XX:SharedArchiveFile")).toList());
        command.addAll(List.of("-jar", kernelDir.resolve(JAR_NAME).toString(), "--train-cds"));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            boolean done = process.waitFor(180, TimeUnit.SECONDS);
            if (!done) process.destroyForcibly();
            if (done && process.exitValue() == 0 && Files.size(tmp) > 0) {
                moveReplacing(tmp, archive);
            } else {
                System.err.println("note: no class-data archive (training run failed); the kernel starts a little slower");
            }
        } catch (IOException | InterruptedException e) {
            System.err.println("note: no class-data archive (" + e.getMessage() + "); the kernel starts a little slower");
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
            }
        }
    }

    static JsonObject kernelJson(Options options, int javaVersion, Path kernelDir, Path startupScript) {
        JsonArray argv = new JsonArray();
        argv.add(options.java().toString());
        defaultJvmOptions(kernelDir, javaVersion).forEach(argv::add);
        options.jvmOpts().forEach(argv::add);
        argv.add("-jar");
        argv.add(kernelDir.resolve(JAR_NAME).toString());
        argv.add("{connection_file}");

        JsonObject env = new JsonObject();
        if (startupScript != null) env.addProperty(STARTUP_SCRIPT_ENV, startupScript.toString());

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
     * Options for a fast cold start (the goal is the first kernel_info_reply within a second).
     * AppCDS maps the kernel's classes (JShell and javac included) from an archive the JVM writes
     * when the first kernel exits and reuses afterwards: JShell start-up measured ~0.55 s → ~0.36 s
     * on JDK 25. -Xshare:auto keeps the JVM starting if the archive is stale or unwritable.
     * G1 stays the collector because notebooks run servers inside the kernel JVM.
     */
    static List<String> defaultJvmOptions(Path kernelDir, int javaVersion) {
        List<String> options = new ArrayList<>();
        // Written by trainClassDataArchive at install time; -Xshare:auto ignores a missing or stale one.
        options.add("-XX:SharedArchiveFile=" + kernelDir.resolve(CDS_ARCHIVE_NAME));
        options.add("-Xshare:auto");
        // --enable-native-access makes the JDK's base archive report a harmless property mismatch as
        // "[error][cds]" on stdout at every start (JDK 25); CDS problems are never fatal with -Xshare:auto.
        options.add("-Xlog:cds*=off");   // also cds+dynamic: a stale archive (jar replaced by hand) is just not used
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

    private static Path sourceJar(Path explicitJar) throws InstallException {
        if (explicitJar != null) {
            if (!Files.isRegularFile(explicitJar)) throw new InstallException("--jar " + explicitJar + " is not a file", 1);
            return explicitJar.toAbsolutePath();
        }
        CodeSource source = KernelSpecInstaller.class.getProtectionDomain().getCodeSource();
        Path running;
        try {
            running = source == null ? null : Path.of(source.getLocation().toURI());
        } catch (URISyntaxException | IllegalArgumentException e) {
            running = null;
        }
        if (running == null || !Files.isRegularFile(running)) {
            throw new InstallException("the kernel is not running from a jar (" + running + "): build it with "
                    + "'./mvnw -pl kernel -am package' and run 'java -jar kernel/target/" + JAR_NAME + " install', "
                    + "or pass --jar PATH", 1);
        }
        return running;
    }

    /** The feature version (21, 25, …) of the java that will run the kernel. */
    static int javaFeatureVersion(Path java) throws InstallException {
        Path running = Path.of(System.getProperty("java.home"), "bin");
        try {
            if (java.getParent() != null && Files.isSameFile(java.getParent(), running)) {
                return Runtime.version().feature();
            }
        } catch (IOException e) {
            throw new InstallException("java " + java + " does not exist: pass --java /path/to/bin/java", 1);
        }
        try {
            Process process = new ProcessBuilder(java.toString(), "-XshowSettings:properties", "-version")
                    .redirectErrorStream(true).start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor(30, TimeUnit.SECONDS);
            Matcher spec = Pattern.compile("java\\.specification\\.version = (\\d+)(?:\\.(\\d+))?").matcher(output);
            if (!spec.find()) throw new InstallException("cannot tell the Java version of " + java + ": " + output.strip(), 1);
            // Java 8 reports "1.8"
            return spec.group(1).equals("1") && spec.group(2) != null ? Integer.parseInt(spec.group(2)) : Integer.parseInt(spec.group(1));
        } catch (IOException e) {
            throw new InstallException("cannot run " + java + " (" + e.getMessage() + "): pass --java /path/to/bin/java", 1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InstallException("interrupted while checking " + java, 1);
        }
    }

    // --- uninstall ---

    static boolean uninstall(Path kernelDir) throws InstallException, IOException {
        if (!Files.isDirectory(kernelDir)) return false;
        if (!Files.isRegularFile(kernelDir.resolve("kernel.json"))) {
            // Refuse to delete a directory that is not a kernelspec, whatever the options said.
            throw new InstallException(kernelDir + " exists but has no kernel.json; not removing it", 1);
        }
        try (Stream<Path> tree = Files.walk(kernelDir)) {
            for (Path path : tree.sorted(Comparator.reverseOrder()).toList()) Files.delete(path);
        }
        return true;
    }

    // --- helpers ---

    private static void moveReplacing(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static boolean isWindows() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
    }
}
