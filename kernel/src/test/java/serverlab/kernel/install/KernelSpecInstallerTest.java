package serverlab.kernel.install;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class KernelSpecInstallerTest {

    @TempDir
    Path tmp;

    private Path jar;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void createJar() throws Exception {
        jar = tmp.resolve("built/serverlab-kernel.jar");
        Files.createDirectories(jar.getParent());
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream jarOut = new JarOutputStream(file, new Manifest())) {
            jarOut.putNextEntry(new ZipEntry("marker.txt"));
            jarOut.write("kernel".getBytes(StandardCharsets.UTF_8));
        }
    }

    private int run(String... args) {
        out.reset();
        err.reset();
        return KernelSpecInstaller.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private static List<String> strings(JsonArray array) {
        List<String> list = new ArrayList<>();
        array.forEach(e -> list.add(e.getAsString()));
        return list;
    }

    @Test
    void installWritesKernelJsonJarAndLogos() throws Exception {
        Path script = Files.writeString(tmp.resolve("startup.jsh"), "int answer = 42;");
        Path prefix = tmp.resolve("prefix");
        int exit = run("install", "--prefix", prefix.toString(), "--jar", jar.toString(), "--name", "sl-test",
                "--display-name", "ServerLab test", "--jvm-opt", "-Xmx1g",
                "--jvm-opt=--add-opens=java.base/java.lang=ALL-UNNAMED", "--startup-script", script.toString());
        assertEquals(0, exit, stderr());

        Path dir = prefix.toAbsolutePath().resolve("share/jupyter/kernels/sl-test");
        assertTrue(stdout().contains("Installed kernelspec sl-test in " + dir), stdout());
        assertArrayEquals(Files.readAllBytes(jar), Files.readAllBytes(dir.resolve("serverlab-kernel.jar")));

        JsonObject spec = new Gson().fromJson(Files.readString(dir.resolve("kernel.json")), JsonObject.class);
        List<String> argv = strings(spec.getAsJsonArray("argv"));
        assertEquals(Path.of(System.getProperty("java.home"), "bin", "java").toString(), argv.get(0));
        assertEquals(List.of("-jar", dir.resolve("serverlab-kernel.jar").toString(), "{connection_file}"),
                argv.subList(argv.size() - 3, argv.size()));
        String archiveOption = Runtime.version().feature() >= 25
                ? "-XX:AOTCache=" + dir.resolve("serverlab-kernel.aot")            // JDK 25: the AOT cache
                : "-XX:SharedArchiveFile=" + dir.resolve("serverlab-kernel.jsa");  // JDK 21-24: AppCDS
        assertTrue(argv.contains(archiveOption), argv.toString());
        assertTrue(argv.contains("-Dfile.encoding=UTF-8"), argv.toString());
        assertEquals(List.of("-Xmx1g", "--add-opens=java.base/java.lang=ALL-UNNAMED"),
                argv.subList(argv.size() - 5, argv.size() - 3), "user options come after the defaults, before -jar");
        assertEquals("ServerLab test", spec.get("display_name").getAsString());
        assertEquals("java", spec.get("language").getAsString());
        assertEquals("message", spec.get("interrupt_mode").getAsString());
        assertEquals(script.toAbsolutePath().toString(), spec.getAsJsonObject("env").get("SERVERLAB_STARTUP_SCRIPT").getAsString());
        assertFalse(spec.getAsJsonObject("metadata").get("debugger").getAsBoolean());
        assertFalse(Files.readString(dir.resolve("kernel.json")).contains("\\u003d"), "no HTML escaping of '='");

        for (int size : new int[] {32, 64}) {
            BufferedImage logo = ImageIO.read(dir.resolve("logo-" + size + "x" + size + ".png").toFile());
            assertEquals(size, logo.getWidth());
            assertEquals(size, logo.getHeight());
            assertEquals(0, logo.getRGB(0, 0) >>> 24, "rounded corner is transparent");
            assertEquals(0x0B5F66, logo.getRGB(size / 10, size / 2) & 0xffffff, "teal background");
            assertNotEquals(0x0B5F66, logo.getRGB(size * 3 / 4, size / 2) & 0xffffff, "rack unit drawn");
        }
        var svg = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(dir.resolve("logo-svg.svg").toFile());
        assertEquals("svg", svg.getDocumentElement().getNodeName());
        assertEquals(3 + 1, svg.getElementsByTagName("rect").getLength(), "background + three rack units");
    }

    @Test
    void defaultsGiveTheStandardNameAndEmptyEnv() throws Exception {
        Path prefix = tmp.resolve("p");
        assertEquals(0, run("install", "--prefix=" + prefix, "--jar", jar.toString()), stderr());
        Path dir = prefix.toAbsolutePath().resolve("share/jupyter/kernels/serverlab");
        JsonObject spec = new Gson().fromJson(Files.readString(dir.resolve("kernel.json")), JsonObject.class);
        assertEquals("ServerLab (Java)", spec.get("display_name").getAsString());
        assertEquals(0, spec.getAsJsonObject("env").size());
    }

    @Test
    void reinstallOverwritesAndDropsTheStaleClassDataArchive() throws Exception {
        Path prefix = tmp.resolve("prefix");
        String[] args = {"install", "--prefix", prefix.toString(), "--jar", jar.toString()};
        assertEquals(0, run(args), stderr());
        Path dir = prefix.toAbsolutePath().resolve("share/jupyter/kernels/serverlab");
        String firstJson = Files.readString(dir.resolve("kernel.json"));
        Files.writeString(dir.resolve("serverlab-kernel.jsa"), "archive of the old jar");
        Files.writeString(dir.resolve("serverlab-kernel.aot"), "cache of the old jar");
        Files.writeString(jar, "a rebuilt jar");

        assertEquals(0, run(args), stderr());
        assertEquals(firstJson, Files.readString(dir.resolve("kernel.json")));
        assertEquals("a rebuilt jar", Files.readString(dir.resolve("serverlab-kernel.jar")));
        assertFalse(Files.exists(dir.resolve("serverlab-kernel.jsa")));
        assertFalse(Files.exists(dir.resolve("serverlab-kernel.aot")));
        assertFalse(Files.exists(dir.resolve("serverlab-kernel.jar.tmp")));
    }

    @Test
    void uninstallRemovesTheKernelspec() throws Exception {
        Path prefix = tmp.resolve("prefix");
        assertEquals(0, run("install", "--prefix", prefix.toString(), "--jar", jar.toString()), stderr());
        Path dir = prefix.toAbsolutePath().resolve("share/jupyter/kernels/serverlab");
        assertTrue(Files.isDirectory(dir));

        assertEquals(0, run("uninstall", "--prefix", prefix.toString()), stderr());
        assertFalse(Files.exists(dir));
        assertTrue(stdout().contains("Removed kernelspec serverlab from " + dir), stdout());

        assertEquals(0, run("uninstall", "--prefix", prefix.toString()));
        assertTrue(stdout().contains("not installed"), stdout());
    }

    @Test
    void uninstallRefusesADirectoryThatIsNotAKernelspec() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("prefix/share/jupyter/kernels/serverlab"));
        Files.writeString(dir.resolve("precious.txt"), "keep me");
        assertEquals(1, run("uninstall", "--prefix", tmp.resolve("prefix").toString()));
        assertTrue(Files.exists(dir.resolve("precious.txt")));
        assertTrue(stderr().contains("no kernel.json"), stderr());
    }

    @Test
    void runningFromClassesWithoutJarExplainsWhatToDo() {
        // Tests run from target/classes, a directory, exactly the case the installer must refuse.
        assertEquals(1, run("install", "--prefix", tmp.resolve("prefix").toString()));
        assertTrue(stderr().contains("not running from a jar") && stderr().contains("--jar"), stderr());
    }

    @Test
    void sysPrefixAsksPythonForItsPrefix() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "needs a POSIX shell for the fake python");
        Path venv = tmp.resolve("venv");
        Path fakePython = tmp.resolve("python");
        Files.writeString(fakePython, "#!/bin/sh\necho '" + venv + "'\n");
        Files.setPosixFilePermissions(fakePython, PosixFilePermissions.fromString("rwxr-xr-x"));

        assertEquals(0, run("install", "--sys-prefix", "--python", fakePython.toString(), "--jar", jar.toString()), stderr());
        assertTrue(Files.isRegularFile(venv.resolve("share/jupyter/kernels/serverlab/kernel.json")));
        assertEquals(0, run("uninstall", "--sys-prefix", "--python", fakePython.toString()), stderr());
        assertFalse(Files.exists(venv.resolve("share/jupyter/kernels/serverlab")));
    }

    @Test
    void sysPrefixWithoutPythonSaysHowToFixIt() {
        assertEquals(1, run("install", "--sys-prefix", "--python", tmp.resolve("no-such-python").toString(), "--jar", jar.toString()));
        assertTrue(stderr().contains("--python /path/to/python"), stderr());
    }

    @Test
    void usageErrorsExitWithTwo() {
        assertEquals(2, run("install", "--bogus"));
        assertTrue(stderr().contains("unknown option --bogus") && stderr().contains("Usage:"), stderr());
        assertEquals(2, run("install", "--user", "--prefix", "/tmp/x"));
        assertTrue(stderr().contains("mutually exclusive"), stderr());
        assertEquals(2, run("install", "--name", "../escape"));
        assertEquals(2, run("install", "--name"));
        assertTrue(stderr().contains("--name needs a value"), stderr());
        assertEquals(2, run("reinstall"));
        assertEquals(0, run("install", "--help"));
        assertTrue(stdout().startsWith("Usage:"), stdout());
    }

    @Test
    void olderJavaIsRejected() {
        Path java17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64/bin/java");
        assumeTrue(Files.isExecutable(java17), "needs a JDK 17 to stand in for a too-old java");
        assertEquals(1, run("install", "--prefix", tmp.resolve("p").toString(), "--jar", jar.toString(), "--java", java17.toString()));
        assertTrue(stderr().contains("is Java 17") && stderr().contains("needs Java 21"), stderr());
        assertFalse(Files.exists(tmp.resolve("p/share/jupyter/kernels/serverlab/kernel.json")));
    }
}
