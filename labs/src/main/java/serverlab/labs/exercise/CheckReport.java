package serverlab.labs.exercise;

import java.util.List;
import java.util.Map;
import serverlab.labs.display.Rich;

/**
 * The outcome of {@link Check#server}: one line per check, with what was observed and,
 * for failures, what to look at. Renders as an HTML table in the notebook.
 */
public record CheckReport(String target, List<Result> results) implements Rich {

    /** One check: its name, whether it passed, what was observed, and a hint when it failed. */
    public record Result(String name, boolean passed, String observed, String hint) {
    }

    public boolean passed() {
        return results.stream().allMatch(Result::passed);
    }

    public long failures() {
        return results.stream().filter(r -> !r.passed()).count();
    }

    public String text() {
        StringBuilder sb = new StringBuilder("checks against " + target + ": "
                + (passed() ? "all passed" : failures() + " of " + results.size() + " failed") + "\n");
        for (Result r : results) {
            sb.append(r.passed() ? "  PASS  " : "  FAIL  ").append(r.name()).append(" — ").append(r.observed());
            if (!r.passed() && !r.hint().isEmpty()) {
                sb.append("\n        hint: ").append(r.hint());
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    @Override
    public Map<String, String> mimeBundle() {
        StringBuilder html = new StringBuilder("<table><caption>Checks against ").append(escape(target))
                .append(": ").append(passed() ? "all passed" : failures() + " of " + results.size() + " failed")
                .append("</caption><tr><th></th><th>check</th><th>observed</th><th>what to look at</th></tr>");
        for (Result r : results) {
            html.append("<tr><td style=\"color:").append(r.passed() ? "#2e7d32\">&#10004;" : "#c62828\">&#10008;")
                    .append("</td><td>").append(escape(r.name())).append("</td><td>").append(escape(r.observed()))
                    .append("</td><td>").append(r.passed() ? "" : escape(r.hint())).append("</td></tr>");
        }
        html.append("</table>");
        return Map.of("text/html", html.toString(), "text/plain", text());
    }

    @Override
    public String toString() {
        return text();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
