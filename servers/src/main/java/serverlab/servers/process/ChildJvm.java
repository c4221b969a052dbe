package serverlab.servers.process;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Starts a child JVM running {@code mainClass} with the same java binary and class path as this JVM.
 * The child's stdin and stdout are pipes to the parent (the parent-liveness and command channel);
 * its stderr is inherited so worker errors show up where the parent's do.
 */
public final class ChildJvm {

    /** Flags that make a short-lived JVM start fast: C1 only, serial GC, shared class data, no perf file. */
    public static final List<String> FAST_START = List.of(
            "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData",
            "-Xms8m", "-Xmx64m", "-Xss512k");

    /** Flags for long-lived workers: small heap, serial GC (one GC thread per worker, as the machine has few cores). */
    public static final List<String> WORKER = List.of(
            "-Xshare:auto", "-XX:+UseSerialGC", "-Xms16m", "-Xmx128m", "-XX:-UsePerfData");

    private ChildJvm() {
    }

    /** Starts the child; a worker a {@link MultiProcessServer} starts with a shared listener inherits it ({@link SharedListener}). */
    public static Process start(List<String> jvmOptions, Class<?> mainClass, List<String> args) throws IOException {
        return SharedListener.start(command(jvmOptions, mainClass, args));
    }

    public static ProcessBuilder command(List<String> jvmOptions, Class<?> mainClass, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(javaBinary());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classPath(mainClass));
        command.add(mainClass.getName());
        command.addAll(args);
        return new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .redirectOutput(ProcessBuilder.Redirect.PIPE)
                .redirectError(ProcessBuilder.Redirect.INHERIT);
    }

    /** The binary this JVM was started with, so children run the same JDK version. */
    static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /**
     * This JVM's class path, plus the location {@code mainClass} was loaded from: in a notebook kernel the
     * servers jar may have been added at run time and be missing from {@code java.class.path}.
     */
    static String classPath(Class<?> mainClass) {
        Set<String> entries = new LinkedHashSet<>(List.of(System.getProperty("java.class.path").split(File.pathSeparator)));
        try {
            var source = mainClass.getProtectionDomain().getCodeSource();
            if (source != null) {
                entries.add(Path.of(source.getLocation().toURI()).toString());
            }
        } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
            // keep java.class.path alone; the child reports ClassNotFoundException on stderr if it is not enough
        }
        entries.remove("");
        return String.join(File.pathSeparator, entries);
    }
}
