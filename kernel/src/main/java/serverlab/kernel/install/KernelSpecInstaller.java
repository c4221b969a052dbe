package serverlab.kernel.install;

import com.google.gson.GsonBuilder;
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
    public static final String AOT_CACHE_NAME = "serverlab-kernel.aot";
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
        // The class-data archive describes the old jar's classes: rebuild it from a training run now.
        Files.deleteIfExists(kernelDir.resolve(CDS_ARCHIVE_NAME));
        Files.deleteIfExists(kernelDir.resolve(AOT_CACHE_NAME));
        KernelJson.trainClassDataArchive(options.java(), javaVersion, options.jvmOpts(), kernelDir);

        JsonObject spec = KernelJson.of(options, javaVersion, kernelDir, startupScript);
        String json = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(spec) + "\n";
        Files.writeString(kernelDir.resolve("kernel.json"), json, StandardCharsets.UTF_8);

        Logo.writeAll(kernelDir);
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

    static void moveReplacing(Path from, Path to) throws IOException {
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
