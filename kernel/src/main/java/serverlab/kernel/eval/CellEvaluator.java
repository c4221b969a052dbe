package serverlab.kernel.eval;

import jdk.jshell.Diag;
import jdk.jshell.ExpressionSnippet;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.VarSnippet;
import serverlab.kernel.CellRun;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * JShell, in the kernel's JVM: evaluates cells snippet by snippet, keeps the live value
 * of the last expression, and answers completion, inspection and is_complete.
 */
public final class CellEvaluator {
    /** So a notebook needs no boilerplate: the usual JDK packages; the libraries add theirs ({@link serverlab.kernel.KernelExtensions}). */
    public static final List<String> JDK_IMPORTS = List.of(
            "static serverlab.kernel.Notebook.*",   // first: it names the one snippet of all imports (importAll)
            "java.util.*", "java.util.concurrent.*", "java.util.concurrent.atomic.*", "java.util.function.*",
            "java.util.stream.*", "java.io.*", "java.nio.file.*", "java.net.*", "java.time.*");

    private final CellExecutionControl control = new CellExecutionControl();
    private final Tracebacks tracebacks = new Tracebacks();
    private final CompletableFuture<JShell> shell;
    private volatile boolean cellWaiting;

    /** {@code libraryImports}: packages the class path's libraries ask to have imported in every cell. */
    public CellEvaluator(String classpath, List<String> libraryImports, java.nio.file.Path startupScript) {
        // Building JShell and warming up javac takes a second or two: do it off the
        // critical path so kernel_info is answered at once.
        shell = CompletableFuture.supplyAsync(() -> {
            JShell jshell = create(classpath, libraryImports);
            if (startupScript != null) runStartupScript(jshell, startupScript);
            return jshell;
        });
    }

    /** A user's own imports and helpers, from the kernelspec's --startup-script; problems go to the kernel log. */
    private static void runStartupScript(JShell jshell, java.nio.file.Path script) {
        try {
            String text = java.nio.file.Files.readString(script);
            for (Snippets.Piece piece : Snippets.split(jshell.sourceCodeAnalysis(), text).pieces()) {
                for (SnippetEvent event : jshell.eval(piece.source())) {
                    if (event.status() == Snippet.Status.REJECTED || event.exception() != null) {
                        System.err.println("[serverlab] startup script " + script + ": failed at: " + piece.source().strip());
                    }
                }
            }
        } catch (java.io.IOException e) {
            System.err.println("[serverlab] cannot read startup script " + script + ": " + e.getMessage());
        }
    }

    private JShell create(String classpath, List<String> libraryImports) {
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        JShell jshell = JShell.builder()
                .executionEngine(CellExecutionControl.provider(control), java.util.Map.of())
                .in(InputStream.nullInputStream()).out(quiet).err(quiet)
                // No --release: it makes javac read ct.sym on every snippet (~3x slower, 10x the garbage).
                .compilerOptions("-proc:none")
                .build();
        serverlab.kernel.StartTrace.mark("JShell built");
        for (String entry : classpath.split(java.io.File.pathSeparator)) {
            if (!entry.isBlank()) jshell.addToClasspath(entry);
        }
        serverlab.kernel.StartTrace.mark("class path added");
        importAll(jshell, java.util.stream.Stream.concat(JDK_IMPORTS.stream(), libraryImports.stream()).toList());
        serverlab.kernel.StartTrace.mark("imports compiled");
        // The first real compile pays javac's warm-up, not the user's first cell (dropped so that %vars does not
        // list it); pointless when that cell is already waiting: it would only wait longer.
        if (!cellWaiting) jshell.eval("int serverlabWarmUp = 1 + 1;").forEach(event -> jshell.drop(event.snippet()));
        serverlab.kernel.StartTrace.mark("warm-up compiled");
        return jshell;
    }

    /**
     * Every default import in one snippet: JShell compiles each snippet it is given, and pastes an import
     * snippet's whole text into every later wrapper, so one snippet of 24 imports costs one compile instead of 24
     * (bench/kernel: the first cell's wait). The snippet is known by its first import, the kernel's own
     * {@code Notebook}, so a cell that imports {@code java.util.*} again adds to the defaults instead of
     * replacing them. If any import is refused (a library naming a package it lacks), each is added on its own
     * and the refused ones are skipped quietly.
     */
    private static void importAll(JShell jshell, List<String> packages) {
        String all = packages.stream().map(p -> "import " + p + ";").collect(java.util.stream.Collectors.joining(" "));
        List<SnippetEvent> events = jshell.eval(all);
        if (!events.isEmpty() && events.get(0).status() == Snippet.Status.VALID) return;
        events.forEach(event -> jshell.drop(event.snippet()));
        for (String pkg : packages) {
            List<SnippetEvent> one = jshell.eval("import " + pkg + ";");
            if (!one.isEmpty() && one.get(0).status() == Snippet.Status.REJECTED) jshell.drop(one.get(0).snippet());
        }
    }

    public JShell jshell() {
        return shell.join();
    }

    /** Blocks until JShell is ready; used before the first cell. */
    public void awaitReady() {
        if (!shell.isDone()) cellWaiting = true;
        shell.join();
    }

    public void interrupt(CellRun run) {
        control.interrupt(run);
    }

    public Outcome eval(String cell, CellRun run) {
        JShell jshell = jshell();
        control.beginCell(run);
        try {
            Object value = null;
            boolean hasValue = false;
            for (Snippets.Piece piece : Snippets.split(jshell.sourceCodeAnalysis(), cell).pieces()) {
                if (run.isStopRequested()) return Outcome.interrupted();
                hasValue = false;
                List<SnippetEvent> events = jshell.eval(piece.source());
                if (control.wasStopped() || run.isStopRequested()) return Outcome.interrupted();
                for (SnippetEvent event : events) {
                    Snippet snippet = event.snippet();
                    if (event.causeSnippet() != null) continue;   // an update of a dependent, not this snippet
                    tracebacks.remember(snippet.id(), run.executionCount(), Snippets.lineAt(cell, piece.offset()));
                    if (event.status() == Snippet.Status.REJECTED) {
                        List<Diag> diagnostics = jshell.diagnostics(snippet).toList();
                        jshell.drop(snippet);
                        return tracebacks.compileError(cell, piece.offset(), piece.source(), diagnostics);
                    }
                    if (event.exception() != null) {
                        dropIfTemporary(jshell, snippet);
                        return tracebacks.runtimeError(event.exception(), run.executionCount());
                    }
                    if (showsValue(snippet)) {
                        value = control.takeLastValue();
                        // System.out.printf(...) returns the stream: a call made for its output, not its value.
                        hasValue = !(value instanceof java.io.PrintStream || value instanceof java.io.PrintWriter);
                    }
                    dropIfTemporary(jshell, snippet);
                }
            }
            return hasValue ? new Outcome.Value(value) : Outcome.DONE;
        } finally {
            control.endCell(run);
        }
    }

    /**
     * An expression's value is shown, not kept as JShell's {@code $N} variable: every live
     * snippet is re-imported by each later compile, so kept temporaries made a trivial cell
     * twice as slow after 500 cells (12 -> 23 ms). The value object itself lives on.
     */
    private static void dropIfTemporary(JShell jshell, Snippet snippet) {
        if (snippet.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND) jshell.drop(snippet);
    }

    /** Expressions show their value; declarations, statements and assignments do not. */
    private static boolean shouldShow(Snippet.SubKind kind) {
        return kind == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND || kind == Snippet.SubKind.VAR_VALUE_SUBKIND
                || kind == Snippet.SubKind.OTHER_EXPRESSION_SUBKIND;
    }

    private static boolean showsValue(Snippet snippet) {
        if (!shouldShow(snippet.subKind())) return false;
        String type = snippet instanceof VarSnippet v ? v.typeName()
                : snippet instanceof ExpressionSnippet e ? e.typeName() : "void";
        return !"void".equals(type);
    }

    public void addToClasspath(String path) {
        jshell().addToClasspath(path);
    }

    // --- completion, inspection, is_complete --------------------------------------------

    public record Completion(List<String> matches, int start, int end) {}

    public Completion complete(String code, int cursor) {
        JShell jshell = jshell();
        SourceCodeAnalysis analysis = jshell.sourceCodeAnalysis();
        int snippetStart = snippetStartBefore(analysis, code, cursor);
        String snippet = code.substring(snippetStart, cursor);
        Completion completion = suggest(analysis, "", snippet, snippetStart, cursor);
        if (!completion.matches().isEmpty() || snippetStart == 0) return completion;
        // Nothing known: the name may be a variable declared earlier in this cell, not run yet.
        // Complete again after those earlier statements (parsed, never run: no side effects).
        String earlier = earlierStatements(analysis, code.substring(0, snippetStart));
        return earlier.isEmpty() ? completion : suggest(analysis, earlier, snippet, snippetStart, cursor);
    }

    private static Completion suggest(SourceCodeAnalysis analysis, String context, String snippet, int snippetStart, int cursor) {
        String text = context + snippet;
        int[] anchor = new int[1];
        List<String> matches = new ArrayList<>();
        for (SourceCodeAnalysis.Suggestion suggestion : analysis.completionSuggestions(text, text.length(), anchor)) {
            if (!matches.contains(suggestion.continuation())) matches.add(suggestion.continuation());
        }
        int start = anchor[0] - context.length();
        return start < 0 ? new Completion(List.of(), cursor, cursor) : new Completion(matches, snippetStart + start, cursor);
    }

    /**
     * The statements and variable declarations of {@code cellPrefix}, one per line. JShell completes
     * a run of statements as a method body, where methods, types and imports cannot stand.
     */
    private String earlierStatements(SourceCodeAnalysis analysis, String cellPrefix) {
        StringBuilder statements = new StringBuilder();
        String javaOnly = cellPrefix.lines().map(line -> line.stripLeading().startsWith("%") ? "" : line)
                .collect(java.util.stream.Collectors.joining("\n"));
        for (Snippets.Piece piece : Snippets.split(analysis, javaOnly).pieces()) {
            statements.append(classified(piece.source(), source -> {
                StringBuilder kept = new StringBuilder();
                for (Snippet snippet : analysis.sourceToSnippets(source)) {
                    Snippet.Kind kind = snippet.kind();
                    if (kind == Snippet.Kind.VAR || kind == Snippet.Kind.STATEMENT || kind == Snippet.Kind.EXPRESSION) {
                        String text = snippet.source().strip();
                        kept.append(text).append(text.endsWith(";") || text.endsWith("}") ? "\n" : ";\n");
                    }
                }
                return kept.toString();
            }));
        }
        return statements.toString();
    }

    private String classified(String source, java.util.function.Function<String, String> classify) {
        synchronized (statementsOf) {
            return statementsOf.computeIfAbsent(source, classify);
        }
    }

    /** Classifying a snippet costs ~5 ms and Tab is pressed again and again in one cell: remember. */
    private final java.util.Map<String, String> statementsOf = new java.util.LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<String, String> eldest) {
            return size() > 512;
        }
    };

    /** Signature and javadoc of what is under the cursor, or null when nothing is. */
    public String inspect(String code, int cursor) {
        JShell jshell = jshell();
        SourceCodeAnalysis analysis = jshell.sourceCodeAnalysis();
        int snippetStart = snippetStartBefore(analysis, code, cursor);
        // Inspect the identifier under the cursor, not only what precedes it.
        int end = cursor;
        while (end < code.length() && Character.isJavaIdentifierPart(code.charAt(end))) end++;
        String snippet = code.substring(snippetStart, end);
        List<SourceCodeAnalysis.Documentation> docs = documentation(analysis, snippet);
        if (docs.isEmpty() && snippetStart > 0) {
            // As for completion: a variable declared earlier in this cell, not run yet.
            String earlier = earlierStatements(analysis, code.substring(0, snippetStart));
            if (!earlier.isEmpty()) docs = documentation(analysis, earlier + snippet);
        }
        if (docs.isEmpty()) return null;
        StringBuilder text = new StringBuilder();
        for (SourceCodeAnalysis.Documentation doc : docs) {
            text.append(doc.signature()).append('\n');
            if (doc.javadoc() != null && !doc.javadoc().isBlank()) text.append('\n').append(doc.javadoc().strip()).append("\n\n");
        }
        return text.toString().strip();
    }

    private static List<SourceCodeAnalysis.Documentation> documentation(SourceCodeAnalysis analysis, String code) {
        List<SourceCodeAnalysis.Documentation> docs = analysis.documentation(code, code.length(), true);
        // JShell documents a method inside its call's parentheses: "Math.max" asks as "Math.max(".
        return docs.isEmpty() ? analysis.documentation(code + "(", code.length() + 1, true) : docs;
    }

    /** "complete", "incomplete" (with an indent to continue with) or "invalid". */
    public record Completeness(String status, String indent) {}

    public Completeness isComplete(String code) {
        SourceCodeAnalysis analysis = jshell().sourceCodeAnalysis();
        String remaining = code;
        while (!remaining.isBlank()) {
            SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(remaining);
            switch (info.completeness()) {
                case COMPLETE, COMPLETE_WITH_SEMI -> remaining = info.remaining();
                case EMPTY -> remaining = "";
                case DEFINITELY_INCOMPLETE, CONSIDERED_INCOMPLETE -> {
                    return new Completeness("incomplete", indentAfter(code));
                }
                default -> {
                    return new Completeness("invalid", "");
                }
            }
        }
        return new Completeness("complete", "");
    }

    private static String indentAfter(String code) {
        String lastLine = code.substring(code.lastIndexOf('\n') + 1);
        String indent = lastLine.substring(0, lastLine.length() - lastLine.stripLeading().length());
        return lastLine.strip().endsWith("{") || lastLine.strip().endsWith("(") ? indent + "    " : indent.isEmpty() ? "    " : indent;
    }

    private static int snippetStartBefore(SourceCodeAnalysis analysis, String code, int cursor) {
        int start = 0;
        String remaining = code.substring(0, cursor);
        while (!remaining.isBlank()) {
            SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(remaining);
            if (info.completeness() != SourceCodeAnalysis.Completeness.COMPLETE
                    && info.completeness() != SourceCodeAnalysis.Completeness.COMPLETE_WITH_SEMI) break;
            if (info.remaining().isBlank()) break;   // the cursor is inside the last snippet
            start += remaining.length() - info.remaining().length();
            remaining = info.remaining();
        }
        return start;
    }
}
