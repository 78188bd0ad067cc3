package fashion.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import fashion.models.Model;
import fashion.models.Models;

/**
 * The explanation methods on tiny networks: gradients against finite differences of the network's own scores, the
 * inference copy against the trained network, and the maps' shapes and ranges.
 */
class ExplainTest {
    /** A small network with the project's fast layers, batch normalization and dropout, trained a few steps. */
    static Model tiny;
    static INDArray images;
    static int[] classes = {0, 3, 7};

    @BeforeAll
    static void build() {
        tiny = Models.cnn().convLayers(1).filters(3).kernelSize(3).pooling("avg").secondFilters(4).secondKernelSize(3)
                .denseWidth(32).batchNorm(true).dropout(0.3).learningRate(1e-3).seed(7).build();
        Nd4j.getRandom().setSeed(11);
        INDArray x = Nd4j.rand(DataType.FLOAT, 32, 1, 28, 28);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 32, 10);
        for (int i = 0; i < 32; i++) {
            y.putScalar(i, i % 10, 1);
        }
        for (int step = 0; step < 5; step++) { // moves the weights and batch normalization's running statistics
            tiny.network().fit(x, y);
        }
        images = Nd4j.rand(DataType.FLOAT, 3, 1, 28, 28);
    }

    @Test
    void inferenceCopyComputesTheTrainedNetworksFunction() {
        float[][] scores = Saliency.scores(tiny, images);
        float[][] p = tiny.network().output(images, false).toFloatMatrix();
        for (int i = 0; i < p.length; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (float s : scores[i]) {
                max = Math.max(max, s);
            }
            double z = 0;
            for (float s : scores[i]) {
                z += Math.exp(s - max);
            }
            for (int c = 0; c < 10; c++) {
                assertEquals(p[i][c], Math.exp(scores[i][c] - max) / z, 1e-5, "softmax of the copy's scores, image " + i + " class " + c);
            }
        }
    }

    @Test
    void saliencyGradientsMatchFiniteDifferences() {
        float[][][] g = Saliency.gradients(tiny, images, classes);
        Random random = new Random(3);
        double h = 3e-3;
        int checked = 0;
        double worst = 0;
        for (int i = 0; i < classes.length; i++) {
            double scale = 0;
            for (float[] row : g[i]) {
                for (float v : row) {
                    scale = Math.max(scale, Math.abs(v));
                }
            }
            assertTrue(scale > 0, "the gradient is not all zero");
            for (int k = 0; k < 12; k++) {
                int r = random.nextInt(28);
                int c = random.nextInt(28);
                INDArray plus = images.dup();
                INDArray minus = images.dup();
                plus.putScalar(new long[] {i, 0, r, c}, images.getDouble(i, 0, r, c) + h);
                minus.putScalar(new long[] {i, 0, r, c}, images.getDouble(i, 0, r, c) - h);
                double fd = (Saliency.scores(tiny, plus)[i][classes[i]] - Saliency.scores(tiny, minus)[i][classes[i]]) / (2 * h);
                double err = Math.abs(fd - g[i][r][c]) / scale;
                worst = Math.max(worst, err);
                checked++;
            }
        }
        assertEquals(36, checked);
        assertTrue(worst < 0.02, "largest difference from the finite differences, relative to the largest gradient: " + worst);
    }

    @Test
    void saliencyMapsAreScaledMagnitudes() {
        float[][][] m = Saliency.maps(tiny, images, classes);
        assertEquals(3, m.length);
        for (float[][] map : m) {
            assertEquals(28, map.length);
            assertEquals(28, map[0].length);
            float max = 0;
            for (float[] row : map) {
                for (float v : row) {
                    assertTrue(v >= 0 && v <= 1);
                    max = Math.max(max, v);
                }
            }
            assertEquals(1f, max, 1e-6);
        }
    }

    @Test
    void gradCamWeightsTheLastConvolutionsMapsByTheirMeanGradient() {
        int k = GradCam.lastConvolution(tiny);
        assertEquals("conv2", tiny.network().getLayer(k).conf().getLayer().getLayerName());
        float[][][] coarse = GradCam.coarseMaps(tiny, images, classes);
        // conv2: 3x3 valid on the 14x14 pooled maps -> 12x12
        assertEquals(12, coarse[0].length);
        assertEquals(12, coarse[0][0].length);
        // the gradient of the score with respect to the layer's activations, by finite differences on the tail
        var tail = InferenceNetwork.of(tiny.network(), k + 1);
        INDArray a = tiny.network().feedForwardToLayer(k, images, false).get(k + 1).dup();
        double h = 3e-3;
        float[][][][] av = GradCam.toArray(a);
        int ch = av[0].length;
        float[][] expected = new float[12][12];
        int i = 1;
        for (int c = 0; c < ch; c++) {
            double alpha = 0;
            for (int r = 0; r < 12; r++) {
                for (int s = 0; s < 12; s++) {
                    INDArray plus = a.dup();
                    INDArray minus = a.dup();
                    plus.putScalar(new long[] {i, c, r, s}, a.getDouble(i, c, r, s) + h);
                    minus.putScalar(new long[] {i, c, r, s}, a.getDouble(i, c, r, s) - h);
                    alpha += (tail.output(plus, false).getDouble(i, classes[i]) - tail.output(minus, false).getDouble(i, classes[i])) / (2 * h);
                }
            }
            alpha /= 144;
            for (int r = 0; r < 12; r++) {
                for (int s = 0; s < 12; s++) {
                    expected[r][s] += (float) (alpha * av[i][c][r][s]);
                }
            }
        }
        double scale = 1e-6;
        for (float[] row : expected) {
            for (float v : row) {
                scale = Math.max(scale, Math.abs(v));
            }
        }
        for (int r = 0; r < 12; r++) {
            for (int s = 0; s < 12; s++) {
                assertEquals(Math.max(0, expected[r][s]), coarse[i][r][s], 0.03 * scale, "Grad-CAM at " + r + "," + s);
            }
        }
        float[][][] maps = GradCam.maps(tiny, images, classes);
        for (float[][] m : maps) {
            assertEquals(28, m.length);
            assertEquals(28, m[0].length);
            float max = 0;
            for (float[] row : m) {
                for (float v : row) {
                    assertTrue(v >= 0 && v <= 1, "Grad-CAM value " + v + " outside [0, 1]");
                    max = Math.max(max, v);
                }
            }
            assertTrue(max == 0f || Math.abs(max - 1f) < 1e-6, "scaled to its largest value: " + max);
        }
    }

    @Test
    void occlusionMapsAreMeanProbabilityDrops() {
        float[][][] m = Occlusion.maps(tiny, images, classes, 6, 2);
        assertEquals(3, m.length);
        float[][] p = tiny.network().output(images, false).toFloatMatrix();
        for (int i = 0; i < 3; i++) {
            assertEquals(28, m[i].length);
            assertEquals(28, m[i][0].length);
            for (float[] row : m[i]) {
                for (float v : row) {
                    assertTrue(v >= -1 && v <= 1);
                    assertTrue(v <= p[i][classes[i]] + 1e-6, "a drop cannot exceed the probability itself");
                }
            }
        }
        // the corner pixel is covered by one patch only: its value is that patch's drop
        INDArray hidden = images.dup();
        hidden.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 6), org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 6)).assign(0);
        float[][] q = tiny.network().output(hidden, false).toFloatMatrix();
        for (int i = 0; i < 3; i++) {
            assertEquals(p[i][classes[i]] - q[i][classes[i]], m[i][0][0], 1e-5);
        }
        assertEquals(java.util.List.of(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22),
                java.util.Arrays.stream(Occlusion.starts(28, 6, 2)).boxed().toList());
        assertEquals(java.util.List.of(0, 5, 10, 15, 18), java.util.Arrays.stream(Occlusion.starts(28, 10, 5)).boxed().toList());
        assertThrows(IllegalArgumentException.class, () -> Occlusion.maps(tiny, images, classes, 0, 2));
        assertThrows(IllegalArgumentException.class, () -> Occlusion.maps(tiny, images, new int[] {1}, 6, 2));
    }

    @Test
    void denseModelsAreRefusedWithAClearError() {
        Model dense = Models.dense().width(8).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Saliency.maps(dense, Nd4j.rand(DataType.FLOAT, 1, 1, 28, 28), new int[] {0}));
        assertTrue(e.getMessage().contains("convolutional"), e.getMessage());
    }

    @Test
    void principalComponentsOfKnownData() {
        // points on a line y = 2x plus a small spread along (2, -1): the first component is (1, 2)/sqrt(5)
        int n = 200;
        INDArray data = Nd4j.create(DataType.DOUBLE, n, 2);
        Random random = new Random(5);
        for (int i = 0; i < n; i++) {
            double t = random.nextGaussian() * 3;
            double u = random.nextGaussian() * 0.1;
            data.putScalar(i, 0, 1 + t + 2 * u);
            data.putScalar(i, 1, -2 + 2 * t - u);
        }
        double[][] xy = new double[n][2];
        double[] explained = Embedding.project(data, xy);
        assertTrue(explained[0] > 0.99, "first component explains " + explained[0]);
        assertEquals(1.0, explained[0] + explained[1], 1e-9);
        for (int i = 0; i < n; i++) {
            double along = ((data.getDouble(i, 0) - mean(data, 0)) + 2 * (data.getDouble(i, 1) - mean(data, 1))) / Math.sqrt(5);
            assertEquals(Math.abs(along), Math.abs(xy[i][0]), 1e-2); // the sample's first component is within noise of (1, 2)
        }
    }

    private static double mean(INDArray a, int column) {
        return a.getColumn(column).meanNumber().doubleValue();
    }
}
