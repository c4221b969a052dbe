package serverlab.kernel.display;

import org.HdrHistogram.AbstractHistogram;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.internal.chartpart.Chart;
import serverlab.kernel.widgets.Widget;
import serverlab.labs.display.Rich;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.NumberColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

import javax.imageio.ImageIO;
import java.awt.image.RenderedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Array;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns cell results into Jupyter MIME bundles ({@code data} of {@code execute_result} and
 * {@code display_data}). Every bundle contains {@code "text/plain"}; binary images are base64
 * without line breaks, as the notebook format expects.
 */
public final class Renderers {

    static {
        // Rendering charts must never try to open a display (and fail on a server without X).
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    public static final String TEXT = "text/plain";
    public static final String HTML = "text/html";
    public static final String PNG = "image/png";
    public static final String SVG = "image/svg+xml";

    /** Tables longer than this show their first and last {@code maxRows / 2} rows. */
    public static volatile int maxRows = 50;
    /** Collections, maps and arrays longer than this show only their first {@code maxItems} elements. */
    public static volatile int maxItems = 100;

    private Renderers() {
    }

    /** The default representation(s) of {@code value}, e.g. PNG for a chart, HTML for a table. */
    public static Map<String, Object> render(Object value) {
        return render(value, new String[0]);
    }

    /**
     * Only the requested MIME types (those this value supports) plus {@code "text/plain"}, e.g.
     * {@code render(chart, "image/svg+xml")}. No types means the value's defaults.
     */
    public static Map<String, Object> render(Object value, String... mimeTypes) {
        Set<String> requested = new LinkedHashSet<>(Arrays.asList(mimeTypes));
        Map<String, Object> bundle = new LinkedHashMap<>();
        try {
            bundle.putAll(renderSpecific(value, requested));
        } catch (Exception | LinkageError | AssertionError e) {
            // A broken renderer (or a broken toString()) must not turn a successful cell into an error.
            bundle.clear();
            bundle.put(TEXT, safeToString(value) + "\n[" + describe(value) + " could not be rendered: " + e + "]");
            return bundle;
        }
        if (!requested.isEmpty()) bundle.keySet().retainAll(withText(requested));
        if (!bundle.containsKey(TEXT)) bundle.put(TEXT, plainTextOrFallback(value));
        return bundle;
    }

    /**
     * Display metadata for images, {@code {"image/png": {"width": w, "height": h}}}, so the
     * front end reserves the right space; empty for values that are not images.
     */
    public static Map<String, Object> metadata(Object value) {
        int width;
        int height;
        if (value instanceof Chart<?, ?> chart) {
            width = chart.getWidth();
            height = chart.getHeight();
        } else if (value instanceof RenderedImage image) {
            width = image.getWidth();
            height = image.getHeight();
        } else {
            return Map.of();
        }
        Map<String, Object> size = Map.of("width", width, "height", height);
        return Map.of(PNG, size);
    }

    // --- dispatch: most specific type first ---

    private static Map<String, ?> renderSpecific(Object value, Set<String> requested) throws IOException {
        if (value instanceof Widget widget) return widget.mimeBundle();
        if (value instanceof Rich rich) return richBundle(rich);
        if (value instanceof CharSequence source && !requested.isEmpty()) return sourceBundle(source.toString(), requested);
        if (value instanceof Table table) return tableBundle(table);
        if (value instanceof Chart<?, ?> chart) return chartBundle(chart, requested);
        if (value instanceof RenderedImage image) return Map.of(PNG, pngBase64(image),
                TEXT, image.getClass().getSimpleName() + " " + image.getWidth() + "×" + image.getHeight());
        if (value instanceof AbstractHistogram histogram) return histogramBundle(histogram);
        return Map.of(TEXT, plainText(value));
    }

    /**
     * A string that already is the content of the requested types, e.g. {@code display("<b>x</b>", "text/html")} or
     * {@code display(md, "text/markdown")}; consoles and logs get the same text as {@code text/plain}.
     */
    private static Map<String, String> sourceBundle(String source, Set<String> requested) {
        Map<String, String> bundle = new LinkedHashMap<>();
        for (String type : requested) bundle.put(type, source);
        bundle.putIfAbsent(TEXT, source);
        return bundle;
    }

    private static Map<String, String> richBundle(Rich rich) {
        Map<String, String> bundle = new LinkedHashMap<>(rich.mimeBundle());
        bundle.values().removeIf(v -> v == null);
        return bundle;
    }

    private static Set<String> withText(Set<String> requested) {
        Set<String> kept = new LinkedHashSet<>(requested);
        kept.add(TEXT);
        return kept;
    }

    private static String plainTextOrFallback(Object value) {
        try {
            return plainText(value);
        } catch (RuntimeException e) {
            return safeToString(value);
        }
    }

    // --- Tablesaw ---

    private static Map<String, String> tableBundle(Table table) {
        Map<String, String> bundle = new LinkedHashMap<>();
        bundle.put(HTML, tableHtml(table));
        String text = table.print(maxRows);
        if (table.rowCount() > maxRows) text += "\n" + hiddenRowsNote(table);
        bundle.put(TEXT, text);
        return bundle;
    }

    static String tableHtml(Table table) {
        int rows = table.rowCount();
        int head = rows > maxRows ? (maxRows + 1) / 2 : rows;
        int tail = rows > maxRows ? maxRows / 2 : 0;
        List<Column<?>> columns = table.columns();

        StringBuilder html = new StringBuilder(256 + 64 * Math.min(rows, maxRows) * Math.max(1, columns.size()));
        html.append("<table class=\"serverlab-table\">");
        if (table.name() != null && !table.name().isBlank()) {
            html.append("<caption>").append(escapeHtml(table.name())).append("</caption>");
        }
        html.append("<thead><tr>");
        for (Column<?> column : columns) {
            html.append(isNumeric(column) ? "<th style=\"text-align:right\">" : "<th style=\"text-align:left\">")
                    .append(escapeHtml(column.name())).append("</th>");
        }
        html.append("</tr></thead><tbody>");
        for (int row = 0; row < head; row++) appendRow(html, columns, row);
        if (tail > 0) {
            html.append("<tr>");
            for (Column<?> column : columns) {
                html.append(isNumeric(column) ? "<td style=\"text-align:right\">" : "<td style=\"text-align:left\">")
                        .append("…</td>");
            }
            html.append("</tr>");
            for (int row = rows - tail; row < rows; row++) appendRow(html, columns, row);
        }
        html.append("</tbody></table>");
        if (rows > maxRows) html.append("<p><small>").append(escapeHtml(hiddenRowsNote(table))).append("</small></p>");
        return html.toString();
    }

    private static String hiddenRowsNote(Table table) {
        int hidden = table.rowCount() - maxRows;
        return "… " + hidden + " more row" + (hidden == 1 ? "" : "s") + " (" + table.rowCount() + " rows × "
                + table.columnCount() + " column" + (table.columnCount() == 1 ? "" : "s") + ")";
    }

    private static void appendRow(StringBuilder html, List<Column<?>> columns, int row) {
        html.append("<tr>");
        for (Column<?> column : columns) {
            boolean numeric = isNumeric(column);
            html.append(numeric ? "<td style=\"text-align:right\">" : "<td style=\"text-align:left\">");
            if (!column.isMissing(row)) html.append(escapeHtml(cellText(column, row)));
            html.append("</td>");
        }
        html.append("</tr>");
    }

    private static boolean isNumeric(Column<?> column) {
        return column instanceof NumberColumn<?, ?>;
    }

    private static String cellText(Column<?> column, int row) {
        ColumnType type = column.type();
        if ((type == ColumnType.DOUBLE || type == ColumnType.FLOAT) && column instanceof NumberColumn<?, ?> numbers) {
            return formatDouble(numbers.getDouble(row));
        }
        return column.getString(row);
    }

    /** At most three decimals for everyday magnitudes, scientific notation for very large or small ones. */
    static String formatDouble(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) return Double.toString(value);
        double magnitude = Math.abs(value);
        if (value == Math.rint(value) && magnitude < 1e15) return Long.toString((long) value);
        if (magnitude >= 1e9 || magnitude < 1e-3) return String.format(Locale.ROOT, "%.3e", value);
        String fixed = String.format(Locale.ROOT, "%.3f", value);
        fixed = fixed.replaceAll("0+$", "");
        return fixed.endsWith(".") ? fixed.substring(0, fixed.length() - 1) : fixed;
    }

    // --- XChart ---

    private static Map<String, String> chartBundle(Chart<?, ?> chart, Set<String> requested) throws IOException {
        Map<String, String> bundle = new LinkedHashMap<>();
        if (requested.isEmpty() || requested.contains(PNG)) {
            byte[] png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
            bundle.put(PNG, Base64.getEncoder().encodeToString(png));
        }
        if (requested.contains(SVG)) bundle.put(SVG, chartSvg(chart));
        String title = chart.getTitle() == null || chart.getTitle().isBlank() ? "" : " \"" + chart.getTitle() + "\"";
        bundle.put(TEXT, chart.getClass().getSimpleName() + title + " " + chart.getWidth() + "×" + chart.getHeight());
        return bundle;
    }

    private static String chartSvg(Chart<?, ?> chart) throws IOException {
        ByteArrayOutputStream svg = new ByteArrayOutputStream();
        VectorGraphicsEncoder.saveVectorGraphic(chart, svg, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        return svg.toString(StandardCharsets.UTF_8);
    }

    // --- images ---

    private static String pngBase64(RenderedImage image) throws IOException {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        if (!ImageIO.write(image, "png", png)) {
            throw new IOException("no PNG writer accepts " + image.getClass().getName());
        }
        return Base64.getEncoder().encodeToString(png.toByteArray());
    }

    // --- HdrHistogram ---

    private static final double[] PERCENTILES = {50, 90, 99, 99.9, 99.99, 100};

    private static Map<String, String> histogramBundle(AbstractHistogram histogram) {
        long count = histogram.getTotalCount();
        StringBuilder text = new StringBuilder();
        text.append(histogram.getClass().getSimpleName()).append(": count=").append(count);
        if (count == 0) return Map.of(TEXT, text.append(" (empty)").toString());
        text.append(String.format(Locale.ROOT, ", min=%d, mean=%.1f, stddev=%.1f",
                histogram.getMinValue(), histogram.getMean(), histogram.getStdDeviation()));
        StringBuilder html = new StringBuilder("<table class=\"serverlab-histogram\"><thead><tr>"
                + "<th style=\"text-align:left\">percentile</th><th style=\"text-align:right\">value</th>"
                + "</tr></thead><tbody>");
        for (double p : PERCENTILES) {
            String label = p == 100 ? "max" : "p" + formatDouble(p);
            long atPercentile = histogram.getValueAtPercentile(p);
            text.append('\n').append(String.format(Locale.ROOT, "  %-7s %d", label, atPercentile));
            html.append("<tr><td style=\"text-align:left\">").append(label)
                    .append("</td><td style=\"text-align:right\">").append(atPercentile).append("</td></tr>");
        }
        html.append("</tbody></table>");
        Map<String, String> bundle = new LinkedHashMap<>();
        bundle.put(HTML, html.toString());
        bundle.put(TEXT, text.toString());
        return bundle;
    }

    // --- plain text, as JShell shows values ---

    static String plainText(Object value) {
        if (value == null) return "null";
        if (value instanceof String s) return javaStringLiteral(s);
        if (value instanceof Character c) return javaCharLiteral(c);
        if (value instanceof Optional<?> optional) {
            return optional.map(inner -> "Optional[" + plainText(inner) + "]").orElse("Optional.empty");
        }
        if (value.getClass().isArray()) return arrayText(value);
        if (value instanceof Collection<?> collection) return collectionText(collection);
        if (value instanceof Map<?, ?> map) return mapText(map);
        return String.valueOf(value);
    }

    /** Like JShell: {@code int[2][] { int[2] { 1, 2 }, int[2] { 3, 4 } }}, strings quoted. */
    private static String arrayText(Object array) {
        int length = Array.getLength(array);
        Class<?> component = array.getClass().getComponentType();
        Class<?> base = component;
        StringBuilder extraDimensions = new StringBuilder();
        while (base.isArray()) {
            extraDimensions.append("[]");
            base = base.getComponentType();
        }
        StringBuilder text = new StringBuilder();
        text.append(base.getSimpleName()).append('[').append(length).append(']').append(extraDimensions).append(" { ");
        int shown = Math.min(length, maxItems);
        for (int i = 0; i < shown; i++) {
            if (i > 0) text.append(", ");
            text.append(elementText(Array.get(array, i)));
        }
        if (length > shown) text.append(", … ").append(length - shown).append(" more");
        return text.append(length == 0 ? "}" : " }").toString();
    }

    private static String collectionText(Collection<?> collection) {
        int size = collection.size();
        if (size <= maxItems) return String.valueOf(collection);
        StringBuilder text = new StringBuilder("[");
        Iterator<?> items = collection.iterator();
        for (int i = 0; i < maxItems && items.hasNext(); i++) {
            if (i > 0) text.append(", ");
            Object item = items.next();
            text.append(item == collection ? "(this Collection)" : String.valueOf(item));
        }
        return text.append(", … ").append(size - maxItems).append(" more (size ").append(size).append(")]").toString();
    }

    private static String mapText(Map<?, ?> map) {
        int size = map.size();
        if (size <= maxItems) return String.valueOf(map);
        StringBuilder text = new StringBuilder("{");
        Iterator<? extends Map.Entry<?, ?>> entries = map.entrySet().iterator();
        for (int i = 0; i < maxItems && entries.hasNext(); i++) {
            if (i > 0) text.append(", ");
            Map.Entry<?, ?> entry = entries.next();
            text.append(entry.getKey()).append('=').append(entry.getValue());
        }
        return text.append(", … ").append(size - maxItems).append(" more (size ").append(size).append(")}").toString();
    }

    private static String elementText(Object element) {
        if (element == null) return "null";
        if (element instanceof String || element instanceof Character || element.getClass().isArray()) {
            return plainText(element);
        }
        return String.valueOf(element);
    }

    static String javaStringLiteral(String s) {
        StringBuilder literal = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) appendEscaped(literal, s.charAt(i), '"');
        return literal.append('"').toString();
    }

    private static String javaCharLiteral(char c) {
        StringBuilder literal = new StringBuilder("'");
        appendEscaped(literal, c, '\'');
        return literal.append('\'').toString();
    }

    private static void appendEscaped(StringBuilder out, char c, char quote) {
        switch (c) {
            case '\n' -> out.append("\\n");
            case '\t' -> out.append("\\t");
            case '\r' -> out.append("\\r");
            case '\b' -> out.append("\\b");
            case '\f' -> out.append("\\f");
            case '\\' -> out.append("\\\\");
            default -> {
                if (c == quote) {
                    out.append('\\').append(c);
                } else if (c < 0x20) {
                    out.append(String.format("\\%03o", (int) c)); // JShell's octal escape, e.g. \001
                } else {
                    out.append(c);
                }
            }
        }
    }

    // --- helpers ---

    public static String escapeHtml(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static String describe(Object value) {
        return value == null ? "null" : value.getClass().getName();
    }

    private static String safeToString(Object value) {
        try {
            return String.valueOf(value);
        } catch (RuntimeException | LinkageError e) {
            return value.getClass().getName() + "@" + Integer.toHexString(System.identityHashCode(value));
        }
    }
}
