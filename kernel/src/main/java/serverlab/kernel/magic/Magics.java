package serverlab.kernel.magic;

import jdk.jshell.JShell;
import serverlab.kernel.CellRun;
import serverlab.kernel.Notebook;
import serverlab.kernel.eval.CellEvaluator;
import serverlab.kernel.eval.Outcome;
import serverlab.kernel.io.BackgroundOutput;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Line magics, registered by name. A line of a cell that starts with {@code %} is a
 * magic; the Java between magic lines runs as usual. Cell magics on the first line take the
 * whole cell: {@code %%time} times it, {@code %%html}, {@code %%markdown}, {@code %%javascript},
 * {@code %%latex} and {@code %%svg} show it as that content.
 */
public final class Magics {
    /** A magic: takes the rest of its line, may print, may produce a value to show. */
    @FunctionalInterface
    public interface Magic {
        Outcome run(String args, CellRun run) throws Exception;
    }

    private record Entry(Magic magic, String usage) {}

    /** Cell magics that show the cell's text as content of one MIME type. */
    private static final Map<String, String> CONTENT_MAGICS = Map.of(
            "html", "text/html", "markdown", "text/markdown", "javascript", "application/javascript",
            "js", "application/javascript", "latex", "text/latex", "svg", "image/svg+xml");

    private final Map<String, Entry> magics = new LinkedHashMap<>();
    private final CellEvaluator evaluator;
    private final List<String> addedClasspath = new ArrayList<>();

    public Magics(CellEvaluator evaluator, BackgroundOutput background) {
        this.evaluator = evaluator;
        register("maven", "%maven group:artifact:version   resolve an artifact and its dependencies from Maven (honours ~/.m2/settings.xml) and add them to the classpath", this::maven);
        register("classpath", "%classpath [path ...]   show the classpath, or add jars / directories to it", this::classpath);
        register("load", "%load file.jsh   run a file of Java snippets in this kernel", this::load);
        register("time", "%time <code>   run code and print its wall time; %%time on a cell's first line times the whole cell", this::time);
        register("background", "%background [lines]   show output printed by threads whose cell has finished (servers, pools); it never lands in another cell. Full log: " + background.logFile(), (args, run) -> {
            int n = args.isBlank() ? 50 : Integer.parseInt(args.strip());
            String tail = background.tail(n);
            System.out.print(tail.isEmpty() ? "(no background output yet)\n" : tail);
            System.out.println("(" + background.totalLines() + " lines in all; full log: " + background.logFile() + ")");
            return Outcome.DONE;
        });
        register("vars", "%vars   list the variables defined so far, with their types and values", (args, run) -> new Outcome.Value(variables()));
        register("help", "%help   list the magics", (args, run) -> {
            System.out.println("ServerLab kernel magics:");
            magics.values().forEach(e -> System.out.println("  " + e.usage));
            System.out.println("Cell magics (first line of a cell): %%time, and %%html, %%markdown, %%javascript (or %%js), %%latex,"
                    + " %%svg, which show the rest of the cell as that content.");
            System.out.println("\nIn every cell: display(obj), updateDisplay(id, obj), clearOutput(), input(prompt), password(prompt)"
                    + " (System.in reads ask too); servers.*, labs.*, Tablesaw and XChart are imported.");
            return Outcome.DONE;
        });
    }

    public void register(String name, String usage, Magic magic) {
        magics.put(name, new Entry(magic, usage));
    }

    /** The names of the line magics and the cell magics, for completion. */
    public List<String> names() {
        List<String> names = new ArrayList<>();
        magics.keySet().forEach(name -> names.add("%" + name));
        names.add("%%time");
        CONTENT_MAGICS.keySet().stream().sorted().forEach(name -> names.add("%%" + name));
        return names;
    }

    /** Runs a cell: magic lines as magics, the Java in between through JShell. */
    public Outcome runCell(String cell, CellRun run) throws Exception {
        if (cell.startsWith("%%")) {
            int newline = cell.indexOf('\n');
            String name = (newline < 0 ? cell : cell.substring(0, newline)).substring(2).strip();
            String body = newline < 0 ? "" : cell.substring(newline + 1);
            if (name.equals("time")) return timed(() -> runCell(body, run));
            String type = CONTENT_MAGICS.get(name);
            if (type == null) {
                return new Outcome.Failure("UnknownMagic", "%%" + name, List.of("Unknown cell magic %%" + name
                        + ". Known: %%time, " + String.join(", ", CONTENT_MAGICS.keySet().stream().sorted().map(k -> "%%" + k).toList())));
            }
            Notebook.display(body, type);
            return Outcome.DONE;
        }
        Outcome last = Outcome.DONE;
        String[] lines = cell.split("\n", -1);
        StringBuilder java = new StringBuilder();
        int javaFirstLine = 0;
        for (int i = 0; i < lines.length; i++) {
            if (!lines[i].startsWith("%")) {
                java.append(lines[i]).append('\n');
                continue;
            }
            if (!java.toString().isBlank()) {
                last = evaluator.eval(keepLineNumbers(javaFirstLine, java), run);
                if (last instanceof Outcome.Failure) return last;
            }
            java.setLength(0);
            javaFirstLine = i + 1;
            last = runMagic(lines[i].substring(1), run);
            if (last instanceof Outcome.Failure) return last;
        }
        if (!java.toString().isBlank()) last = evaluator.eval(keepLineNumbers(javaFirstLine, java), run);
        return last;
    }

    /** Blank lines in front so that errors name the line of the whole cell. */
    private static String keepLineNumbers(int firstLine, CharSequence java) {
        return "\n".repeat(firstLine) + java;
    }

    private Outcome runMagic(String line, CellRun run) throws Exception {
        String name = line.split("\\s+", 2)[0];
        String args = line.length() > name.length() ? line.substring(name.length()).strip() : "";
        Entry entry = magics.get(name);
        if (entry == null) {
            return new Outcome.Failure("UnknownMagic", "%" + name,
                    List.of("Unknown magic %" + name + ". Known: " + String.join(", ", magics.keySet().stream().map(k -> "%" + k).toList()) + " (see %help)"));
        }
        try {
            return entry.magic.run(args, run);
        } catch (IllegalArgumentException | IOException e) {
            return new Outcome.Failure(e.getClass().getSimpleName(), String.valueOf(e.getMessage()),
                    List.of("%" + name + ": " + e.getMessage(), "usage: " + entry.usage));
        }
    }

    private Outcome maven(String args, CellRun run) throws Exception {
        if (args.isBlank()) throw new IllegalArgumentException("expected group:artifact:version");
        for (String coordinates : args.split("\\s+")) {
            List<Path> jars = MavenResolver.resolve(coordinates);
            for (Path jar : jars) addToClasspath(jar.toString());
            System.out.println("Added " + coordinates + " (" + jars.size() + " jar" + (jars.size() == 1 ? "" : "s") + ") to the classpath");
        }
        return Outcome.DONE;
    }

    private Outcome classpath(String args, CellRun run) {
        if (args.isBlank()) {
            System.out.println("Kernel classpath:");
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) System.out.println("  " + entry);
            if (!addedClasspath.isEmpty()) {
                System.out.println("Added in this session:");
                addedClasspath.forEach(entry -> System.out.println("  " + entry));
            }
            return Outcome.DONE;
        }
        for (String entry : args.split("\\s+")) {
            Path path = Path.of(entry).toAbsolutePath();
            if (!Files.exists(path)) throw new IllegalArgumentException("no such file or directory: " + path);
            addToClasspath(path.toString());
            System.out.println("Added " + path + " to the classpath");
        }
        return Outcome.DONE;
    }

    private void addToClasspath(String entry) {
        evaluator.addToClasspath(entry);
        addedClasspath.add(entry);
    }

    private Outcome load(String args, CellRun run) throws Exception {
        if (args.isBlank()) throw new IllegalArgumentException("expected a file name");
        Path file = Path.of(args.strip());
        if (!Files.isReadable(file)) throw new IllegalArgumentException("cannot read " + file.toAbsolutePath());
        return runCell(Files.readString(file), run);
    }

    /** One row per variable JShell knows: name, declared type, and its value as JShell prints it (shortened). */
    private Table variables() {
        JShell jshell = evaluator.jshell();
        StringColumn names = StringColumn.create("name");
        StringColumn types = StringColumn.create("type");
        StringColumn values = StringColumn.create("value");
        jshell.variables().filter(v -> jshell.status(v).isActive()).forEach(variable -> {
            names.append(variable.name());
            types.append(variable.typeName());
            String value;
            try {
                value = jshell.varValue(variable);
            } catch (IllegalArgumentException | IllegalStateException e) {
                value = "(no value: " + jshell.status(variable) + ")";
            }
            values.append(value.length() > VALUE_WIDTH ? value.substring(0, VALUE_WIDTH - 1) + "…" : value);
        });
        return Table.create("variables", names, types, values);
    }

    private static final int VALUE_WIDTH = 100;

    private Outcome time(String args, CellRun run) throws Exception {
        return timed(() -> evaluator.eval(args, run));
    }

    private interface Body {
        Outcome run() throws Exception;
    }

    private static Outcome timed(Body body) throws Exception {
        long start = System.nanoTime();
        Outcome outcome = body.run();
        double ms = (System.nanoTime() - start) / 1e6;
        System.out.printf("Wall time: %.2f ms%n", ms);
        return outcome;
    }
}
