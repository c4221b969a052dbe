package serverlab.labs.isolation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A cgroup of our own that caps CPU and memory, on either cgroup version:
 *
 * <pre>
 *            CPU                                    memory                     OOM kills counted in
 * v1         cpu/NAME/cpu.cfs_quota_us + _period_us memory/NAME/memory.limit_in_bytes  memory.oom_control
 * v2         NAME/cpu.max ("quota period")          NAME/memory.max            memory.events
 * </pre>
 *
 * v2 is the one with {@code /sys/fs/cgroup/cgroup.controllers}; v1 mounts one hierarchy per controller.
 * A process joins by writing its pid to {@code cgroup.procs} of each directory, and its children inherit it.
 */
final class ControlGroup {

    static final Path ROOT = Path.of("/sys/fs/cgroup");
    private static final long PERIOD_US = 100_000;

    /** Where the cgroup filesystem is mounted: {@link #ROOT}, or a stand-in tree in tests. */
    private final Path root;
    private final boolean v2;
    /** The path below each hierarchy's root: our sandbox's name, or a container engine's nested path. */
    private final String name;
    /** v1: the cpu and the memory directory; v2: the one directory. */
    private final List<Path> directories;

    private ControlGroup(Path root, String name) {
        this.root = root;
        this.v2 = isV2(root);
        this.name = name;
        this.directories = directoriesOf(root, name);
    }

    static boolean isV2() {
        return isV2(ROOT);
    }

    private static boolean isV2(Path root) {
        return Files.exists(root.resolve("cgroup.controllers"));
    }

    /** "cgroup v1" or "cgroup v2". */
    static String version() {
        return isV2() ? "cgroup v2" : "cgroup v1";
    }

    /** What is missing for our cgroups, or null when the cpu and memory controllers are there. */
    static String missing() {
        boolean present = isV2()
                ? List.of(read(ROOT.resolve("cgroup.controllers")).trim().split(" ")).containsAll(List.of("cpu", "memory"))
                : Files.exists(ROOT.resolve("cpu/cpu.cfs_quota_us")) && Files.exists(ROOT.resolve("memory/memory.limit_in_bytes"));
        if (!present) {
            return "needs the cgroup cpu and memory controllers under " + ROOT + " (a container without them cannot limit CPU or memory)";
        }
        try { // a delegated v2 tree may list the controllers and still refuse to hand them down
            create("serverlab-probe-" + ProcessHandle.current().pid(), 0.5, 64L << 20).remove();
            return null;
        } catch (RuntimeException e) {
            return "cannot create a cgroup with limits here: " + e.getMessage();
        }
    }

    /** The directories a cgroup called {@code name} has (or would have) on this machine. */
    static List<Path> directoriesOf(String name) {
        return directoriesOf(ROOT, name);
    }

    private static List<Path> directoriesOf(Path root, String name) {
        return isV2(root) ? List.of(root.resolve(name)) : List.of(root.resolve("cpu").resolve(name), root.resolve("memory").resolve(name));
    }

    /** Names of our cgroups that exist, for reaping: directory names starting with {@code prefix}. */
    static List<String> existing(String prefix) {
        List<String> names = new ArrayList<>();
        for (Path parent : isV2() ? List.of(ROOT) : List.of(ROOT.resolve("cpu"), ROOT.resolve("memory"))) {
            try (Stream<Path> children = Files.list(parent)) {
                children.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix) && !names.contains(n)).forEach(names::add);
            } catch (IOException e) {
                // no such hierarchy: nothing of ours in it
            }
        }
        return names;
    }

    /**
     * Creates the cgroup with a CPU quota of {@code cpus} (0: none) and a memory limit of {@code memoryBytes}
     * (0: none). Swap, where the kernel counts it separately, gets the same limit, so memory cannot escape to it.
     */
    static ControlGroup create(String name, double cpus, long memoryBytes) {
        return create(ROOT, name, cpus, memoryBytes);
    }

    static ControlGroup create(Path root, String name, double cpus, long memoryBytes) {
        ControlGroup group = new ControlGroup(root, name);
        try {
            if (group.v2) {
                group.enableV2Controllers();
            }
            for (Path dir : group.directories) {
                Files.createDirectories(dir);
            }
            if (cpus > 0) {
                long quota = Math.round(cpus * PERIOD_US);
                if (group.v2) {
                    write(group.file("cpu.max"), quota + " " + PERIOD_US);
                } else {
                    write(group.file("cpu.cfs_period_us"), Long.toString(PERIOD_US));
                    write(group.file("cpu.cfs_quota_us"), Long.toString(quota));
                }
            }
            if (memoryBytes > 0) {
                if (group.v2) {
                    write(group.file("memory.max"), Long.toString(memoryBytes));
                    writeIfPresent(group.file("memory.swap.max"), "0");
                } else {
                    write(group.file("memory.limit_in_bytes"), Long.toString(memoryBytes));
                    writeIfPresent(group.file("memory.memsw.limit_in_bytes"), Long.toString(memoryBytes));
                }
            }
            return group;
        } catch (IOException | RuntimeException e) {
            group.remove();
            throw new IllegalStateException("cannot set up cgroup " + group.directories + ": " + e.getMessage(), e);
        }
    }

    /** An existing cgroup, by its path below each hierarchy's root (a container engine's, for reading). */
    static ControlGroup of(String path) {
        return of(ROOT, path);
    }

    static ControlGroup of(Path root, String path) {
        return new ControlGroup(root, path);
    }

    /** Whatever is left of the cgroup called {@code name}: its processes killed, its directories removed. */
    static void reap(String name) {
        of(name).remove();
    }

    /** The {@code cgroup.procs} files a process writes its pid to, to join. */
    List<Path> procsFiles() {
        return directories.stream().map(d -> d.resolve("cgroup.procs")).toList();
    }

    /** CPUs the quota allows (0.5 = half of one), or infinity if no quota is set. */
    double cpuLimit() {
        if (v2) {
            String[] max = read(file("cpu.max")).trim().split(" ");
            return max[0].equals("max") ? Double.POSITIVE_INFINITY : Double.parseDouble(max[0]) / Double.parseDouble(max[1]);
        }
        long quota = Long.parseLong(read(file("cpu.cfs_quota_us")).trim());
        return quota < 0 ? Double.POSITIVE_INFINITY : (double) quota / Long.parseLong(read(file("cpu.cfs_period_us")).trim());
    }

    /** The memory limit in bytes, or {@link Long#MAX_VALUE} if none (v1 says "no limit" with a huge page-aligned number). */
    long memoryLimit() {
        String text = read(file(v2 ? "memory.max" : "memory.limit_in_bytes")).trim();
        if (text.equals("max")) {
            return Long.MAX_VALUE;
        }
        long limit = Long.parseLong(text);
        return limit >= Long.MAX_VALUE - (1L << 20) ? Long.MAX_VALUE : limit;
    }

    /** Memory charged to the group now, in bytes. */
    long memoryUsage() {
        return Long.parseLong(read(file(v2 ? "memory.current" : "memory.usage_in_bytes")).trim());
    }

    /** Processes the kernel's OOM killer has killed in this group. */
    long oomKills() {
        String counters = read(file(v2 ? "memory.events" : "memory.oom_control"));
        return counters.lines().filter(l -> l.startsWith("oom_kill ")).mapToLong(l -> Long.parseLong(l.substring(9).trim()))
                .findFirst().orElse(0);
    }

    /** Pids of every process in the group (any of its directories). */
    List<Long> pids() {
        List<Long> pids = new ArrayList<>();
        for (Path procs : procsFiles()) {
            if (Files.exists(procs)) {
                read(procs).lines().map(Long::parseLong).filter(p -> !pids.contains(p)).forEach(pids::add);
            }
        }
        return pids;
    }

    /** SIGKILLs every process left in the group, then removes its directories (rmdir works only once it is empty). */
    void remove() {
        long deadline = System.nanoTime() + 5_000_000_000L;
        for (Path dir : directories) {
            while (Files.exists(dir)) {
                pids().forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
                try {
                    Files.delete(dir);
                } catch (IOException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("cannot remove cgroup " + dir + ": " + e.getMessage()
                                + "; processes left: " + pids());
                    }
                    pause();
                }
            }
        }
    }

    String name() {
        return name;
    }

    /** A control file: "cpu.max" is in NAME/ on v2, "cpu.cfs_quota_us" in cpu/NAME/ on v1 (the prefix names the controller). */
    private Path file(String file) {
        Path dir = v2 ? root.resolve(name) : root.resolve(file.substring(0, file.indexOf('.'))).resolve(name);
        return dir.resolve(file);
    }

    /** v2 hands a controller to a child group only if the parent lists it in cgroup.subtree_control. */
    private void enableV2Controllers() throws IOException {
        List<String> enabled = List.of(read(root.resolve("cgroup.subtree_control")).trim().split(" "));
        if (!enabled.containsAll(List.of("cpu", "memory"))) {
            write(root.resolve("cgroup.subtree_control"), "+cpu +memory");
        }
    }

    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while removing a cgroup", e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, String value) throws IOException {
        Files.writeString(file, value);
    }

    private static void writeIfPresent(Path file, String value) throws IOException {
        if (Files.exists(file)) {
            write(file, value);
        }
    }
}
