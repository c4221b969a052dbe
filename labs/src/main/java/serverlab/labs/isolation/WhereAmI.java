package serverlab.labs.isolation;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import serverlab.labs.display.Rich;
import serverlab.labs.workbook.Machine;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Where this notebook runs, told from what the OS exposes: on the hardware, or as the guest of a hypervisor (and of
 * which type, where the evidence can tell), and whether in a container. The notes' stacks:
 *
 * <pre>
 * no VM     application / OS / hardware
 * type 1    application / guest OS / hypervisor / hardware            (Xen, Hyper-V, ESXi, a cloud's hosts)
 * type 2    application / guest OS / hypervisor / host OS / hardware  (VirtualBox, qemu on a laptop)
 * </pre>
 *
 * <pre>{@code
 * WhereAmI here = WhereAmI.inspect();
 * here.facts();      // fact, value, source
 * here.stack();      // NO_VM, GUEST_OF_TYPE1, GUEST_OF_TYPE2 or GUEST_UNKNOWN_TYPE
 * here.container();  // true in a container (docker, podman, kubernetes, …)
 * here.reasoning();  // the evidence behind the verdict, in words
 * }</pre>
 *
 * A guest sees what its hypervisor chooses to show, so every line of evidence can be hidden or faked; mainstream
 * hypervisors and container engines show it.
 */
public final class WhereAmI implements Rich {

    /** The notes' stacks: where the operating system this process runs on stands. */
    public enum Stack {
        NO_VM("no VM: this OS runs on the hardware (bare metal)"),
        GUEST_OF_TYPE1("a guest of a type-1 hypervisor, which runs on the hardware itself"),
        GUEST_OF_TYPE2("a guest of a type-2 hypervisor, which an operating system hosts"),
        GUEST_UNKNOWN_TYPE("a guest of a hypervisor whose type the evidence cannot tell");

        private final String description;

        Stack(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    /** One row of {@link #facts()}: what, its value here, and where it was read. */
    public record Fact(String fact, String value, String source) {
    }

    private static final String KVM_BLURS_THE_TYPES = "KVM blurs the two types: the hypervisor is a module of the host's"
            + " Linux kernel, on the hardware like a type 1, yet that kernel is a general-purpose OS whose user processes"
            + " (qemu, Firecracker) provide the virtual devices, like a type 2's host. A cloud host that runs nothing but"
            + " guests is called type 1, qemu on a laptop type 2, and from inside a guest the two look the same";
    private static final String CLOUD = "a cloud's hypervisor, on hosts that run nothing but guests";

    /**
     * Hypervisors a guest can recognise: by the vendor its virtual firmware (DMI) names, by systemd's name for it, or by
     * the paravirtual clock only it provides. Most specific first: a cloud's name beats "kvm", qemu's TCG beats "QEMU".
     */
    private record Hypervisor(String name, Stack stack, String why, List<String> dmiMarkers, String systemdName /* "-": none */) {
    }

    private static final List<Hypervisor> KNOWN = List.of(
            new Hypervisor("Amazon EC2 (Nitro, built on KVM)", Stack.GUEST_OF_TYPE1, CLOUD, List.of("amazon ec2"), "amazon"),
            new Hypervisor("Google Compute Engine (built on KVM)", Stack.GUEST_OF_TYPE1, CLOUD, List.of("google"), "google"),
            new Hypervisor("Microsoft Hyper-V (Azure, or Windows)", Stack.GUEST_OF_TYPE1, "Hyper-V runs on the hardware,"
                    + " with Windows itself in a privileged partition, on Azure and on a desktop alike",
                    List.of("microsoft corporation virtual machine"), "microsoft"),
            new Hypervisor("Xen", Stack.GUEST_OF_TYPE1, "Xen runs on the hardware; even its management OS (dom0) is a guest",
                    List.of("xen"), "xen"),
            new Hypervisor("a KVM cloud (OpenStack, DigitalOcean, Hetzner, Alibaba)", Stack.GUEST_OF_TYPE1, CLOUD,
                    List.of("openstack", "digitalocean", "hetzner", "alibaba cloud"), "-"),
            new Hypervisor("Oracle VirtualBox", Stack.GUEST_OF_TYPE2, "VirtualBox is an application on a host OS",
                    List.of("innotek", "virtualbox"), "oracle"),
            new Hypervisor("Parallels", Stack.GUEST_OF_TYPE2, "Parallels is an application on macOS", List.of("parallels"), "parallels"),
            new Hypervisor("VMware", Stack.GUEST_UNKNOWN_TYPE, "ESXi runs on the hardware (type 1), Workstation and Fusion"
                    + " on a host OS (type 2), and both show their guests the same virtual hardware", List.of("vmware"), "vmware"),
            new Hypervisor("QEMU emulating the CPU (TCG, no KVM)", Stack.GUEST_OF_TYPE2, "qemu translates every guest"
                    + " instruction in a process of the host OS", List.of(), "qemu"),
            new Hypervisor("KVM (with qemu, Firecracker or another VMM)", Stack.GUEST_UNKNOWN_TYPE, KVM_BLURS_THE_TYPES,
                    List.of(), "kvm"),
            new Hypervisor("QEMU (with KVM, or emulating)", Stack.GUEST_UNKNOWN_TYPE, "qemu on KVM or emulating alone is"
                    + " hosted by an OS (type 2), while clouds run it on hosts that do nothing else (type 1)", List.of("qemu"), "-"));

    /** Paravirtual clocks, each offered only by its hypervisor. */
    private static final Map<String, String> HYPERVISOR_CLOCKS = Map.of(
            "kvm-clock", "kvm", "xen", "xen", "hyperv_clocksource_tsc_page", "microsoft");

    private final List<Fact> facts = new ArrayList<>();
    private final List<String> reasoning = new ArrayList<>();
    private final Stack stack;
    private final boolean container;
    private final ProcessCgroup cgroup;

    private WhereAmI(Machine machine, Function<String, Optional<String>> detectVirt) {
        stack = judgeHypervisor(machine, detectVirt);
        container = judgeContainer(machine, detectVirt);
        cgroup = ProcessCgroup.of(machine);
        facts.add(new Fact("cgroup version", cgroup.describeVersion(), "/proc/self/mountinfo"));
        facts.add(new Fact("cgroup CPU limit", cgroup.cpus().isPresent()
                ? String.format(Locale.ROOT, "%.2f CPUs", cgroup.cpus().getAsDouble()) : "none", cgroup.cpuSource()));
        facts.add(new Fact("cgroup memory limit", cgroup.memoryBytes().isPresent()
                ? mib(cgroup.memoryBytes().getAsLong()) : "none", cgroup.memorySource()));
        facts.add(new Fact("cores online", Integer.toString(machine.processorCount()), "/proc/cpuinfo processor lines"));
        facts.add(new Fact("cores this JVM uses", Integer.toString(Runtime.getRuntime().availableProcessors()),
                "Runtime.availableProcessors() (the JVM honours a cgroup CPU limit)"));
        facts.add(new Fact("memory", machine.memoryBytes().isPresent() ? mib(machine.memoryBytes().getAsLong()) : "unknown",
                "/proc/meminfo MemTotal"));
        facts.add(new Fact("kernel", machine.firstLine("/proc/sys/kernel/osrelease").orElse("unknown"), "/proc/sys/kernel/osrelease"));
    }

    /** This machine, with {@code systemd-detect-virt}'s opinion where it is installed. */
    public static WhereAmI inspect() {
        return inspect(Machine.local(), WhereAmI::systemdDetectVirt);
    }

    /**
     * The machine whose files are {@code machine}'s, with {@code detectVirt} answering for {@code systemd-detect-virt}
     * ("--vm" or "--container" → its output; empty when not installed).
     */
    static WhereAmI inspect(Machine machine, Function<String, Optional<String>> detectVirt) {
        return new WhereAmI(machine, detectVirt);
    }

    /** The evidence, one row per fact: {@code fact}, {@code value}, {@code source}. */
    public Table facts() {
        return Table.create("where am I",
                StringColumn.create("fact", facts.stream().map(Fact::fact)),
                StringColumn.create("value", facts.stream().map(Fact::value)),
                StringColumn.create("source", facts.stream().map(Fact::source)));
    }

    public Stack stack() {
        return stack;
    }

    /** Whether this process runs in a container: its own namespaces and cgroups, on the kernel of the machine above. */
    public boolean container() {
        return container;
    }

    /** This process's control group and its limits. */
    public ProcessCgroup cgroup() {
        return cgroup;
    }

    /** The evidence behind {@link #stack()}, in words, then its verdict ("Verdict: …"), then the container evidence. */
    public List<String> reasoning() {
        return List.copyOf(reasoning);
    }

    /** One line: e.g. "a container in a guest of a hypervisor whose type the evidence cannot tell". */
    public String verdict() {
        return (container ? "a container in " : "") + stack.description();
    }

    private Stack judgeHypervisor(Machine machine, Function<String, Optional<String>> detectVirt) {
        List<String> flags = machine.cpuFlags().stream().sorted().toList();
        boolean hypervisorFlag = flags.contains("hypervisor");
        List<String> hardwareVirtualization = flags.stream().filter(f -> f.equals("vmx") || f.equals("svm")).toList();
        facts.add(new Fact("CPU", machine.cpuModel().orElse("unknown"), "/proc/cpuinfo model name"));
        facts.add(new Fact("hypervisor flag", flags.isEmpty() ? "unknown" : hypervisorFlag ? "yes" : "no", "/proc/cpuinfo flags"));
        facts.add(new Fact("hardware virtualization (vmx/svm)", hardwareVirtualization.isEmpty() ? "none"
                : String.join(" ", hardwareVirtualization), "/proc/cpuinfo flags"));

        Optional<String> vendor = machine.firstLine("/sys/class/dmi/id/sys_vendor");
        Optional<String> product = machine.firstLine("/sys/class/dmi/id/product_name");
        boolean dmiPresent = Files.isDirectory(machine.path("/sys/class/dmi/id"));
        String unreadable = dmiPresent ? "not readable" : "no DMI tables";
        facts.add(new Fact("DMI sys_vendor", vendor.orElse(unreadable), "/sys/class/dmi/id/sys_vendor"));
        facts.add(new Fact("DMI product_name", product.orElse(unreadable), "/sys/class/dmi/id/product_name"));
        String clocksFile = "/sys/devices/system/clocksource/clocksource0/available_clocksource";
        List<String> clocks = machine.firstLine(clocksFile).map(c -> List.of(c.split("\\s+"))).orElse(List.of());
        facts.add(new Fact("clock sources", clocks.isEmpty() ? "unknown" : String.join(" ", clocks), clocksFile));
        long virtio = count(machine, "/sys/bus/virtio/devices");
        facts.add(new Fact("virtio devices", Long.toString(virtio), "/sys/bus/virtio/devices"));
        Optional<String> systemdVm = detectVirt.apply("--vm");
        facts.add(new Fact("systemd-detect-virt --vm", systemdVm.orElse("not installed"), "systemd-detect-virt --vm"));
        List<String> kvmModules = list(machine, "/sys/module").filter(m -> m.startsWith("kvm")).sorted().toList();
        Optional<Boolean> kvmUsable = kvmUsable(machine);
        facts.add(new Fact("/dev/kvm", kvmUsable.map(usable -> usable ? "present, opens read-write" : "present, not usable by this user")
                .orElse("absent") + (kvmModules.isEmpty() ? "" : " (modules: " + String.join(", ", kvmModules) + ")"),
                "/dev/kvm, /sys/module/kvm*"));

        String dmi = (vendor.orElse("") + " " + product.orElse("")).toLowerCase(Locale.ROOT);
        Optional<String> clockHypervisor = clocks.stream().filter(HYPERVISOR_CLOCKS::containsKey).findFirst();
        Optional<Hypervisor> byDmi = KNOWN.stream().filter(h -> h.dmiMarkers().stream().anyMatch(dmi::contains)).findFirst();
        Optional<Hypervisor> hypervisor = KNOWN.stream().filter(h -> byDmi.equals(Optional.of(h))
                || systemdVm.equals(Optional.of(h.systemdName()))
                || clockHypervisor.map(HYPERVISOR_CLOCKS::get).equals(Optional.of(h.systemdName()))).findFirst();

        reasoning.add(flags.isEmpty() ? "/proc/cpuinfo lists no CPU flags here, so the hypervisor flag cannot be read."
                : hypervisorFlag ? "The CPU reports the hypervisor flag (/proc/cpuinfo): a hypervisor sets that CPUID bit for"
                        + " its guests, so this OS is a guest."
                : "No hypervisor flag in /proc/cpuinfo: no hypervisor says it is underneath (mainstream ones do; one could hide).");
        reasoning.add(vendor.isPresent() || product.isPresent()
                ? "The firmware's DMI tables name the machine '" + vendor.orElse("?") + " " + product.orElse("?") + "'"
                        + byDmi.map(h -> ": that is " + h.name() + ".").orElse(", not a hypervisor this lab knows.")
                : dmiPresent ? "The DMI tables are not readable here (/sys/class/dmi/id)."
                : "There are no DMI tables (/sys/class/dmi/id): the firmware gives none, as on minimal VMMs such as"
                        + " Firecracker and on most ARM boards.");
        clockHypervisor.ifPresent(c -> reasoning.add("The kernel offers the " + c + " clock source: a paravirtual clock,"
                + " which only a " + HYPERVISOR_CLOCKS.get(c) + " hypervisor provides."));
        if (virtio > 0) {
            reasoning.add(virtio + " virtio devices: paravirtual devices, whose drivers know they talk to a hypervisor.");
        }
        systemdVm.ifPresent(name -> reasoning.add("systemd-detect-virt --vm says " + name + "."));
        reasoning.add(hardwareVirtualization.isEmpty()
                ? "No vmx/svm flag: this OS is not offered hardware-assisted virtualization"
                        + (hypervisorFlag ? " (its hypervisor does not pass it on to guests)." : ".")
                : "The " + hardwareVirtualization.get(0) + " flag: this OS can run hardware-assisted guests of its own"
                        + (hypervisorFlag ? " (nested virtualization)." : "."));
        if (kvmUsable.orElse(false)) {
            reasoning.add("/dev/kvm opens read-write: this OS can host KVM guests itself"
                    + (kvmModules.contains("kvm_pvm") ? ", through kvm_pvm, which does without vmx/svm by switching page"
                            + " tables in software (made for guests nested in a cloud VM)." : "."));
        }

        boolean guest = hypervisorFlag || hypervisor.isPresent();
        if (!guest) {
            reasoning.add("Verdict: " + Stack.NO_VM.description() + ".");
            return Stack.NO_VM;
        }
        Stack verdict = hypervisor.map(Hypervisor::stack).orElse(Stack.GUEST_UNKNOWN_TYPE);
        reasoning.add("Verdict: " + verdict.description() + hypervisor.map(h -> ": " + h.name() + ". " + capitalized(h.why()) + ".")
                .orElse(": nothing here names the hypervisor."));
        return verdict;
    }

    private boolean judgeContainer(Machine machine, Function<String, Optional<String>> detectVirt) {
        List<String> markers = new ArrayList<>();
        boolean dockerenv = Files.exists(machine.path("/.dockerenv"));
        boolean containerenv = Files.exists(machine.path("/run/.containerenv"));
        facts.add(new Fact("/.dockerenv", dockerenv ? "present" : "absent", "docker creates it in each container"));
        facts.add(new Fact("/run/.containerenv", containerenv ? "present" : "absent", "podman creates it in each container"));
        if (dockerenv) markers.add("/.dockerenv exists (docker)");
        if (containerenv) markers.add("/run/.containerenv exists (podman)");

        Optional<String> engineInCgroups = machine.lines("/proc/1/cgroup").stream()
                .flatMap(line -> Stream.of("docker", "kubepods", "containerd", "libpod", "lxc").filter(line::contains))
                .findFirst();
        facts.add(new Fact("pid 1's cgroups", engineInCgroups.map(e -> "name " + e).orElse(
                machine.lines("/proc/1/cgroup").isEmpty() ? "not readable" : "no container engine named"), "/proc/1/cgroup"));
        engineInCgroups.ifPresent(e -> markers.add("pid 1's cgroup paths name " + e));

        Optional<String> environ = machine.text("/proc/1/environ");
        Optional<String> containerVariable = environ.flatMap(env -> Arrays.stream(env.split("\0"))
                .filter(v -> v.startsWith("container=")).findFirst());
        facts.add(new Fact("pid 1's container=", containerVariable.orElse(environ.isPresent() ? "not set" : "not readable"),
                "/proc/1/environ (podman, systemd-nspawn and LXC set it)"));
        containerVariable.ifPresent(v -> markers.add("pid 1's environment has " + v));

        Optional<String> systemdContainer = detectVirt.apply("--container");
        facts.add(new Fact("systemd-detect-virt --container", systemdContainer.orElse("not installed"), "systemd-detect-virt --container"));
        systemdContainer.filter(c -> !c.equals("none")).ifPresent(c -> markers.add("systemd-detect-virt --container says " + c));

        boolean inContainer = !markers.isEmpty();
        reasoning.add(inContainer
                ? "Container: " + String.join("; ", markers) + ". So this process runs in a container: its own namespaces and"
                        + " cgroups on the same kernel as the machine's other processes; a container is not a VM."
                : "No container markers (/.dockerenv, /run/.containerenv, pid 1's cgroups and environment"
                        + (systemdContainer.isPresent() ? ", systemd-detect-virt" : "") + "): not in a container, as far as"
                        + " these show.");
        return inContainer;
    }

    /** Whether {@code /dev/kvm} opens read-write (empty: there is none). Whether a VM can be created takes an ioctl. */
    private static Optional<Boolean> kvmUsable(Machine machine) {
        if (!Files.exists(machine.path("/dev/kvm"))) {
            return Optional.empty();
        }
        try (FileChannel ignored = FileChannel.open(machine.path("/dev/kvm"), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return Optional.of(true);
        } catch (IOException | SecurityException | UnsupportedOperationException e) {
            return Optional.of(false);
        }
    }

    private static long count(Machine machine, String dir) {
        return list(machine, dir).count();
    }

    private static Stream<String> list(Machine machine, String dir) {
        try (Stream<java.nio.file.Path> entries = Files.list(machine.path(dir))) {
            return entries.map(p -> p.getFileName().toString()).toList().stream();
        } catch (IOException | SecurityException e) {
            return Stream.empty();
        }
    }

    /** systemd-detect-virt's answer to {@code option}; empty when it is not installed or does not answer in 5 s. */
    private static Optional<String> systemdDetectVirt(String option) {
        try {
            Process p = new ProcessBuilder("systemd-detect-virt", option).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.empty();
            }
            return out.isEmpty() ? Optional.empty() : Optional.of(out); // exit status 1 with "none": nothing detected
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%,.0f MiB", bytes / 1024.0 / 1024.0);
    }

    private static String capitalized(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    @Override
    public Map<String, String> mimeBundle() {
        StringBuilder text = new StringBuilder("Where am I? " + verdict() + "\n");
        for (Fact f : facts) {
            text.append(String.format(Locale.ROOT, "  %-34s %s   [%s]%n", f.fact(), f.value(), f.source()));
        }
        reasoning.forEach(r -> text.append("  - ").append(r).append('\n'));
        String rows = facts.stream().map(f -> "<tr><td>" + html(f.fact()) + "</td><td>" + html(f.value()) + "</td><td><code>"
                + html(f.source()) + "</code></td></tr>").collect(Collectors.joining());
        String reasons = reasoning.stream().map(r -> "<li>" + html(r) + "</li>").collect(Collectors.joining());
        return Map.of("text/plain", text.toString(), "text/html", "<p><b>Where am I?</b> " + html(verdict()) + "</p>"
                + "<table><tr><th>fact</th><th>value</th><th>source</th></tr>" + rows + "</table><ul>" + reasons + "</ul>");
    }

    private static String html(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    @Override
    public String toString() {
        return plainText();
    }
}
