package serverlab.labs.workbook;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The machine a result was measured on, as the OS describes it: a figure means little without it.
 * Recorded runs carry this description so "this run" and "the recorded run" can be compared honestly.
 *
 * <p>An instance reads the OS's files ({@code /proc}, {@code /sys}, {@code /etc}) under a root: {@link #local()}
 * is this machine; {@link #at} is a directory of canned files, so what is read from them can be tested for
 * machines we do not have (a bare-metal server, a cloud guest, a container).
 */
public final class Machine {

    private static final Machine LOCAL = new Machine(Path.of("/"));

    private final Path root;

    private Machine(Path root) {
        this.root = root;
    }

    /** This machine. */
    public static Machine local() {
        return LOCAL;
    }

    /** The machine whose files are under {@code root}: {@code root/proc/cpuinfo} is its {@code /proc/cpuinfo}. */
    public static Machine at(Path root) {
        return new Machine(root);
    }

    /** Named facts: CPU model, cores, hypervisor flag, memory, kernel, OS, JDK. Missing facts read "unknown". */
    public static Map<String, String> facts() {
        Machine m = local();
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("cpu", m.cpuModel().orElse(System.getProperty("os.arch")));
        facts.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
        facts.put("virtualized", m.cpuFlags().isEmpty() ? "unknown"
                : m.cpuFlags().contains("hypervisor") ? "yes (hypervisor flag)" : "no hypervisor flag");
        facts.put("memory", m.memoryBytes().stream()
                .mapToObj(bytes -> String.format("%.1f GiB", bytes / 1024.0 / 1024.0 / 1024.0)).findFirst().orElse("unknown"));
        facts.put("kernel", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        facts.put("os", m.lines("/etc/os-release").stream().filter(l -> l.startsWith("PRETTY_NAME="))
                .map(l -> l.substring("PRETTY_NAME=".length()).replace("\"", "")).findFirst().orElse("unknown"));
        facts.put("jdk", Runtime.version().toString());
        return facts;
    }

    /** One line, e.g. {@code "2 cores (AMD EPYC 7B13, virtualized), 23.5 GiB, Linux 6.1, JDK 25+36"}. */
    public static String describe() {
        Map<String, String> f = facts();
        return f.get("cores") + " cores (" + f.get("cpu") + (f.get("virtualized").startsWith("yes") ? ", virtualized" : "")
                + "), " + f.get("memory") + ", " + f.get("os") + ", " + f.get("kernel") + ", JDK " + f.get("jdk");
    }

    /** The CPU's model name from {@code /proc/cpuinfo} (x86; ARM kernels may not give one). */
    public Optional<String> cpuModel() {
        return field("/proc/cpuinfo", "model name");
    }

    /** The first CPU's feature flags from {@code /proc/cpuinfo}: {@code hypervisor}, {@code vmx}, {@code svm}, …; empty if unreadable. */
    public Set<String> cpuFlags() {
        return field("/proc/cpuinfo", "flags").map(flags -> Set.of(flags.split("\\s+"))).orElse(Set.of());
    }

    /** Processors the kernel lists in {@code /proc/cpuinfo} (online CPUs, whatever this process may use). */
    public int processorCount() {
        return (int) lines("/proc/cpuinfo").stream().filter(l -> l.startsWith("processor")).count();
    }

    /** MemTotal from {@code /proc/meminfo}, in bytes. */
    public OptionalLong memoryBytes() {
        return field("/proc/meminfo", "MemTotal").map(kb -> OptionalLong.of(Long.parseLong(kb.replaceAll("\\D", "")) * 1024))
                .orElse(OptionalLong.empty());
    }

    /** The value of the first {@code name: value} line of {@code file} (the layout of cpuinfo, meminfo, status). */
    public Optional<String> field(String file, String name) {
        return lines(file).stream().filter(l -> l.startsWith(name)).map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst();
    }

    /** The first line of {@code file}, trimmed; empty if it is missing, unreadable or blank (one-value files in /sys). */
    public Optional<String> firstLine(String file) {
        return lines(file).stream().findFirst().map(String::trim).filter(s -> !s.isEmpty());
    }

    /** The lines of {@code file}, an absolute path on this machine; empty if it is missing or unreadable. */
    public List<String> lines(String file) {
        return text(file).map(text -> text.lines().toList()).orElse(List.of());
    }

    /** The whole of {@code file}; empty if it is missing or unreadable (another user's process in /proc). */
    public Optional<String> text(String file) {
        try {
            return Optional.of(Files.readString(path(file)));
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }

    /** Where {@code file}, an absolute path on this machine, is: under the root. */
    public Path path(String file) {
        return root.resolve(file.startsWith("/") ? file.substring(1) : file);
    }
}
