package serverlab.kernel.eval;

import jdk.jshell.SourceCodeAnalysis;

import java.util.ArrayList;
import java.util.List;

/** Splits a cell into JShell snippets, remembering where each one starts in the cell. */
record Snippets(List<Piece> pieces) {
    record Piece(String source, int offset, SourceCodeAnalysis.Completeness completeness) {}

    static Snippets split(SourceCodeAnalysis analysis, String cell) {
        List<Piece> pieces = new ArrayList<>();
        int consumed = 0;
        String remaining = cell;
        while (!remaining.isBlank()) {
            SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(remaining);
            String source = info.source();
            if (info.completeness() == SourceCodeAnalysis.Completeness.EMPTY) break;
            if (source == null || info.completeness() == SourceCodeAnalysis.Completeness.DEFINITELY_INCOMPLETE
                    || info.completeness() == SourceCodeAnalysis.Completeness.CONSIDERED_INCOMPLETE) {
                // Let JShell compile the rest as one snippet: its diagnostics say what is missing.
                pieces.add(new Piece(remaining.stripLeading(), consumed + leadingBlank(remaining), info.completeness()));
                break;
            }
            // Without its leading line breaks: JShell maps a runtime error in a snippet that starts
            // with one to the snippet's first line (a loop failing on its 3rd line said line 1).
            pieces.add(new Piece(source.stripLeading(), consumed + startOf(remaining, source), info.completeness()));
            String rest = info.remaining();
            consumed += remaining.length() - rest.length();
            remaining = rest;
        }
        return new Snippets(pieces);
    }

    /** Where {@code source} (possibly with a semicolon JShell added) starts in {@code text}. */
    private static int startOf(String text, String source) {
        String probe = source.strip();
        if (probe.endsWith(";")) probe = probe.substring(0, probe.length() - 1);
        int newline = probe.indexOf('\n');
        if (newline > 0) probe = probe.substring(0, newline);
        int at = probe.isEmpty() ? -1 : text.indexOf(probe);
        return at >= 0 ? at : leadingBlank(text);
    }

    private static int leadingBlank(String text) {
        int i = 0;
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) i++;
        return i;
    }

    /** 1-based line number in {@code cell} of the character at {@code offset}. */
    static int lineAt(String cell, int offset) {
        int line = 1;
        for (int i = 0; i < Math.min(offset, cell.length()); i++) if (cell.charAt(i) == '\n') line++;
        return line;
    }
}
