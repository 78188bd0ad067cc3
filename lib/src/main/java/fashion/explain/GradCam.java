package fashion.explain;

import java.util.List;

import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import fashion.models.Model;

/**
 * Grad-CAM (Selvaraju et al., "Grad-CAM: Visual Explanations from Deep Networks via Gradient-based Localization",
 * 2017) on the network's last convolution layer: with {@code A_k} the layer's k-th feature map (after its activation)
 * and {@code y_c} the class's score (logit), each map is weighted by {@code alpha_k = mean over positions of
 * dy_c / dA_k}, and the map is {@code ReLU(sum_k alpha_k A_k)}: where the layer's features raise the class's score.
 * It has the layer's resolution (10 x 10 for the seed's network, 4 x 4 for the best model's); {@link #maps} resizes
 * it bilinearly to 28 x 28 and divides it by its largest value, so it lies in [0, 1] (all zero when no position
 * raises the score).
 *
 * <pre>
 * float[][][] cam = GradCam.maps(model, images, classes);   // [n][28][28] in [0, 1]
 * </pre>
 */
public final class GradCam {
    private GradCam() {
    }

    /** Index of the network's last convolution layer. @throws IllegalArgumentException when it has none */
    public static int lastConvolution(Model model) {
        MultiLayerNetwork net = model.network();
        for (int i = net.getnLayers() - 1; i >= 0; i--) {
            if (net.getLayer(i).conf().getLayer() instanceof ConvolutionLayer) {
                return i;
            }
        }
        throw new IllegalArgumentException(model.name() + " has no convolution layer: Grad-CAM needs one.");
    }

    /**
     * The class-activation maps at the last convolution's own resolution, before resizing and scaling:
     * {@code ReLU(sum_k alpha_k A_k)}, {@code [n][h][w]} in score units.
     */
    public static float[][][] coarseMaps(Model model, INDArray images, int[] classes) {
        INDArray x = Maps.images(model, images);
        MultiLayerNetwork net = model.network();
        Maps.checkClasses(classes, x.size(0), Maps.numClasses(net));
        int k = lastConvolution(model);
        List<INDArray> acts = net.feedForwardToLayer(k, x, false);
        INDArray a = acts.get(k + 1).dup();
        MultiLayerNetwork tail = InferenceNetwork.of(net, k + 1);
        INDArray minusGrad = tail.calculateGradients(a, Maps.oneHot(classes, Maps.numClasses(net), a.dataType()), null, null)
                .getSecond();
        float[][][][] av = toArray(a);
        float[][][][] gv = toArray(minusGrad);
        int n = classes.length;
        int ch = av[0].length;
        int h = av[0][0].length;
        int w = av[0][0][0].length;
        float[][][] out = new float[n][h][w];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < ch; c++) {
                double alpha = 0;
                for (int r = 0; r < h; r++) {
                    for (int s = 0; s < w; s++) {
                        alpha -= gv[i][c][r][s];
                    }
                }
                alpha /= h * w;
                for (int r = 0; r < h; r++) {
                    for (int s = 0; s < w; s++) {
                        out[i][r][s] += (float) (alpha * av[i][c][r][s]);
                    }
                }
            }
            for (float[] row : out[i]) {
                for (int s = 0; s < w; s++) {
                    row[s] = Math.max(0f, row[s]);
                }
            }
        }
        return out;
    }

    /** Grad-CAM maps resized to 28 x 28 and scaled to [0, 1] per image ({@code [n][28][28]}). */
    public static float[][][] maps(Model model, INDArray images, int[] classes) {
        float[][][] coarse = coarseMaps(model, images, classes);
        float[][][] out = new float[coarse.length][][];
        for (int i = 0; i < coarse.length; i++) {
            out[i] = resize(coarse[i], Maps.SIDE, Maps.SIDE);
            float max = 0;
            for (float[] row : out[i]) {
                for (float v : row) {
                    max = Math.max(max, v);
                }
            }
            if (max > 0) {
                for (float[] row : out[i]) {
                    for (int s = 0; s < row.length; s++) {
                        row[s] /= max;
                    }
                }
            }
        }
        return out;
    }

    /** Bilinear resize, sample centres aligned (as image libraries do); values stay within the input's range. */
    static float[][] resize(float[][] m, int height, int width) {
        int h = m.length;
        int w = m[0].length;
        float[][] out = new float[height][width];
        for (int r = 0; r < height; r++) {
            double y = Math.min(Math.max((r + 0.5) * h / height - 0.5, 0), h - 1);
            int y0 = (int) Math.floor(y);
            int y1 = Math.min(y0 + 1, h - 1);
            double fy = y - y0;
            for (int c = 0; c < width; c++) {
                double x = Math.min(Math.max((c + 0.5) * w / width - 0.5, 0), w - 1);
                int x0 = (int) Math.floor(x);
                int x1 = Math.min(x0 + 1, w - 1);
                double fx = x - x0;
                out[r][c] = (float) ((1 - fy) * ((1 - fx) * m[y0][x0] + fx * m[y0][x1]) + fy * ((1 - fx) * m[y1][x0] + fx * m[y1][x1]));
            }
        }
        return out;
    }

    static float[][][][] toArray(INDArray a) {
        INDArray f = a.castTo(DataType.FLOAT).dup('c');
        int n = (int) f.size(0);
        int ch = (int) f.size(1);
        int h = (int) f.size(2);
        int w = (int) f.size(3);
        float[] flat = f.data().asFloat();
        float[][][][] out = new float[n][ch][h][w];
        int k = 0;
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < ch; c++) {
                for (int r = 0; r < h; r++) {
                    for (int s = 0; s < w; s++) {
                        out[i][c][r][s] = flat[k++];
                    }
                }
            }
        }
        return out;
    }
}
