package fashion.evaluation;

import java.util.Locale;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import fashion.data.FashionMnist;
import fashion.data.Images;
import fashion.data.Split;
import fashion.engine.Engine;
import fashion.engine.StopSignal;
import fashion.models.Model;

/**
 * A model's predictions on one split: loss (cross-entropy plus the L2 penalty, as Keras' {@code evaluate}),
 * accuracy, the confusion matrix, and each image's predicted class and confidence.
 *
 * <pre>
 * Evaluation test = Evaluation.of(model, data.test());
 * test.accuracy();      // 0.87...
 * test.confusion();     // renders as a heatmap and a table in a notebook
 * </pre>
 *
 * An evaluation stops between chunks of {@value #BATCH} images when a stop is requested (the notebook's interrupt
 * button), with {@link StopSignal.Stopped} saying how far it got.
 */
public final class Evaluation {
    /**
     * Images per forward pass: large batches use the CPU better than training's 32, and an interrupt waits for at most
     * one of them (issue 15: 1,000 CNN images took up to about 2 s on the shared 2-core machine under load).
     */
    static final int BATCH = 500;

    private final String split;
    private final int[] labels;
    private final int[] predicted;
    private final float[] confidence;
    private final double crossEntropy;
    private final double regularization;
    private final ConfusionMatrix confusion;
    private final double unmirroredAccuracy;

    private Evaluation(String split, int[] labels, int[] predicted, float[] confidence, double crossEntropy, double regularization,
            double unmirroredAccuracy) {
        this.split = split;
        this.labels = labels;
        this.predicted = predicted;
        this.confidence = confidence;
        this.crossEntropy = crossEntropy;
        this.regularization = regularization;
        this.confusion = ConfusionMatrix.of(split, labels, predicted, FashionMnist.CLASS_NAMES);
        this.unmirroredAccuracy = unmirroredAccuracy;
    }

    /** Runs the model on every image of {@code split} in inference mode. */
    public static Evaluation of(Model model, Split split) {
        return of(model, split, Integer.MAX_VALUE);
    }

    /** Runs the model on the first {@code limit} images of {@code split}. */
    public static Evaluation of(Model model, Split split, int limit) {
        return of(model, split, limit, false);
    }

    /**
     * Test-time augmentation: the model sees every image of {@code split} and its mirror image (left to right), and
     * each image's class probabilities are the mean of the two. Costs a second forward pass; a network trained on
     * mirrored images ({@code TrainingOptions.flipHorizontally}) usually gets a few more images right this way.
     */
    public static Evaluation withMirroring(Model model, Split split) {
        return of(model, split, Integer.MAX_VALUE, true);
    }

    /** {@link #withMirroring} if {@code mirrored}, else {@link #of(Model, Split)}. */
    public static Evaluation of(Model model, Split split, boolean mirrored) {
        return of(model, split, Integer.MAX_VALUE, mirrored);
    }

    private static Evaluation of(Model model, Split split, int limit, boolean mirrored) {
        fashion.engine.Arguments.required(model, "Evaluation.of", "the model", "Pass a model built with Models... and trained.");
        fashion.engine.Arguments.required(split, "Evaluation.of", "the split", "Pass data.test(), data.validation() or data.train().");
        // inference batches of BATCH images: large products and convolutions, worth all cores
        Evaluation[] result = new Evaluation[1];
        Engine.parallel(() -> result[0] = compute(model, split, limit, mirrored));
        return result[0];
    }

    private static Evaluation compute(Model model, Split split, int limit, boolean mirrored) {
        MultiLayerNetwork net = model.network();
        int n = Math.min(limit, split.size());
        int[] labels = new int[n];
        int[] predicted = new int[n];
        float[] confidence = new float[n];
        double nll = 0;
        int unmirroredRight = 0;
        INDArray dense = split.dense();
        for (int from = 0; from < n; from += BATCH) {
            // the interrupt button (fashion.training.Interrupts) stops an evaluation between chunks
            StopSignal.check(String.format(Locale.ROOT, "the evaluation of the %s split stopped at the interrupt after %d of %d images",
                    split.name(), from, n));
            int to = Math.min(n, from + BATCH);
            INDArray rows = dense.get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
            INDArray probabilities = net.output(model.features(rows), false);
            if (mirrored) {
                float[][] alone = probabilities.toFloatMatrix();
                for (int i = 0; i < alone.length; i++) {
                    unmirroredRight += mostLikely(alone[i]) == split.label(from + i) ? 1 : 0;
                }
                probabilities = probabilities.add(net.output(model.features(Images.mirrored(rows)), false)).muli(0.5);
            }
            float[][] p = probabilities.toFloatMatrix();
            for (int i = 0; i < p.length; i++) {
                int truth = split.label(from + i);
                int best = mostLikely(p[i]);
                labels[from + i] = truth;
                predicted[from + i] = best;
                confidence[from + i] = p[i][best];
                nll -= Math.log(Math.max(p[i][truth], 1e-12f));
            }
        }
        double regularization = net.calcRegularizationScore(true);
        return new Evaluation(split.name(), labels, predicted, confidence, n == 0 ? Double.NaN : nll / n, regularization,
                mirrored && n > 0 ? unmirroredRight / (double) n : Double.NaN);
    }

    /** The class with the highest probability (the first of equals). */
    private static int mostLikely(float[] probabilities) {
        int best = 0;
        for (int c = 1; c < probabilities.length; c++) {
            if (probabilities[c] > probabilities[best]) {
                best = c;
            }
        }
        return best;
    }

    /** "training", "validation" or "test". */
    public String split() {
        return split;
    }

    public int size() {
        return labels.length;
    }

    /** Mean cross-entropy plus the L2 penalty (what training minimizes). */
    public double loss() {
        return crossEntropy + regularization;
    }

    /** Mean cross-entropy alone. */
    public double crossEntropy() {
        return crossEntropy;
    }

    public double accuracy() {
        return confusion.accuracy();
    }

    /**
     * For an evaluation {@link #withMirroring}: the accuracy of the same forward pass on the images alone (without
     * their mirror images); NaN otherwise.
     */
    public double unmirroredAccuracy() {
        return unmirroredAccuracy;
    }

    public ConfusionMatrix confusion() {
        return confusion;
    }

    public int label(int i) {
        return labels[i];
    }

    public int predicted(int i) {
        return predicted[i];
    }

    /** The probability the model gave its predicted class for image {@code i}. */
    public float confidence(int i) {
        return confidence[i];
    }

    /** Positions of the misclassified images, most confident mistakes first. */
    public int[] mistakes() {
        return java.util.stream.IntStream.range(0, labels.length).filter(i -> labels[i] != predicted[i]).boxed()
                .sorted((a, b) -> Float.compare(confidence[b], confidence[a])).mapToInt(Integer::intValue).toArray();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s loss: %.4f%n%s accuracy: %.4f", split, loss(), split, accuracy());
    }
}
