package fashion.plots;

/**
 * Colour maps for heat maps drawn as images ({@link ImageGrid#addColour}): each returns {@code rgb[row][column]} as
 * {@code 0xRRGGBB}.
 * <ul>
 * <li>{@link #heat}: values in [0, 1] from black through red and yellow to white (matplotlib's "hot");</li>
 * <li>{@link #diverging}: values in [-1, 1], blue for negative, white for 0, red for positive;</li>
 * <li>{@link #overlay}: a [0, 1] heat map ("jet"-like, blue to red) blended over a grey image, as Grad-CAM pictures
 * are usually shown.</li>
 * </ul>
 * Values outside the range are clipped.
 */
public final class ColorMaps {
    private ColorMaps() {
    }

    /** "hot": 0 black, 1/3 red, 2/3 yellow, 1 white. */
    public static int[][] heat(float[][] v) {
        int[][] out = new int[v.length][v[0].length];
        for (int r = 0; r < v.length; r++) {
            for (int c = 0; c < v[0].length; c++) {
                double t = clip(v[r][c], 0, 1);
                out[r][c] = rgb(3 * t, 3 * t - 1, 3 * t - 2);
            }
        }
        return out;
    }

    /** Blue (-1), white (0), red (+1). */
    public static int[][] diverging(float[][] v) {
        int[][] out = new int[v.length][v[0].length];
        for (int r = 0; r < v.length; r++) {
            for (int c = 0; c < v[0].length; c++) {
                double t = clip(v[r][c], -1, 1);
                out[r][c] = t >= 0 ? rgb(1, 1 - t, 1 - t) : rgb(1 + t, 1 + t, 1);
            }
        }
        return out;
    }

    /** {@code heat} in [0, 1] as blue-cyan-yellow-red, blended with weight {@code alpha} over {@code grey} in [0, 1]. */
    public static int[][] overlay(float[][] grey, float[][] heat, double alpha) {
        int[][] out = new int[grey.length][grey[0].length];
        for (int r = 0; r < grey.length; r++) {
            for (int c = 0; c < grey[0].length; c++) {
                double t = clip(heat[r][c], 0, 1);
                double g = clip(grey[r][c], 0, 1);
                double red = clip(1.5 - Math.abs(4 * t - 3), 0, 1);
                double green = clip(1.5 - Math.abs(4 * t - 2), 0, 1);
                double blue = clip(1.5 - Math.abs(4 * t - 1), 0, 1);
                out[r][c] = rgb((1 - alpha) * g + alpha * red, (1 - alpha) * g + alpha * green, (1 - alpha) * g + alpha * blue);
            }
        }
        return out;
    }

    /** Scales a map by its largest absolute value into [-1, 1] (unchanged when all zero). */
    public static float[][] symmetric(float[][] v) {
        float max = 0;
        for (float[] row : v) {
            for (float x : row) {
                max = Math.max(max, Math.abs(x));
            }
        }
        float[][] out = new float[v.length][];
        for (int r = 0; r < v.length; r++) {
            out[r] = v[r].clone();
            if (max > 0) {
                for (int c = 0; c < out[r].length; c++) {
                    out[r][c] /= max;
                }
            }
        }
        return out;
    }

    private static double clip(double x, double lo, double hi) {
        return Double.isNaN(x) ? lo : Math.max(lo, Math.min(hi, x));
    }

    private static int rgb(double r, double g, double b) {
        int ri = (int) Math.round(clip(r, 0, 1) * 255);
        int gi = (int) Math.round(clip(g, 0, 1) * 255);
        int bi = (int) Math.round(clip(b, 0, 1) * 255);
        return (ri << 16) | (gi << 8) | bi;
    }
}
