package serverlab.labs.isolation;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.function.Function;
import serverlab.labs.workbook.Machine;

/**
 * The control group this process is in, and the CPU and memory limits it puts on us, read from {@code /proc/self/mountinfo},
 * {@code /proc/self/cgroup} and the cgroup file system, for both versions:
 *
 * <pre>
 * v2  one hierarchy (cgroup2): cpu.max ("50000 100000", or "max 100000": none), memory.max ("max" or bytes)
 * v1  one hierarchy per controller: cpu.cfs_quota_us (-1: none) ÷ cpu.cfs_period_us, memory.limit_in_bytes
 * </pre>
 *
 * A limit on a parent group binds its children, so the effective limit is the smallest on the way from this process's
 * group up to the root of the mounted hierarchy.
 *
 * @param version      "v2", "v1", or "none" (no cgroup file system mounted)
 * @param hybrid       v1 controllers with an unused v2 hierarchy mounted beside them (systemd's "hybrid" layout)
 * @param cpus         the CPU limit in CPUs (quota ÷ period); empty when there is none or it cannot be read
 * @param memoryBytes  the memory limit; empty when there is none or it cannot be read
 * @param cpuSource    the file the CPU limit is read from (this process's own group), or why there is none
 * @param memorySource the file the memory limit is read from, or why there is none
 */
public record ProcessCgroup(String version, boolean hybrid, OptionalDouble cpus, OptionalLong memoryBytes,
                            String cpuSource, String memorySource) {

    /** v1 writes "no limit" as the largest page-aligned long; anything this large is no limit. */
    private static final long UNLIMITED_V1 = 1L << 60;

    /** This process's group on {@code machine}. */
    public static ProcessCgroup of(Machine machine) {
        List<Mount> mounts = Mount.cgroupMounts(machine);
        boolean v1 = mounts.stream().anyMatch(m -> !m.v2() && (m.controls("cpu") || m.controls("memory")));
        boolean v2 = mounts.stream().anyMatch(Mount::v2);
        List<String> membership = machine.lines("/proc/self/cgroup");
        if (!v1 && !v2) {
            return new ProcessCgroup("none", false, OptionalDouble.empty(), OptionalLong.empty(),
                    "no cgroup file system mounted", "no cgroup file system mounted");
        }
        Optional<Group> cpu = Group.find(machine, mounts, membership, v1 ? "cpu" : "");
        Optional<Group> memory = Group.find(machine, mounts, membership, v1 ? "memory" : "");
        String cpuFile = v1 ? "cpu.cfs_quota_us" : "cpu.max";
        String memoryFile = v1 ? "memory.limit_in_bytes" : "memory.max";
        OptionalDouble memoryLimit = memory.map(g -> g.smallest(dir -> bytes(machine, dir + "/" + memoryFile)))
                .orElse(OptionalDouble.empty());
        return new ProcessCgroup(v1 ? "v1" : "v2", v1 && v2,
                cpu.map(g -> g.smallest(dir -> v1 ? cpusV1(machine, dir) : cpusV2(machine, dir))).orElse(OptionalDouble.empty()),
                memoryLimit.isPresent() ? OptionalLong.of((long) memoryLimit.getAsDouble()) : OptionalLong.empty(),
                cpu.map(g -> g.dir() + "/" + cpuFile).orElse("this process's cpu group is not mounted"),
                memory.map(g -> g.dir() + "/" + memoryFile).orElse("this process's memory group is not mounted"));
    }

    /** "v1 (hybrid: …)" or "v2", for a table. */
    public String describeVersion() {
        return hybrid ? version + " (hybrid: an unused v2 hierarchy is mounted beside the v1 controllers)" : version;
    }

    private static OptionalDouble cpusV1(Machine machine, String dir) {
        Optional<String> quota = machine.firstLine(dir + "/cpu.cfs_quota_us").filter(q -> q.matches("\\d+")); // -1: none
        Optional<String> period = machine.firstLine(dir + "/cpu.cfs_period_us").filter(p -> p.matches("[1-9]\\d*"));
        return quota.isPresent() && period.isPresent()
                ? OptionalDouble.of(Double.parseDouble(quota.get()) / Double.parseDouble(period.get())) : OptionalDouble.empty();
    }

    private static OptionalDouble cpusV2(Machine machine, String dir) {
        String[] max = machine.firstLine(dir + "/cpu.max").orElse("max").split(" ");
        return max.length == 2 && max[0].matches("\\d+") && max[1].matches("[1-9]\\d*")
                ? OptionalDouble.of(Double.parseDouble(max[0]) / Double.parseDouble(max[1])) : OptionalDouble.empty();
    }

    /** A byte limit ("max", v1's huge "unlimited", or a number). */
    private static OptionalDouble bytes(Machine machine, String file) {
        return machine.firstLine(file).filter(v -> v.matches("\\d{1,18}") && Long.parseLong(v) < UNLIMITED_V1)
                .map(v -> OptionalDouble.of(Long.parseLong(v))).orElse(OptionalDouble.empty());
    }

    /** This process's group in one mounted hierarchy: its directory, and the hierarchy's mount point above it. */
    private record Group(String mountPoint, String dir) {

        /**
         * The group of {@code controller} ("" for v2's single hierarchy): the mount point plus the group's path relative to
         * the mount's root. In a container without a cgroup namespace the mount's root is the container's group, and
         * /proc/self/cgroup ("hierarchy-id:controllers:/path"; v2: "0::/path") gives the path from the very top.
         */
        static Optional<Group> find(Machine machine, List<Mount> mounts, List<String> membership, String controller) {
            Optional<Mount> mount = mounts.stream()
                    .filter(m -> controller.isEmpty() ? m.v2() : !m.v2() && m.controls(controller)).findFirst();
            Optional<String> path = membership.stream().map(line -> line.split(":", 3)).filter(f -> f.length == 3)
                    .filter(f -> controller.isEmpty() ? f[1].isEmpty() : List.of(f[1].split(",")).contains(controller))
                    .map(f -> f[2]).findFirst();
            if (mount.isEmpty() || path.isEmpty()) {
                return Optional.empty();
            }
            String root = mount.get().root();
            String relative = !root.equals("/") && path.get().startsWith(root) ? path.get().substring(root.length()) : path.get();
            String dir = (mount.get().point() + relative).replaceAll("/+$", "");
            return java.nio.file.Files.isDirectory(machine.path(dir)) ? Optional.of(new Group(mount.get().point(), dir)) : Optional.empty();
        }

        /** The smallest limit from this group up to the hierarchy's root. */
        OptionalDouble smallest(Function<String, OptionalDouble> limitAt) {
            OptionalDouble smallest = OptionalDouble.empty();
            for (String d = dir; ; d = d.substring(0, d.lastIndexOf('/'))) {
                OptionalDouble here = limitAt.apply(d);
                if (here.isPresent() && (smallest.isEmpty() || here.getAsDouble() < smallest.getAsDouble())) {
                    smallest = here;
                }
                if (d.length() <= mountPoint.length()) {
                    return smallest;
                }
            }
        }
    }

    /** A cgroup line of /proc/self/mountinfo: "id parent dev root mount-point options … - fstype source super-options". */
    private record Mount(String root, String point, boolean v2, List<String> superOptions) {

        static List<Mount> cgroupMounts(Machine machine) {
            List<Mount> mounts = new ArrayList<>();
            for (String line : machine.lines("/proc/self/mountinfo")) {
                String[] halves = line.split(" - ", 2);
                String[] before = halves[0].split(" ");
                String[] after = halves.length == 2 ? halves[1].split(" ") : new String[0];
                if (before.length >= 5 && after.length >= 3 && (after[0].equals("cgroup") || after[0].equals("cgroup2"))) {
                    mounts.add(new Mount(before[3], before[4], after[0].equals("cgroup2"), List.of(after[2].split(","))));
                }
            }
            return mounts;
        }

        boolean controls(String controller) {
            return superOptions.contains(controller);
        }
    }
}
