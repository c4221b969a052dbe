package serverlab.labs.isolation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both cgroup versions, on stand-in trees of the files the kernel shows (this machine has only one version, and
 * the real tree needs root): what is written to set the limits, and how limits and OOM kills are read back.
 */
class ControlGroupTest {

    @Test
    void v2WritesCpuMaxAndMemoryMaxAndHandsTheControllersDown(@TempDir Path root) throws IOException {
        Files.writeString(root.resolve("cgroup.controllers"), "cpuset cpu io memory pids\n");
        Files.writeString(root.resolve("cgroup.subtree_control"), "cpuset\n");

        ControlGroup group = ControlGroup.create(root, "box", 0.5, 256L << 20);

        assertEquals("+cpu +memory", Files.readString(root.resolve("cgroup.subtree_control")));
        assertEquals("50000 100000", Files.readString(root.resolve("box/cpu.max")));
        assertEquals(Long.toString(256L << 20), Files.readString(root.resolve("box/memory.max")));
        assertEquals(0.5, group.cpuLimit());
        assertEquals(256L << 20, group.memoryLimit());
        assertEquals(List.of(root.resolve("box/cgroup.procs")), group.procsFiles());
    }

    @Test
    void v2ReadsNoLimitAndOomKills(@TempDir Path root) throws IOException {
        Files.writeString(root.resolve("cgroup.controllers"), "cpu memory\n");
        Path box = Files.createDirectories(root.resolve("libpod_parent/libpod-1"));
        Files.writeString(box.resolve("cpu.max"), "max 100000\n");
        Files.writeString(box.resolve("memory.max"), "max\n");
        Files.writeString(box.resolve("memory.events"), "low 0\nhigh 0\nmax 7\noom 2\noom_kill 2\noom_group_kill 0\n");

        ControlGroup group = ControlGroup.of(root, "libpod_parent/libpod-1");

        assertEquals(Double.POSITIVE_INFINITY, group.cpuLimit());
        assertEquals(Long.MAX_VALUE, group.memoryLimit());
        assertEquals(2, group.oomKills());
    }

    @Test
    void v1WritesQuotaPeriodAndLimitInTwoHierarchies(@TempDir Path root) throws IOException {
        Files.createDirectories(root.resolve("cpu"));
        Path memory = Files.createDirectories(root.resolve("memory"));

        ControlGroup group = ControlGroup.create(root, "box", 2, 512L << 20);

        assertEquals("100000", Files.readString(root.resolve("cpu/box/cpu.cfs_period_us")));
        assertEquals("200000", Files.readString(root.resolve("cpu/box/cpu.cfs_quota_us")));
        assertEquals(Long.toString(512L << 20), Files.readString(memory.resolve("box/memory.limit_in_bytes")));
        assertEquals(2.0, group.cpuLimit());
        assertEquals(List.of(root.resolve("cpu/box/cgroup.procs"), memory.resolve("box/cgroup.procs")), group.procsFiles());

        Files.writeString(root.resolve("cpu/box/cpu.cfs_quota_us"), "-1\n");
        Files.writeString(memory.resolve("box/memory.limit_in_bytes"), "9223372036854771712\n"); // v1's "unlimited"
        Files.writeString(memory.resolve("box/memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n");
        assertEquals(Double.POSITIVE_INFINITY, group.cpuLimit());
        assertEquals(Long.MAX_VALUE, group.memoryLimit());
        assertEquals(3, group.oomKills());
    }
}
