package fashion.explain;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

import fashion.models.Model;

/**
 * Input-gradient saliency (Simonyan, Vedaldi and Zisserman, "Deep Inside Convolutional Networks", 2014): the gradient
 * of a class's score (the output layer's pre-softmax value, its logit) with respect to every input pixel, at the
 * trained network's inference function (dropout off, batch normalization with its running statistics). Large
 * magnitudes mark the pixels whose change would change the score most.
 *
 * <pre>
 * float[][][] g = Saliency.gradients(model, images, classes);   // [n][28][28], d score_c / d pixel
 * float[][][] s = Saliency.maps(model, images, classes);        // |gradient| scaled to [0, 1] per image
 * </pre>
 */
public final class Saliency {
    private Saliency() {
    }

    /**
     * The gradient of class {@code classes[i]}'s score with respect to image {@code i}'s pixels.
     *
     * @param images {@code [n, 1, 28, 28]}, pixels in [0, 1]
     * @param classes one class index per image, in 0..9
     * @return {@code [n][28][28]}, score units per unit of pixel intensity
     */
    public static float[][][] gradients(Model model, INDArray images, int[] classes) {
        INDArray x = Maps.images(model, images);
        MultiLayerNetwork copy = InferenceNetwork.of(model.network(), 0);
        Maps.checkClasses(classes, x.size(0), Maps.numClasses(copy));
        INDArray minusGradient = copy.calculateGradients(x, Maps.oneHot(classes, Maps.numClasses(copy), x.dataType()), null, null)
                .getSecond();
        float[][][] out = new float[classes.length][][];
        for (int i = 0; i < out.length; i++) {
            out[i] = Maps.plane(minusGradient, i, 0);
            for (float[] row : out[i]) {
                for (int c = 0; c < row.length; c++) {
                    row[c] = -row[c];
                }
            }
        }
        return out;
    }

    /** The class scores (logits) of the trained network at inference, {@code [n][classes]}. */
    public static float[][] scores(Model model, INDArray images) {
        INDArray x = Maps.images(model, images);
        return InferenceNetwork.of(model.network(), 0).output(x, false).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT)
                .toFloatMatrix();
    }

    /** Saliency maps: the gradients' magnitudes, each image's divided by its largest, so in [0, 1] ({@code [n][28][28]}). */
    public static float[][][] maps(Model model, INDArray images, int[] classes) {
        float[][][] g = gradients(model, images, classes);
        for (float[][] m : g) {
            float max = 0;
            for (float[] row : m) {
                for (int c = 0; c < row.length; c++) {
                    row[c] = Math.abs(row[c]);
                    max = Math.max(max, row[c]);
                }
            }
            if (max > 0) {
                for (float[] row : m) {
                    for (int c = 0; c < row.length; c++) {
                        row[c] /= max;
                    }
                }
            }
        }
        return g;
    }
}
