package serverlab.kernel.install;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
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

    // jupyter_client accepts only these characters in kernel names.
    private static final Pattern VALID_NAME = Pattern.compile("[A-Za-z0-9._-]+");

    private static final String USAGE = """
            Usage: java -jar serverlab-kernel.jar install|uninstall [options]

            Where (pick one; default --user):
              --user                 the user's Jupyter data dir ($JUPYTER_DATA_DIR, else ~/.local/share/jupyter)
              --sys-prefix           the prefix of the Python environment running Jupyter (see --python)
              --prefix DIR           DIR/share/jupyter/kernels/<name>
            Options:
              --name NAME            kernelspec name (default serverlab)
              --display-name TEXT    name shown in the launcher (default "ServerLab (Java)")
              --python PATH          Python for --sys-prefix (default $VIRTUAL_ENV/bin/python, else python3 on PATH)
              --java PATH            java to run the kernel (default: the java running this command)
              --jvm-opt OPT          extra JVM option, repeatable (e.g. --jvm-opt -Xmx2g)
              --startup-script FILE  JShell script the kernel runs at start (env SERVERLAB_STARTUP_SCRIPT)
              --jar PATH             kernel jar to install (default: the jar running this command)
              --help                 this text
            """;

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
            Options options = parse(args);
            if (options.help()) {
                out.print(USAGE);
                return 0;
            }
            Path kernelDir = kernelDir(options);
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
            if (e.exitCode == 2) err.print("\n" + USAGE);
            return e.exitCode;
        } catch (IOException e) {
            err.println("serverlab " + args[0] + " failed: " + e);
            return 1;
        }
    }

    // --- options ---

    static Options parse(String[] args) throws InstallException {
        if (args.length == 0 || !(args[0].equals("install") || args[0].equals("uninstall"))) {
            throw new InstallException("expected 'install' or 'uninstall' as the first argument", 2);
        }
        boolean install = args[0].equals("install");
        Location location = null;
        Path prefix = null;
        String name = DEFAULT_NAME;
        String displayName = DEFAULT_DISPLAY_NAME;
        String python = null;
        Path java = null;
        List<String> jvmOpts = new ArrayList<>();
        Path startupScript = null;
        Path jar = null;
        boolean help = false;

        for (int i = 1; i < args.length; i++) {
            // "--name x" and "--name=x" both work; the second form suits values that start with '-'.
            String option = args[i];
            String inlineValue = null;
            int eq = option.indexOf('=');
            if (option.startsWith("--") && eq > 2) {
                inlineValue = option.substring(eq + 1);
                option = option.substring(0, eq);
            }
            boolean takesValue = switch (option) {
                case "--prefix", "--name", "--display-name", "--python", "--java", "--jvm-opt", "--startup-script", "--jar" -> true;
                default -> false;
            };
            String value = null;
            if (takesValue) {
                if (inlineValue != null) {
                    value = inlineValue;
                } else if (i + 1 < args.length) {
                    value = args[++i];
                } else {
                    throw new InstallException(option + " needs a value", 2);
                }
            } else if (inlineValue != null) {
                throw new InstallException(option + " takes no value", 2);
            }
            switch (option) {
                case "--help", "-h" -> help = true;
                case "--user" -> location = chooseLocation(location, Location.USER);
                case "--sys-prefix" -> location = chooseLocation(location, Location.SYS_PREFIX);
                case "--prefix" -> {
                    location = chooseLocation(location, Location.PREFIX);
                    prefix = Path.of(value);
                }
                case "--name" -> name = value;
                case "--display-name" -> displayName = value;
                case "--python" -> python = value;
                case "--java" -> java = Path.of(value);
                case "--jvm-opt" -> jvmOpts.add(value);
                case "--startup-script" -> startupScript = Path.of(value);
                case "--jar" -> jar = Path.of(value);
                default -> throw new InstallException("unknown option " + option, 2);
            }
        }
        if (!VALID_NAME.matcher(name).matches()) {
            throw new InstallException("--name may contain only letters, digits, '.', '_' and '-': " + name, 2);
        }
        if (java == null) java = Path.of(System.getProperty("java.home"), "bin", isWindows() ? "java.exe" : "java");
        return new Options(install, location == null ? Location.USER : location, prefix, name, displayName,
                python, java.toAbsolutePath(), List.copyOf(jvmOpts), startupScript, jar, help);
    }

    private static Location chooseLocation(Location current, Location wanted) throws InstallException {
        if (current != null && current != wanted) {
            throw new InstallException("--user, --sys-prefix and --prefix are mutually exclusive", 2);
        }
        return wanted;
    }

    // --- where ---

    static Path kernelDir(Options options) throws InstallException {
        Path dataDir = switch (options.location()) {
            case USER -> userJupyterDataDir();
            case PREFIX -> options.prefix().toAbsolutePath().resolve("share").resolve("jupyter");
            case SYS_PREFIX -> pythonPrefix(options.python()).resolve("share").resolve("jupyter");
        };
        return dataDir.resolve("kernels").resolve(options.name()).normalize();
    }

    /** Where {@code jupyter --data-dir} points, following jupyter_core's rules. */
    static Path userJupyterDataDir() {
        String explicit = System.getenv("JUPYTER_DATA_DIR");
        if (explicit != null && !explicit.isBlank()) return Path.of(explicit).toAbsolutePath();
        Path home = Path.of(System.getProperty("user.home"));
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (os.contains("mac")) return home.resolve("Library").resolve("Jupyter");
        if (isWindows()) {
            String appData = System.getenv("APPDATA");
            return (appData != null ? Path.of(appData) : home.resolve("AppData").resolve("Roaming")).resolve("jupyter");
        }
        String xdgData = System.getenv("XDG_DATA_HOME");
        Path dataHome = xdgData != null && !xdgData.isBlank() ? Path.of(xdgData) : home.resolve(".local").resolve("share");
        return dataHome.resolve("jupyter");
    }

    private static Path pythonPrefix(String pythonOption) throws InstallException {
        String python = pythonOption;
        if (python == null) {
            String venv = System.getenv("VIRTUAL_ENV");
            python = venv != null && !venv.isBlank()
                    ? Path.of(venv, isWindows() ? "Scripts" : "bin", isWindows() ? "python.exe" : "python").toString()
                    : (isWindows() ? "python" : "python3");
        }
        String hint = "pass --python /path/to/python (the Python that runs Jupyter), or use --user or --prefix DIR";
        try {
            Process process = new ProcessBuilder(python, "-c", "import sys; print(sys.prefix)")
                    .redirectErrorStream(true).start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new InstallException(python + " did not answer within 30 s; " + hint, 1);
            }
            if (process.exitValue() != 0 || output.isEmpty()) {
                throw new InstallException(python + " could not report sys.prefix (exit " + process.exitValue()
                        + (output.isEmpty() ? "" : ": " + output) + "); " + hint, 1);
            }
            return Path.of(output.lines().reduce((first, last) -> last).orElseThrow());
        } catch (IOException e) {
            throw new InstallException("cannot run Python '" + python + "' for --sys-prefix (" + e.getMessage() + "); " + hint, 1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InstallException("interrupted while asking " + python + " for sys.prefix", 1);
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

        writeLogos(kernelDir);
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

    // --- logo ---

    // One mark in three formats: a teal rounded square holding a three-unit server rack with status LEDs.
    private static final Color TEAL = new Color(0x0B5F66);
    private static final Color RACK = new Color(0xE8F5F2);
    private static final Color LED_OK = new Color(0x2EC4A0);
    private static final Color LED_BUSY = new Color(0xF5B942);
    private static final double[] UNIT_TOPS = {0.21, 0.42, 0.63}; // fractions of the logo size
    private static final double UNIT_LEFT = 0.19;
    private static final double UNIT_WIDTH = 0.62;
    private static final double UNIT_HEIGHT = 0.16;
    private static final double LED_CENTER_X = 0.71;
    private static final double LED_RADIUS = 0.035;

    static void writeLogos(Path kernelDir) throws IOException {
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
        for (int size : new int[] {32, 64}) {
            Path png = kernelDir.resolve("logo-" + size + "x" + size + ".png");
            if (!ImageIO.write(drawLogo(size), "png", png.toFile())) throw new IOException("no PNG writer available");
        }
        Files.writeString(kernelDir.resolve("logo-svg.svg"), logoSvg(), StandardCharsets.UTF_8);
    }

    static BufferedImage drawLogo(int size) {
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.setColor(TEAL);
            g.fill(new RoundRectangle2D.Double(0, 0, size, size, size * 0.44, size * 0.44));
            for (int unit = 0; unit < UNIT_TOPS.length; unit++) {
                double top = UNIT_TOPS[unit] * size;
                g.setColor(RACK);
                g.fill(new RoundRectangle2D.Double(UNIT_LEFT * size, top, UNIT_WIDTH * size, UNIT_HEIGHT * size,
                        size * 0.08, size * 0.08));
                g.setColor(TEAL);
                g.setStroke(new BasicStroke((float) (size * 0.03), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
                double slotY = top + UNIT_HEIGHT * size / 2;
                g.draw(new java.awt.geom.Line2D.Double(0.27 * size, slotY, 0.52 * size, slotY));
                g.setColor(unit == 1 ? LED_BUSY : LED_OK);
                double r = LED_RADIUS * size;
                g.fill(new Ellipse2D.Double(LED_CENTER_X * size - r, slotY - r, 2 * r, 2 * r));
            }
        } finally {
            g.dispose();
        }
        return image;
    }

    static String logoSvg() {
        StringBuilder svg = new StringBuilder();
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"64\" height=\"64\" viewBox=\"0 0 64 64\">\n");
        svg.append("  <title>ServerLab</title>\n");
        svg.append(String.format(Locale.ROOT, "  <rect width=\"64\" height=\"64\" rx=\"14.08\" fill=\"%s\"/>%n", hex(TEAL)));
        for (int unit = 0; unit < UNIT_TOPS.length; unit++) {
            double top = UNIT_TOPS[unit] * 64;
            double slotY = top + UNIT_HEIGHT * 64 / 2;
            svg.append(String.format(Locale.ROOT,
                    "  <rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" rx=\"2.56\" fill=\"%s\"/>%n",
                    UNIT_LEFT * 64, top, UNIT_WIDTH * 64, UNIT_HEIGHT * 64, hex(RACK)));
            svg.append(String.format(Locale.ROOT,
                    "  <line x1=\"17.28\" y1=\"%.2f\" x2=\"33.28\" y2=\"%.2f\" stroke=\"%s\" stroke-width=\"1.92\" stroke-linecap=\"round\"/>%n",
                    slotY, slotY, hex(TEAL)));
            svg.append(String.format(Locale.ROOT, "  <circle cx=\"%.2f\" cy=\"%.2f\" r=\"%.2f\" fill=\"%s\"/>%n",
                    LED_CENTER_X * 64, slotY, LED_RADIUS * 64, hex(unit == 1 ? LED_BUSY : LED_OK)));
        }
        return svg.append("</svg>\n").toString();
    }

    private static String hex(Color color) {
        return String.format("#%06x", color.getRGB() & 0xffffff);
    }

    // --- helpers ---

    private static void moveReplacing(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static boolean isWindows() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
    }
}
