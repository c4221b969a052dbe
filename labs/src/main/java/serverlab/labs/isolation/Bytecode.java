package serverlab.labs.isolation;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.spi.ToolProvider;

/**
 * The bytecode of one method, as {@code javap -c} prints it: the abstract instruction set the JVM's interpreter runs
 * and its JIT compiles. javap is run in this JVM through {@link ToolProvider}, on the class file the class was loaded
 * from.
 *
 * <pre>{@code
 * Bytecode.of(Workloads.class, "handle")   // the handler that answers GET /hello
 * }</pre>
 */
public final class Bytecode {

    private Bytecode() {
    }

    /**
     * javap's listing of every method of {@code type} named {@code method} (each overload), private ones included.
     *
     * @throws IllegalArgumentException if {@code type} has no such method
     * @throws IllegalStateException    if this runtime has no javap (a JRE rather than a JDK) or javap fails
     */
    public static String of(Class<?> type, String method) {
        ToolProvider javap = ToolProvider.findFirst("javap").orElseThrow(() -> new IllegalStateException(
                "this Java runtime has no javap (module jdk.jdeps): run the notebook on a JDK, not a JRE"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> args = new ArrayList<>(List.of("-c", "-p"));
        location(type).ifPresent(where -> args.addAll(List.of("-cp", where)));
        args.add(type.getName());
        int status = javap.run(new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new));
        if (status != 0) {
            throw new IllegalStateException("javap " + type.getName() + " failed (" + status + "): " + err + out);
        }
        List<String> listing = methods(out.toString().lines().toList(), method);
        if (listing.isEmpty()) {
            throw new IllegalArgumentException(type.getName() + " has no method " + method);
        }
        return String.join("\n", listing) + "\n";
    }

    /**
     * The members of javap's listing named {@code method}. A member starts with its declaration, indented two spaces
     * ("  public Response handle(HttpRequest) throws …;"), and runs until the blank line before the next one.
     */
    private static List<String> methods(List<String> lines, String method) {
        List<String> kept = new ArrayList<>();
        boolean inside = false;
        for (String line : lines) {
            boolean declaration = line.startsWith("  ") && !line.startsWith("   ");
            if (declaration) {
                inside = declaration(line, method);
                if (inside && !kept.isEmpty()) {
                    kept.add("");
                }
            }
            if (inside && !line.isBlank() && !line.equals("}")) {
                kept.add(line);
            }
        }
        return kept;
    }

    /** Whether a declaration line declares a method called {@code method}: its name is the word before '('. */
    private static boolean declaration(String line, String method) {
        int paren = line.indexOf('(');
        if (paren < 0) {
            return false; // a field
        }
        String beforeParen = line.substring(0, paren);
        String name = beforeParen.substring(beforeParen.lastIndexOf(' ') + 1);
        return name.equals(method) || name.endsWith("." + method);
    }

    /** The directory or jar {@code type} was loaded from; empty for the JDK's own classes, which javap finds itself. */
    private static Optional<String> location(Class<?> type) {
        var source = type.getProtectionDomain().getCodeSource();
        if (source == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Path.of(source.getLocation().toURI()).toString());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("cannot locate the class file of " + type.getName(), e);
        }
    }
}
