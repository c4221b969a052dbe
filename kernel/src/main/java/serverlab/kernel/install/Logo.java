package serverlab.kernel.install;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** The kernelspec's logo files (two PNG sizes and an SVG) that Jupyter shows in its launcher. */
final class Logo {
    private Logo() {
    }

    // One mark in three formats: a teal rounded square holding a three-unit server rack with status LEDs.
    private static final Color TEAL = new Color(0x0B5F66);
    private static final Color RACK = new Color(0xE8F5F2);
    private static final Color LED_OK = new Color(0x2EC4A0);
    private static final Color LED_BUSY = new Color(0xF5B942);
    private static final double[] UNIT_TOPS = {0.21, 0.42, 0.63}; // fractions of the logo size
    private static final double UNIT_LEFT = 0.19;
    private static final double UNIT_WIDTH = 0.62;
    private static final double UNIT_HEIGHT = 0.16;
    private static final double LED_CENTER_X = 0.71;
    private static final double LED_RADIUS = 0.035;

    static void writeAll(Path kernelDir) throws IOException {
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
        for (int size : new int[] {32, 64}) {
            Path png = kernelDir.resolve("logo-" + size + "x" + size + ".png");
            if (!ImageIO.write(drawLogo(size), "png", png.toFile())) throw new IOException("no PNG writer available");
        }
        Files.writeString(kernelDir.resolve("logo-svg.svg"), logoSvg(), StandardCharsets.UTF_8);
    }

    static BufferedImage drawLogo(int size) {
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.setColor(TEAL);
            g.fill(new RoundRectangle2D.Double(0, 0, size, size, size * 0.44, size * 0.44));
            for (int unit = 0; unit < UNIT_TOPS.length; unit++) {
                double top = UNIT_TOPS[unit] * size;
                g.setColor(RACK);
                g.fill(new RoundRectangle2D.Double(UNIT_LEFT * size, top, UNIT_WIDTH * size, UNIT_HEIGHT * size,
                        size * 0.08, size * 0.08));
                g.setColor(TEAL);
                g.setStroke(new BasicStroke((float) (size * 0.03), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
                double slotY = top + UNIT_HEIGHT * size / 2;
                g.draw(new java.awt.geom.Line2D.Double(0.27 * size, slotY, 0.52 * size, slotY));
                g.setColor(unit == 1 ? LED_BUSY : LED_OK);
                double r = LED_RADIUS * size;
                g.fill(new Ellipse2D.Double(LED_CENTER_X * size - r, slotY - r, 2 * r, 2 * r));
            }
        } finally {
            g.dispose();
        }
        return image;
    }

    static String logoSvg() {
        StringBuilder svg = new StringBuilder();
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"64\" height=\"64\" viewBox=\"0 0 64 64\">\n");
        svg.append("  <title>ServerLab</title>\n");
        svg.append(String.format(Locale.ROOT, "  <rect width=\"64\" height=\"64\" rx=\"14.08\" fill=\"%s\"/>%n", hex(TEAL)));
        for (int unit = 0; unit < UNIT_TOPS.length; unit++) {
            double top = UNIT_TOPS[unit] * 64;
            double slotY = top + UNIT_HEIGHT * 64 / 2;
            svg.append(String.format(Locale.ROOT,
                    "  <rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" rx=\"2.56\" fill=\"%s\"/>%n",
                    UNIT_LEFT * 64, top, UNIT_WIDTH * 64, UNIT_HEIGHT * 64, hex(RACK)));
            svg.append(String.format(Locale.ROOT,
                    "  <line x1=\"17.28\" y1=\"%.2f\" x2=\"33.28\" y2=\"%.2f\" stroke=\"%s\" stroke-width=\"1.92\" stroke-linecap=\"round\"/>%n",
                    slotY, slotY, hex(TEAL)));
            svg.append(String.format(Locale.ROOT, "  <circle cx=\"%.2f\" cy=\"%.2f\" r=\"%.2f\" fill=\"%s\"/>%n",
                    LED_CENTER_X * 64, slotY, LED_RADIUS * 64, hex(unit == 1 ? LED_BUSY : LED_OK)));
        }
        return svg.append("</svg>\n").toString();
    }

    private static String hex(Color color) {
        return String.format("#%06x", color.getRGB() & 0xffffff);
    }
}
