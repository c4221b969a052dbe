package serverlab.labs.isolation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import serverlab.labs.isolation.WhereAmI.Stack;
import serverlab.labs.workbook.Machine;
import tech.tablesaw.api.Table;

/** Where am I, on this machine and on canned /proc and /sys files of machines we do not have. */
class WhereAmITest {

    private static final String CPUINFO = """
            processor\t: 0
            vendor_id\t: %s
            model name\t: %s
            flags\t\t: fpu vme de pse tsc msr %s sse sse2

            processor\t: 1
            vendor_id\t: %1$s
            model name\t: %2$s
            flags\t\t: fpu vme de pse tsc msr %3$s sse sse2
            """;
    private static final Function<String, Optional<String>> NOT_INSTALLED = option -> Optional.empty();

    @TempDir
    Path root;

    @Test
    void thisMachine() throws Exception {
        WhereAmI here = WhereAmI.inspect();
        Table facts = here.facts();
        assertTrue(facts.rowCount() >= 15, facts.print());
        assertEquals(facts.rowCount(), facts.stringColumn("value").removeMissing().size(), "a fact without a value");

        // the cgroup version, told independently by the file system type mounted at /sys/fs/cgroup
        Process stat = new ProcessBuilder("stat", "-f", "-c", "%T", "/sys/fs/cgroup").start();
        String fsType = new String(stat.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        stat.waitFor();
        assertEquals(fsType.equals("cgroup2fs") ? "v2" : "v1", here.cgroup().version(), "/sys/fs/cgroup is " + fsType);

        boolean hypervisorFlag = Machine.local().cpuFlags().contains("hypervisor");
        assertEquals(hypervisorFlag, here.stack() != Stack.NO_VM, here.reasoning().toString());
        if (Files.exists(Path.of("/.dockerenv")) || Files.exists(Path.of("/run/.containerenv"))) {
            assertTrue(here.container(), here.reasoning().toString());
        }
        assertTrue(here.reasoning().stream().anyMatch(line -> line.startsWith("Verdict: " + here.stack().description())),
                here.reasoning().toString());
        assertTrue(here.plainText().contains(here.verdict()));
    }

    @Test
    void bareMetalLaptopWithCgroupV2() throws IOException {
        files(
                "proc/cpuinfo", CPUINFO.formatted("GenuineIntel", "Intel(R) Core(TM) i7-8650U CPU @ 1.90GHz", "vmx"),
                "proc/meminfo", "MemTotal:       16318712 kB\nMemFree:         8000000 kB\n",
                "sys/class/dmi/id/sys_vendor", "LENOVO\n",
                "sys/class/dmi/id/product_name", "20L8S2N800\n",
                "sys/devices/system/clocksource/clocksource0/available_clocksource", "tsc hpet acpi_pm \n",
                "proc/self/mountinfo", "35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate\n",
                "proc/self/cgroup", "0::/user.slice/user-1000.slice/session-2.scope\n",
                "sys/fs/cgroup/user.slice/user-1000.slice/session-2.scope/cpu.max", "max 100000\n",
                "sys/fs/cgroup/user.slice/user-1000.slice/session-2.scope/memory.max", "max\n",
                "sys/fs/cgroup/user.slice/memory.max", "8589934592\n"); // a parent's limit binds its children
        files("proc/1/cgroup", "0::/init.scope\n", "proc/1/environ", "HOME=/\0TERM=linux\0");

        WhereAmI laptop = WhereAmI.inspect(Machine.at(root), option -> Optional.of("none"));

        assertEquals(Stack.NO_VM, laptop.stack(), laptop.reasoning().toString());
        assertFalse(laptop.container(), laptop.reasoning().toString());
        assertEquals("v2", laptop.cgroup().version());
        assertTrue(laptop.cgroup().cpus().isEmpty());
        assertEquals(8L << 30, laptop.cgroup().memoryBytes().getAsLong());
        assertEquals("8,192 MiB", value(laptop, "cgroup memory limit"));
        assertEquals("vmx", value(laptop, "hardware virtualization (vmx/svm)"));
        assertEquals("2", value(laptop, "cores online"));
        assertEquals("15,936 MiB", value(laptop, "memory"));
    }

    @Test
    void dockerContainerInAGoogleCloudGuestWithCgroupV1() throws IOException {
        files(
                "proc/cpuinfo", CPUINFO.formatted("AuthenticAMD", "AMD EPYC 7B12", "hypervisor"),
                "sys/class/dmi/id/sys_vendor", "Google\n",
                "sys/class/dmi/id/product_name", "Google Compute Engine\n",
                "sys/devices/system/clocksource/clocksource0/available_clocksource", "kvm-clock tsc acpi_pm \n",
                ".dockerenv", "",
                // docker without a cgroup namespace: each mount's root is the container's group
                "proc/self/mountinfo", """
                        1200 1190 0:30 /docker/abc123 /sys/fs/cgroup/memory ro,nosuid,nodev,noexec,relatime - cgroup cgroup rw,memory
                        1201 1190 0:31 /docker/abc123 /sys/fs/cgroup/cpu,cpuacct ro,nosuid,nodev,noexec,relatime - cgroup cgroup rw,cpu,cpuacct
                        """,
                "proc/self/cgroup", "5:memory:/docker/abc123\n3:cpu,cpuacct:/docker/abc123\n",
                "sys/fs/cgroup/memory/memory.limit_in_bytes", "536870912\n",
                "sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "150000\n",
                "sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us", "100000\n",
                "proc/1/cgroup", "5:memory:/docker/abc123\n3:cpu,cpuacct:/docker/abc123\n");

        WhereAmI guest = WhereAmI.inspect(Machine.at(root), NOT_INSTALLED);

        assertEquals(Stack.GUEST_OF_TYPE1, guest.stack(), guest.reasoning().toString());
        assertTrue(guest.reasoning().stream().anyMatch(line -> line.contains("Google Compute Engine")), guest.reasoning().toString());
        assertTrue(guest.reasoning().stream().anyMatch(line -> line.contains("kvm-clock")), guest.reasoning().toString());
        assertTrue(guest.container(), guest.reasoning().toString());
        assertEquals("v1", guest.cgroup().version());
        assertFalse(guest.cgroup().hybrid());
        assertEquals(1.5, guest.cgroup().cpus().getAsDouble(), 1e-9);
        assertEquals(512L << 20, guest.cgroup().memoryBytes().getAsLong());
        assertEquals("name docker", value(guest, "pid 1's cgroups"));
        assertEquals("not installed", value(guest, "systemd-detect-virt --vm"));
    }

    @Test
    void podmanContainerInAVirtualBoxGuestWithCgroupV2Namespace() throws IOException {
        files(
                "proc/cpuinfo", CPUINFO.formatted("GenuineIntel", "Intel(R) Core(TM) i5-1135G7", "hypervisor"),
                "sys/class/dmi/id/sys_vendor", "innotek GmbH\n",
                "sys/class/dmi/id/product_name", "VirtualBox\n",
                "run/.containerenv", "engine=\"podman-4.3.1\"\n",
                "proc/1/environ", "container=podman\0HOME=/root\0",
                "proc/self/mountinfo", "900 880 0:40 / /sys/fs/cgroup ro,nosuid - cgroup2 cgroup2 rw\n",
                "proc/self/cgroup", "0::/\n",
                "sys/fs/cgroup/cpu.max", "50000 100000\n",
                "sys/fs/cgroup/memory.max", "268435456\n");

        WhereAmI guest = WhereAmI.inspect(Machine.at(root), NOT_INSTALLED);

        assertEquals(Stack.GUEST_OF_TYPE2, guest.stack(), guest.reasoning().toString());
        assertTrue(guest.container());
        assertEquals("container=podman", value(guest, "pid 1's container="));
        assertEquals(0.5, guest.cgroup().cpus().getAsDouble(), 1e-9);
        assertEquals("0.50 CPUs", value(guest, "cgroup CPU limit"));
        assertEquals(256L << 20, guest.cgroup().memoryBytes().getAsLong());
        assertEquals("no DMI tables", value(WhereAmI.inspect(Machine.at(root.resolve("nothing")), NOT_INSTALLED), "DMI sys_vendor"));
    }

    /** systemd's "qemu" is QEMU without KVM: every instruction translated in a host process, a type-2 stack. */
    @Test
    void qemuWithoutKvmIsHosted() throws IOException {
        files(
                "proc/cpuinfo", CPUINFO.formatted("AuthenticAMD", "QEMU Virtual CPU version 2.5+", "hypervisor"),
                "sys/class/dmi/id/sys_vendor", "QEMU\n",
                "sys/class/dmi/id/product_name", "Standard PC (i440FX + PIIX, 1996)\n");
        assertEquals(Stack.GUEST_UNKNOWN_TYPE, WhereAmI.inspect(Machine.at(root), NOT_INSTALLED).stack(),
                "QEMU's firmware alone does not say whether KVM runs it");
        assertEquals(Stack.GUEST_OF_TYPE2, WhereAmI.inspect(Machine.at(root),
                option -> Optional.of(option.equals("--vm") ? "qemu" : "none")).stack());
        assertEquals(Stack.GUEST_UNKNOWN_TYPE, WhereAmI.inspect(Machine.at(root),
                option -> Optional.of(option.equals("--vm") ? "kvm" : "none")).stack());
    }

    private static String value(WhereAmI where, String fact) {
        Table facts = where.facts();
        return facts.where(facts.stringColumn("fact").isEqualTo(fact)).stringColumn("value").get(0);
    }

    /** Writes canned files under the root: path, content, path, content, … */
    private void files(String... pathsAndContents) throws IOException {
        for (int i = 0; i < pathsAndContents.length; i += 2) {
            Path path = root.resolve(pathsAndContents[i]);
            Files.createDirectories(path.getParent());
            Files.writeString(path, pathsAndContents[i + 1]);
        }
    }
}
