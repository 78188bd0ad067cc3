package fashion.explain;

import java.util.List;
import java.util.Locale;

import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

import fashion.models.Model;
import fashion.plots.ImageGrid;

/**
 * The feature maps (outputs after the activation) of every convolution layer of a network for one image, at
 * inference. Each map is drawn scaled to its own range (black its smallest value, white its largest); the caption
 * gives the largest value, so that maps that stay at zero (ReLU "off" for this image) show as such.
 *
 * <pre>
 * FeatureMaps.of(model, data.test().image(0), "test image 0")   // one row of maps per convolution layer
 * </pre>
 */
public final class FeatureMaps {
    private FeatureMaps() {
    }

    /**
     * The maps of each convolution layer for one image.
     *
     * @param image {@code [28][28]}, pixels in [0, 1]
     * @return a grid with a heading per convolution layer (name, maps, size) and the image first
     */
    public static ImageGrid of(Model model, float[][] image, String caption) {
        MultiLayerNetwork net = model.network();
        INDArray x = Maps.images(model, org.nd4j.linalg.factory.Nd4j.create(image).reshape(1, 1, 28, 28));
        List<INDArray> acts = net.feedForward(x, false);
        int columns = 16;
        ImageGrid g = new ImageGrid("Feature maps of every convolution layer, " + model.name() + ", for " + caption
                + " (each map scaled to its own range; white: its largest value)", columns, 2);
        g.heading("input");
        g.add(image, caption);
        for (int i = 0; i < net.getnLayers(); i++) {
            if (!(net.getLayer(i).conf().getLayer() instanceof ConvolutionLayer conv)) {
                continue;
            }
            float[][][][] a = GradCam.toArray(acts.get(i + 1));
            int ch = a[0].length;
            g.heading(String.format(Locale.ROOT, "layer %d, %s: %d maps of %d x %d (%dx%d kernels)", i, conv.getLayerName(), ch,
                    a[0][0].length, a[0][0][0].length, conv.getKernelSize()[0], conv.getKernelSize()[1]));
            int scale = Math.max(2, 56 / a[0][0].length);
            for (int c = 0; c < ch; c++) {
                float[][] m = a[0][c];
                float lo = Float.MAX_VALUE;
                float hi = -Float.MAX_VALUE;
                for (float[] row : m) {
                    for (float v : row) {
                        lo = Math.min(lo, v);
                        hi = Math.max(hi, v);
                    }
                }
                float span = hi - lo;
                float[][] s = new float[m.length][m[0].length];
                for (int r = 0; r < m.length; r++) {
                    for (int q = 0; q < m[0].length; q++) {
                        s[r][q] = span > 0 ? (m[r][q] - lo) / span : 0f;
                    }
                }
                g.add(upscale(s, scale / 2), String.format(Locale.ROOT, "%d: max %.2f", c + 1, hi));
            }
        }
        return g;
    }

    /** Nearest-neighbour enlargement so that small maps (4 x 4) show at about the size of the image. */
    private static float[][] upscale(float[][] m, int factor) {
        if (factor <= 1) {
            return m;
        }
        float[][] out = new float[m.length * factor][m[0].length * factor];
        for (int r = 0; r < out.length; r++) {
            for (int c = 0; c < out[0].length; c++) {
                out[r][c] = m[r / factor][c / factor];
            }
        }
        return out;
    }
}
