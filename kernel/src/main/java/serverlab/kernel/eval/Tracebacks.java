package serverlab.kernel.eval;

import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShellException;
import jdk.jshell.UnresolvedReferenceException;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns JShell's errors into notebook tracebacks that speak of cell lines, not of
 * JShell's generated wrapper classes, and that hide the kernel's own frames.
 */
final class Tracebacks {
    private static final String RED = "\u001b[0;31m", BOLD_RED = "\u001b[1;31m", CYAN = "\u001b[0;36m", RESET = "\u001b[0m";

    /** Where a snippet lives: which cell execution, and the cell line it starts on. */
    record Place(int executionCount, int firstLine) {}

    private final Map<String, Place> places = new ConcurrentHashMap<>();

    void remember(String snippetId, int executionCount, int firstLine) {
        places.put(snippetId, new Place(executionCount, firstLine));
    }

    Outcome.Failure compileError(String cell, int snippetOffset, String snippetSource, List<Diag> diagnostics) {
        List<String> lines = new ArrayList<>();
        String first = null;
        for (Diag diag : diagnostics) {
            if (!diag.isError()) continue;
            String message = diag.getMessage(Locale.ROOT);
            if (first == null) first = message;
            long position = Math.max(0, Math.min(diag.getStartPosition(), snippetSource.length()));
            int cellOffset = snippetOffset + (int) position;
            int line = Snippets.lineAt(cell, cellOffset);
            int lineStart = cell.lastIndexOf('\n', Math.max(0, cellOffset - 1)) + 1;
            if (cellOffset > 0 && cellOffset <= cell.length() && cell.charAt(cellOffset - 1) == '\n') lineStart = cellOffset;
            int lineEnd = cell.indexOf('\n', lineStart);
            String code = cell.substring(lineStart, lineEnd < 0 ? cell.length() : lineEnd);
            int column = Math.max(0, cellOffset - lineStart);
            lines.add(BOLD_RED + "Compile error" + RESET + " at line " + line + ", column " + (column + 1) + ": " + message);
            lines.add("    " + code);
            lines.add("    " + " ".repeat(Math.min(column, code.length())) + CYAN + "^" + RESET);
            if (TEMP_VAR.matcher(code.substring(Math.min(column, code.length()))).lookingAt() && message.contains("cannot find symbol")) {
                lines.add("    This kernel shows expression values but does not keep them as $1, $2, ...: "
                        + "assign the value to a variable (var x = ...;) to use it later.");
            }
        }
        if (first == null) {
            first = "the snippet was rejected";
            lines.add(BOLD_RED + "Compile error" + RESET + ": " + first + "\n    " + snippetSource.strip());
        }
        return new Outcome.Failure("CompileError", first, lines);
    }

    private static final java.util.regex.Pattern TEMP_VAR = java.util.regex.Pattern.compile("\\$\\d+\\b");

    /** JShell's generated wrapper names ("REPL.$JShell$23.results") mean nothing to a reader. */
    private static final java.util.regex.Pattern WRAPPER = java.util.regex.Pattern.compile("REPL\\.\\$JShell\\$\\d+[A-Z]?\\.");

    static String scrub(String message) {
        return message == null ? null : WRAPPER.matcher(message).replaceAll("");
    }

    Outcome.Failure runtimeError(JShellException exception, int currentCell) {
        List<String> lines = new ArrayList<>();
        String ename = name(exception);
        String evalue = exception.getMessage() == null ? "" : scrub(exception.getMessage());
        Throwable t = exception;
        boolean first = true;
        while (t != null) {
            String name = t instanceof JShellException j ? name(j) : t.getClass().getName();
            String message = scrub(t.getMessage());
            lines.add((first ? "" : "Caused by: ") + BOLD_RED + name + RESET + (message == null ? "" : ": " + message));
            appendFrames(lines, t.getStackTrace(), currentCell);
            first = false;
            t = t.getCause();
        }
        return new Outcome.Failure(ename, evalue, lines);
    }

    private static String name(JShellException exception) {
        if (exception instanceof EvalException e) return e.getExceptionClassName();
        if (exception instanceof UnresolvedReferenceException u) return "UnresolvedReference: " + u.getSnippet().source().strip();
        return exception.getClass().getSimpleName();
    }

    private void appendFrames(List<String> out, StackTraceElement[] frames, int currentCell) {
        String previous = null;
        int repeats = 0;
        for (StackTraceElement frame : frames) {
            String text = describe(frame, currentCell);
            if (text == null) continue;
            if (text.equals(previous)) {
                repeats++;
                continue;
            }
            if (repeats > 0) out.add(RED + "    ... the frame above " + repeats + " more times" + RESET);
            repeats = 0;
            previous = text;
            out.add("    at " + text);
        }
        if (repeats > 0) out.add(RED + "    ... the frame above " + repeats + " more times" + RESET);
    }

    /** javac names a lambda "lambda$enclosing$N"; JShell's statement wrapper is "do_it$". */
    private static final java.util.regex.Pattern LAMBDA = java.util.regex.Pattern.compile("lambda\\$(.*?)\\$\\d+");

    static String readable(String method) {
        java.util.regex.Matcher lambda = LAMBDA.matcher(method);
        if (!lambda.matches()) return method;
        String enclosing = lambda.group(1);
        return enclosing.isEmpty() || enclosing.startsWith("do_it$") ? "lambda" : "lambda in " + enclosing;
    }

    /** A frame as a reader wants it, or null for frames that are plumbing. */
    private String describe(StackTraceElement frame, int currentCell) {
        String file = frame.getFileName();
        if (file != null && file.startsWith("#")) {
            Place place = places.get(file.substring(1));
            String where;
            if (place == null) where = "snippet " + file;
            else {
                int line = place.firstLine() + frame.getLineNumber() - 1;
                where = place.executionCount() == currentCell ? "line " + line : "cell [" + place.executionCount() + "], line " + line;
            }
            String method = readable(frame.getMethodName());
            String klass = frame.getClassName();
            if (method.isEmpty()) return CYAN + where + RESET;
            String owner = klass.isEmpty() ? "" : klass + ".";
            return owner + method + " (" + CYAN + where + RESET + ")";
        }
        String klass = frame.getClassName();
        if (klass.startsWith("serverlab.kernel.") || klass.startsWith("jdk.internal.reflect.")
                || klass.startsWith("java.lang.reflect.") || klass.startsWith("jdk.jshell.")
                || klass.startsWith("REPL.")) return null;
        return frame.toString();
    }
}
