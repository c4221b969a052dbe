package serverlab.kernel.display;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.w3c.dom.Document;
import serverlab.labs.display.Rich;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RenderersTest {

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private static Table table(int rows) {
        IntColumn n = IntColumn.create("n");
        DoubleColumn latency = DoubleColumn.create("latency_ms");
        StringColumn server = StringColumn.create("server");
        for (int i = 0; i < rows; i++) {
            n.append(i);
            latency.append(i / 3.0);
            server.append(i == 0 ? "<event-loop>" : "pool-" + i);
        }
        return Table.create("sweep", n, latency, server);
    }

    private static int count(String text, String needle) {
        Matcher m = Pattern.compile(Pattern.quote(needle)).matcher(text);
        int found = 0;
        while (m.find()) found++;
        return found;
    }

    @Test
    void smallTableRendersEveryRowAsEscapedHtmlWithCaption() {
        Map<String, Object> bundle = Renderers.render(table(3));
        String html = (String) bundle.get("text/html");
        assertTrue(html.contains("<caption>sweep</caption>"), html);
        assertEquals(4, count(html, "<tr>"), "header + 3 rows");
        assertTrue(html.contains("&lt;event-loop&gt;"), "cell text is escaped");
        assertTrue(html.contains("<td style=\"text-align:right\">0.333</td>"), "doubles are right-aligned, 3 decimals: " + html);
        assertFalse(html.contains("more row"));
        assertTrue(((String) bundle.get("text/plain")).contains("pool-2"));
    }

    @Test
    void longTableShowsHeadAndTailWithNote() {
        Map<String, Object> bundle = Renderers.render(table(500));
        String html = (String) bundle.get("text/html");
        assertEquals(1 + 25 + 1 + 25, count(html, "<tr>"), "header, 25 first, ellipsis, 25 last");
        assertTrue(html.contains(">24</td>") && !html.contains(">25</td>") && html.contains(">475</td>"), html);
        assertTrue(html.contains("… 450 more rows (500 rows × 3 columns)"), html);
        String text = (String) bundle.get("text/plain");
        assertTrue(text.contains("… 450 more rows (500 rows × 3 columns)"), text);
        assertTrue(text.lines().count() < 60, "text/plain is capped too");
    }

    @Test
    void formatsDoublesCompactly() {
        assertEquals("42", Renderers.formatDouble(42.0));
        assertEquals("1.5", Renderers.formatDouble(1.5));
        assertEquals("0.333", Renderers.formatDouble(1 / 3.0));
        assertEquals("1.235e-05", Renderers.formatDouble(1.2345e-5));
        assertEquals("NaN", Renderers.formatDouble(Double.NaN));
    }

    private static XYChart chart() {
        XYChart chart = new XYChartBuilder().width(320).height(200).title("throughput").build();
        chart.addSeries("rps", new double[] {1, 2, 4, 8}, new double[] {10, 19, 35, 60});
        return chart;
    }

    @Test
    void chartRendersAsPngByDefault() throws Exception {
        Map<String, Object> bundle = Renderers.render(chart());
        String base64 = (String) bundle.get("image/png");
        assertNotNull(base64);
        assertFalse(base64.contains("\n"), "no line breaks in base64");
        byte[] png = Base64.getDecoder().decode(base64);
        assertArrayEquals(PNG_SIGNATURE, Arrays.copyOf(png, 8));
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(png));
        assertEquals(320, decoded.getWidth());
        assertEquals(200, decoded.getHeight());
        assertFalse(bundle.containsKey("image/svg+xml"));
        assertEquals("XYChart \"throughput\" 320×200", bundle.get("text/plain"));
        assertEquals(Map.of("image/png", Map.of("width", 320, "height", 200)), Renderers.metadata(chart()));
    }

    @Test
    void chartRendersAsSvgOnRequest() throws Exception {
        Map<String, Object> bundle = Renderers.render(chart(), "image/svg+xml");
        assertFalse(bundle.containsKey("image/png"));
        assertTrue(bundle.containsKey("text/plain"));
        String svg = (String) bundle.get("image/svg+xml");
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        Document document = factory.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertEquals("svg", document.getDocumentElement().getNodeName());
        assertTrue(svg.contains("throughput") || svg.contains("<path"), "the drawing is in the SVG");
    }

    @Test
    void imageRendersAsPng() throws Exception {
        BufferedImage image = new BufferedImage(7, 5, BufferedImage.TYPE_INT_RGB);
        image.setRGB(3, 2, 0x00ff00);
        Map<String, Object> bundle = Renderers.render(image);
        byte[] png = Base64.getDecoder().decode((String) bundle.get("image/png"));
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(png));
        assertEquals(7, decoded.getWidth());
        assertEquals(0x00ff00, decoded.getRGB(3, 2) & 0xffffff);
        assertEquals("BufferedImage 7×5", bundle.get("text/plain"));
    }

    @Test
    void histogramShowsPercentiles() {
        Histogram histogram = new Histogram(3);
        for (int i = 1; i <= 1000; i++) histogram.recordValue(i);
        Map<String, Object> bundle = Renderers.render(histogram);
        String text = (String) bundle.get("text/plain");
        assertTrue(text.startsWith("Histogram: count=1000, min=1"), text);
        assertTrue(text.contains("p99 ") && text.contains("max"), text);
        assertTrue(text.matches("(?s).*p50\\s+500\\b.*"), text);
        assertTrue(((String) bundle.get("text/html")).contains("<td style=\"text-align:left\">p99.9</td>"));
        assertEquals("Histogram: count=0 (empty)", Renderers.render(new Histogram(3)).get("text/plain"));
    }

    @Test
    void stringsAndCharsLookLikeJShellLiterals() {
        assertEquals("\"\\\"hi\\\"\"", Renderers.render("\"hi\"").get("text/plain"));
        assertEquals("\"hi\"", Renderers.render("hi").get("text/plain"));
        assertEquals("\"a\\tb\\n\\\\\\001\"", Renderers.render("a\tb\n\\\u0001").get("text/plain"));
        assertEquals("'\\''", Renderers.render('\'').get("text/plain"));
        assertEquals("null", Renderers.render(null).get("text/plain"));
    }

    @Test
    void containersAreReadableAndCapped() {
        assertEquals("int[2][] { int[2] { 1, 2 }, int[2] { 3, 4 } }",
                Renderers.render(new int[][] {{1, 2}, {3, 4}}).get("text/plain"));
        assertEquals("String[2] { \"a\", null }", Renderers.render(new String[] {"a", null}).get("text/plain"));
        assertEquals("Optional[\"x\"]", Renderers.render(Optional.of("x")).get("text/plain"));
        assertEquals("Optional.empty", Renderers.render(Optional.empty()).get("text/plain"));
        assertEquals("[1, 2]", Renderers.render(List.of(1, 2)).get("text/plain"));

        List<Integer> big = new ArrayList<>();
        for (int i = 0; i < 1000; i++) big.add(i);
        String text = (String) Renderers.render(big).get("text/plain");
        assertTrue(text.endsWith(", 99, … 900 more (size 1000)]"), text);
        String arrayText = (String) Renderers.render(new long[1000]).get("text/plain");
        assertTrue(arrayText.startsWith("long[1000] { 0, 0") && arrayText.endsWith("… 900 more }"), arrayText);
    }

    @Test
    void richValuesUseTheirBundleAndRequestedTypes() {
        Rich rich = () -> Map.of("text/html", "<b>fast</b>", "application/json", "{}");
        Map<String, Object> bundle = Renderers.render(rich);
        assertEquals("<b>fast</b>", bundle.get("text/html"));
        assertEquals("{}", bundle.get("application/json"));
        assertNotNull(bundle.get("text/plain"), "text/plain is added when the bundle lacks it");

        Map<String, Object> onlyHtml = Renderers.render(rich, "text/html");
        assertEquals(2, onlyHtml.size());
        assertTrue(onlyHtml.containsKey("text/html") && onlyHtml.containsKey("text/plain"));
    }

    @Test
    void failingRendererFallsBackToPlainTextWithNote() {
        Rich broken = new Rich() {
            @Override
            public Map<String, String> mimeBundle() {
                throw new IllegalStateException("boom");
            }

            @Override
            public String toString() {
                return "BrokenRich";
            }
        };
        Map<String, Object> bundle = Renderers.render(broken);
        assertEquals(1, bundle.size());
        String text = (String) bundle.get("text/plain");
        assertTrue(text.startsWith("BrokenRich\n["), text);
        assertTrue(text.contains("could not be rendered") && text.contains("boom"), text);

        Object badToString = new Object() {
            @Override
            public String toString() {
                throw new UnsupportedOperationException("no text");
            }
        };
        String fallback = (String) Renderers.render(badToString).get("text/plain");
        assertTrue(fallback.contains("@") && fallback.contains("no text"), fallback);
    }

    @Test
    void headlessIsOnOnceRenderersIsLoaded() {
        Renderers.render(1);
        assertEquals("true", System.getProperty("java.awt.headless"));
    }
}
