package serverlab.labs.workbook;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The machine a result was measured on, as the OS describes it: a figure means little without it.
 * Recorded runs carry this description so "this run" and "the recorded run" can be compared honestly.
 */
public final class Machine {

    private Machine() {
    }

    /** Named facts: CPU model, cores, hypervisor flag, memory, kernel, OS, JDK. Missing facts read "unknown". */
    public static Map<String, String> facts() {
        Map<String, String> facts = new LinkedHashMap<>();
        List<String> cpuinfo = lines(Path.of("/proc/cpuinfo"));
        facts.put("cpu", field(cpuinfo, "model name").orElse(System.getProperty("os.arch")));
        facts.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
        facts.put("virtualized", field(cpuinfo, "flags")
                .map(flags -> List.of(flags.split(" ")).contains("hypervisor") ? "yes (hypervisor flag)" : "no hypervisor flag")
                .orElse("unknown"));
        facts.put("memory", field(lines(Path.of("/proc/meminfo")), "MemTotal")
                .map(kb -> String.format("%.1f GiB", Long.parseLong(kb.replaceAll("\\D", "")) / 1024.0 / 1024.0))
                .orElse("unknown"));
        facts.put("kernel", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        facts.put("os", lines(Path.of("/etc/os-release")).stream().filter(l -> l.startsWith("PRETTY_NAME="))
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

    private static Optional<String> field(List<String> lines, String name) {
        return lines.stream().filter(l -> l.startsWith(name)).map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst();
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException | SecurityException e) {
            return List.of();
        }
    }
}
