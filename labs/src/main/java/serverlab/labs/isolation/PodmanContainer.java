package serverlab.labs.isolation;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The sandbox made by a real container engine: Debian's podman, with an image built here from scratch (no
 * registry) that holds only what the server needs, at the paths it has on the host:
 *
 * <pre>
 * the JDK this JVM runs on          /usr/lib/jvm/…
 * the class path (jars, classes)    the same absolute paths
 * the C libraries the JDK links to  /lib/x86_64-linux-gnu/…, /lib64/ld-linux-x86-64.so.2
 * a static busybox                  /bin/busybox, /bin/sh, ps, ip, hostname (for {@link Sandbox#exec})
 * </pre>
 *
 * The runtime is runc: crun refuses a "hybrid" cgroup setup (v1 controllers plus a v2 hierarchy holding one, as
 * here). rlimits are set to what this process has, as podman's defaults are above it and raising them needs
 * CAP_SYS_RESOURCE. The network is the sandbox's own namespace with its veth ({@code --network ns:…}).
 */
final class PodmanContainer implements Container {

    static final String RUNTIME = "runc";
    private static final String IMAGE = "localhost/serverlab-server";
    /** Just busybox: for {@link #missing} to try a container. */
    private static final String PROBE_IMAGE = "localhost/serverlab-probe:busybox";
    private static final Path BUSYBOX = Path.of("/bin/busybox");
    private static final List<String> APPLETS = List.of("sh", "ps", "ip", "hostname", "cat");
    private static final Pattern LIBRARY = Pattern.compile("(/\\S+\\.so[.\\d]*)");

    private final String id;
    private final VethNetwork network;
    private final String hostname;
    private final double cpus;
    private final long memoryBytes;
    private ControlGroup cgroup;

    /** A container named {@code id} with the limits (0: none), on {@code network}. */
    PodmanContainer(String id, VethNetwork network, String hostname, double cpus, long memoryBytes) {
        this.id = id;
        this.network = network;
        this.hostname = hostname;
        this.cpus = cpus;
        this.memoryBytes = memoryBytes;
    }

    /** What is missing for podman sandboxes, or null. */
    static String missing() {
        if (!HostCommand.succeeds("podman", "--version")) {
            return "podman: apt-get install podman runc";
        }
        if (!HostCommand.succeeds(RUNTIME, "--version")) {
            return "podman needs runc here (crun refuses hybrid cgroups): apt-get install runc";
        }
        if (!Files.isExecutable(BUSYBOX)) {
            return "podman's image needs a static busybox: apt-get install busybox-static";
        }
        try { // what podman info does not tell: whether a container really starts (runtime, cgroups, rlimits)
            if (!HostCommand.succeeds("podman", "image", "exists", PROBE_IMAGE)) {
                build(PROBE_IMAGE, Set.of());
            }
            List<String> probe = run();
            probe.addAll(List.of("--network", "none", PROBE_IMAGE, "/bin/busybox", "true"));
            HostCommand.run(probe);
            return null;
        } catch (RuntimeException e) {
            return "podman cannot start a container here: " + e.getMessage().lines().reduce((a, b) -> b).orElse("");
        }
    }

    /** "podman 4.3.1 + runc 1.1.5". */
    static String version() {
        return "podman " + HostCommand.run("podman", "version", "--format", "{{.Client.Version}}").strip()
                + " + " + RUNTIME + " " + HostCommand.run(RUNTIME, "--version").lines().findFirst().orElse("").replaceAll("^runc version ", "");
    }

    /**
     * The image for this JDK and {@code classPath}, imported from a tarball the first time (a few seconds: the
     * JDK is most of it), found by its content tag afterwards.
     */
    private static String image(String classPath) {
        List<String> entries = new ArrayList<>(List.of(System.getProperty("java.home")));
        entries.addAll(List.of(classPath.split(File.pathSeparator)));
        String image = IMAGE + ":" + tag(entries);
        if (!HostCommand.succeeds("podman", "image", "exists", image)) {
            Set<String> files = new LinkedHashSet<>(entries);
            files.addAll(libraries(Path.of(System.getProperty("java.home"))));
            build(image, files);
            removeOlderImages(image);
        }
        return image;
    }

    /** Imports {@code image}: busybox, the usual empty directories, and {@code hostFiles} at their own paths. */
    private static void build(String image, Set<String> hostFiles) {
        Path staging = null;
        try {
            staging = Files.createTempDirectory("serverlab-image");
            Path root = Files.createDirectories(staging.resolve("root"));
            for (String dir : List.of("bin", "tmp", "proc", "sys", "dev", "etc")) {
                Files.createDirectories(root.resolve(dir));
            }
            Files.copy(BUSYBOX, root.resolve("bin/busybox"));
            for (String applet : APPLETS) {
                Files.createSymbolicLink(root.resolve("bin").resolve(applet), Path.of("busybox"));
            }
            Path tar = staging.resolve("image.tar");
            HostCommand.run("tar", "-cf", tar.toString(), "-C", root.toString(), ".");
            if (!hostFiles.isEmpty()) {
                Path list = staging.resolve("files");
                Files.write(list, hostFiles.stream().map(f -> f.substring(1)).toList()); // relative to /
                HostCommand.run("tar", "-rf", tar.toString(), "--dereference", "-C", "/", // the JDK's sources and javac's symbols stay out
                        "--exclude=*/lib/src.zip", "--exclude=*/lib/ct.sym", "--files-from", list.toString());
            }
            HostCommand.run("podman", "import", "--quiet", tar.toString(), image);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build the image " + image, e);
        } finally {
            if (staging != null) {
                HostCommand.run("rm", "-rf", staging.toString());
            }
        }
    }

    /** Images of earlier class paths (400 MB each, mostly the JDK); one still used by a running sandbox stays. */
    private static void removeOlderImages(String current) {
        HostCommand.run("podman", "images", "--format", "{{.Repository}}:{{.Tag}}", IMAGE).lines()
                .filter(image -> !image.equals(current))
                .forEach(image -> HostCommand.succeeds("podman", "rmi", image));
    }

    /** podman run, in the foreground and attached to our pipes, of the server's command line in our image. */
    @Override
    public List<String> command(List<String> server) {
        List<String> command = run();
        command.addAll(List.of("--interactive", "--name", id, "--network", "ns:" + network.path(), "--hostname", hostname));
        if (cpus > 0) {
            command.addAll(List.of("--cpus", Double.toString(cpus)));
        }
        if (memoryBytes > 0) {
            command.addAll(List.of("--memory", Long.toString(memoryBytes), "--memory-swap", Long.toString(memoryBytes)));
        }
        command.add(image(server.get(server.indexOf("-cp") + 1)));
        command.addAll(server);
        return command;
    }

    /** podman run with what every container needs here: the runtime, rlimits no higher than ours, removed at exit. */
    private static List<String> run() {
        String files = "nofile=" + openFilesLimit() + ":" + openFilesLimit();
        return new ArrayList<>(List.of("podman", "run", "--rm", "--runtime", RUNTIME, "--ulimit", files, "--ulimit", "nproc=8192:8192"));
    }

    /** The container's first process, as podman knows it; its cgroup is the one podman made (and removes). */
    @Override
    public long serverPid(long started) {
        long pid = Long.parseLong(HostCommand.run("podman", "inspect", "--format", "{{.State.Pid}}", id).strip());
        cgroup = ControlGroup.of(cgroupOf(pid));
        return pid;
    }

    @Override
    public ControlGroup cgroup() {
        return cgroup;
    }

    @Override
    public List<String> exec(List<String> command) {
        List<String> line = new ArrayList<>(List.of("podman", "exec", id));
        line.addAll(command);
        return line;
    }

    /** Fails harmlessly if the container has ended already (and podman removed it: --rm). */
    @Override
    public void stop() {
        HostCommand.succeeds("podman", "kill", "--signal", "TERM", id);
    }

    @Override
    public void remove() {
        remove(id);
    }

    /** Stops container {@code id} (SIGTERM, SIGKILL after 5 s) and removes it; nothing happens if it is gone already. */
    static void remove(String id) {
        HostCommand.run("podman", "rm", "--force", "--ignore", "--time", "5", id);
    }

    /** Names of every container podman has, running or not. */
    static List<String> containers() {
        return HostCommand.run("podman", "ps", "--all", "--format", "{{.Names}}").lines().toList();
    }

    /** A process's cgroup, relative to each hierarchy's root, from its memory line (v1) or its only line (v2). */
    private static String cgroupOf(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup")).stream()
                    .map(l -> l.split(":", 3)).filter(f -> f[1].equals("memory") || f[1].isEmpty())
                    .map(f -> f[2].substring(1)).findFirst().orElseThrow();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every shared library the JDK's binaries and libraries link to, from ldd; the JDK's own ones excluded. */
    private static Set<String> libraries(Path javaHome) {
        Set<String> libraries = new LinkedHashSet<>();
        List<Path> binaries;
        try (var files = Files.walk(javaHome)) {
            binaries = files.filter(f -> f.toString().endsWith(".so") || f.getParent().endsWith("bin")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Path binary : binaries) {
            String ldd;
            try {
                ldd = HostCommand.run("ldd", binary.toString());
            } catch (IllegalStateException e) {
                continue; // not dynamic
            }
            LIBRARY.matcher(ldd).results().map(r -> r.group(1)).filter(l -> !l.startsWith(javaHome.toString()))
                    .forEach(libraries::add);
        }
        return libraries;
    }

    private static long openFilesLimit() {
        try {
            return Files.readAllLines(Path.of("/proc/self/limits")).stream().filter(l -> l.startsWith("Max open files"))
                    .map(l -> l.trim().split("\\s+")[4]).mapToLong(Long::parseLong).findFirst().orElse(4096);
        } catch (IOException | NumberFormatException e) {
            return 4096;
        }
    }

    /**
     * A digest of what goes into the image: the JDK and jars by path, size and time (they are replaced, not
     * edited), class directories by content (a build rewrites them with new times and, often, the same bytes).
     */
    private static String tag(List<String> entries) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (String entry : entries) {
                digest.update((entry + "\n").getBytes(StandardCharsets.UTF_8));
                Path path = Path.of(entry);
                boolean classes = Files.isDirectory(path) && !entry.equals(System.getProperty("java.home"));
                if (Files.exists(path)) {
                    try (var files = Files.walk(path)) {
                        for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                            digest.update(file.toString().getBytes(StandardCharsets.UTF_8));
                            digest.update(classes ? Files.readAllBytes(file)
                                    : (Files.getLastModifiedTime(file).toMillis() + ":" + Files.size(file)).getBytes(StandardCharsets.UTF_8));
                        }
                    }
                }
            }
            return HexFormat.of().formatHex(digest.digest(), 0, 6);
        } catch (NoSuchAlgorithmException | IOException e) {
            throw new IllegalStateException("cannot tag the image", e);
        }
    }
}
