package fashion.plots;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import javax.imageio.ImageIO;

/**
 * A grid of small grey-scale images with captions (sample images, misclassified images, learned filters),
 * rendered as HTML with embedded PNGs so that it shows offline and in every export.
 */
public final class ImageGrid {
    private final String title;
    private final int columns;
    private final int scale;
    private final List<float[][]> images = new ArrayList<>();
    private final List<int[][]> colours = new ArrayList<>();
    private final List<Boolean> headings = new ArrayList<>();
    private final List<String> captions = new ArrayList<>();

    /** {@code scale}: screen pixels per image pixel. */
    public ImageGrid(String title, int columns, int scale) {
        this.title = title;
        this.columns = columns;
        this.scale = scale;
    }

    /** Adds an image of values in [0, 1] (0 black, 1 white; values outside are clipped). */
    public ImageGrid add(float[][] pixels, String caption) {
        images.add(pixels);
        colours.add(null);
        headings.add(false);
        captions.add(caption);
        return this;
    }

    /** Adds a colour image, {@code rgb[row][column] = 0xRRGGBB} (see {@link ColorMaps}). */
    public ImageGrid addColour(int[][] rgb, String caption) {
        float[][] size = new float[rgb.length][rgb[0].length];
        images.add(size);
        colours.add(rgb);
        headings.add(false);
        captions.add(caption);
        return this;
    }

    /** Starts a new row with a heading across the grid (e.g. one row per layer). */
    public ImageGrid heading(String text) {
        images.add(null);
        colours.add(null);
        headings.add(true);
        captions.add(text);
        return this;
    }

    public String title() {
        return title;
    }

    /** Number of images (headings excluded). */
    public int size() {
        return (int) headings.stream().filter(h -> !h).count();
    }

    public String caption(int i) {
        return captions.get(i);
    }

    public String html() {
        StringBuilder sb = new StringBuilder("<div class=\"fashion-image-grid\" style=\"break-inside:avoid;page-break-inside:avoid\">");
        sb.append("<div style=\"font-weight:bold;margin:4px 0\">").append(escape(title)).append("</div>");
        sb.append("<div style=\"display:grid;grid-template-columns:repeat(").append(columns)
                .append(",max-content);gap:6px 10px\">");
        for (int i = 0; i < images.size(); i++) {
            if (headings.get(i)) {
                sb.append("<div style=\"grid-column:1/-1;font-size:12px;font-weight:bold;margin-top:4px\">")
                        .append(escape(captions.get(i))).append("</div>");
                continue;
            }
            float[][] img = images.get(i);
            sb.append("<figure style=\"margin:0;text-align:center;font-size:11px;max-width:")
                    .append(Math.max(img[0].length * scale, 90)).append("px\">")
                    .append("<img alt=\"").append(escape(captions.get(i))).append("\" style=\"image-rendering:pixelated;width:")
                    .append(img[0].length * scale).append("px;height:").append(img.length * scale)
                    .append("px;border:1px solid #ccc\" src=\"data:image/png;base64,")
                    .append(colours.get(i) == null ? png(img) : png(colours.get(i))).append("\">")
                    .append("<figcaption>").append(escape(captions.get(i))).append("</figcaption></figure>");
        }
        return sb.append("</div></div>").toString();
    }

    static String png(float[][] pixels) {
        int h = pixels.length;
        int w = pixels[0].length;
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int r = 0; r < h; r++) {
            for (int c = 0; c < w; c++) {
                int v = Math.round(Math.max(0f, Math.min(1f, pixels[r][c])) * 255f);
                image.getRaster().setSample(c, r, 0, v);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Base64.getEncoder().encodeToString(out.toByteArray());
    }

    static String png(int[][] rgb) {
        BufferedImage image = new BufferedImage(rgb[0].length, rgb.length, BufferedImage.TYPE_INT_RGB);
        for (int r = 0; r < rgb.length; r++) {
            for (int c = 0; c < rgb[0].length; c++) {
                image.setRGB(c, r, rgb[r][c]);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Base64.getEncoder().encodeToString(out.toByteArray());
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    @Override
    public String toString() {
        return "ImageGrid: " + title + " (" + size() + " images)";
    }
}
