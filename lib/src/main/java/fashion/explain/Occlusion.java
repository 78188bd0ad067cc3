package fashion.explain;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import fashion.models.Model;

/**
 * Occlusion sensitivity (Zeiler and Fergus, "Visualizing and Understanding Convolutional Networks", 2014): a square
 * patch of the image is set to black (the background of Fashion-MNIST) at every position on a grid, and the drop in
 * the probability of a class is recorded. Each pixel's value is the mean drop over the patches that covered it:
 * positive where hiding the pixel lowers the class's probability (evidence for it), negative where hiding it raises
 * the probability (evidence against it). Values lie in [-1, 1].
 *
 * <pre>
 * float[][][] m = Occlusion.maps(model, images, classes, 6, 2);   // 6 x 6 patches every 2 pixels
 * </pre>
 */
public final class Occlusion {
    /** Patch side and stride used by {@link #maps(Model, INDArray, int[])}: 6 x 6 pixels every 2 pixels. */
    public static final int PATCH = 6;
    public static final int STRIDE = 2;

    private Occlusion() {
    }

    /** {@link #maps(Model, INDArray, int[], int, int)} with 6 x 6 patches every 2 pixels. */
    public static float[][][] maps(Model model, INDArray images, int[] classes) {
        return maps(model, images, classes, PATCH, STRIDE);
    }

    /**
     * Occlusion maps of {@code classes[i]} for image {@code i}.
     *
     * @param images {@code [n, 1, 28, 28]}, pixels in [0, 1]
     * @param patch side of the black square, 1..28 pixels
     * @param stride step between patch positions, at least 1 (the last position always reaches the border)
     * @return {@code [n][28][28]}: mean drop of the class's probability over the patches covering each pixel, in [-1, 1]
     */
    public static float[][][] maps(Model model, INDArray images, int[] classes, int patch, int stride) {
        INDArray x = Maps.images(model, images);
        int side = Maps.SIDE;
        if (patch < 1 || patch > side || stride < 1) {
            throw new IllegalArgumentException("patch must be 1.." + side + " and stride at least 1 (got patch " + patch
                    + ", stride " + stride + ")");
        }
        Maps.checkClasses(classes, x.size(0), Maps.numClasses(model.network()));
        int[] starts = starts(side, patch, stride);
        int positions = starts.length * starts.length;
        float[][][] out = new float[classes.length][side][side];
        for (int i = 0; i < classes.length; i++) {
            INDArray one = x.get(NDArrayIndex.interval(i, i + 1), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all());
            float base = Maps.probabilities(model, one)[0][classes[i]];
            INDArray batch = Nd4j.tile(one, positions, 1, 1, 1);
            int k = 0;
            for (int r : starts) {
                for (int c : starts) {
                    batch.get(NDArrayIndex.point(k++), NDArrayIndex.all(), NDArrayIndex.interval(r, r + patch),
                            NDArrayIndex.interval(c, c + patch)).assign(0);
                }
            }
            float[][] p = Maps.probabilities(model, batch);
            float[][] sum = new float[side][side];
            int[][] count = new int[side][side];
            k = 0;
            for (int r : starts) {
                for (int c : starts) {
                    float drop = base - p[k++][classes[i]];
                    for (int u = r; u < r + patch; u++) {
                        for (int v = c; v < c + patch; v++) {
                            sum[u][v] += drop;
                            count[u][v]++;
                        }
                    }
                }
            }
            for (int u = 0; u < side; u++) {
                for (int v = 0; v < side; v++) {
                    out[i][u][v] = count[u][v] == 0 ? 0 : sum[u][v] / count[u][v];
                }
            }
        }
        return out;
    }

    /** Patch origins 0, stride, ..., with the last one at {@code side - patch} so that every pixel is covered. */
    static int[] starts(int side, int patch, int stride) {
        java.util.List<Integer> s = new java.util.ArrayList<>();
        for (int r = 0; r + patch <= side; r += stride) {
            s.add(r);
        }
        if (s.get(s.size() - 1) != side - patch) {
            s.add(side - patch);
        }
        return s.stream().mapToInt(Integer::intValue).toArray();
    }
}
