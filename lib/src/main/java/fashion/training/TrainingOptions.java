package fashion.training;

import fashion.models.SettingException;

/**
 * How to train: epochs (seed: 10 for Part 1, 5 for Part 2), batch size (Keras' default 32), shuffling seed,
 * and the size of the fixed training sample on which the training curve is measured after each epoch.
 *
 * <pre>
 * Training.fit(model, data, TrainingOptions.epochs(5).batchSize(64));
 * </pre>
 */
public final class TrainingOptions {
    private int epochs = 10;
    private int batchSize = 32;
    private long seed = 1;
    private int trainingSample = 5000;
    private boolean progress = true;
    private boolean flipHorizontally;
    private int shift;
    private boolean mirrorWhenEvaluating;
    private double erasing;
    private double averageWeights;
    private double labelSmoothing;

    private TrainingOptions() {
    }

    public static TrainingOptions defaults() {
        return new TrainingOptions();
    }

    public static TrainingOptions epochs(int epochs) {
        return new TrainingOptions().withEpochs(epochs);
    }

    public TrainingOptions withEpochs(int epochs) {
        TrainingOptions o = copy();
        o.epochs = epochs;
        return o;
    }

    public TrainingOptions batchSize(int size) {
        TrainingOptions o = copy();
        o.batchSize = size;
        return o;
    }

    /** Seed of the order in which training images are visited each epoch. */
    public TrainingOptions seed(long seed) {
        TrainingOptions o = copy();
        o.seed = seed;
        return o;
    }

    /** Training images (a fixed prefix of the shuffled set) evaluated after each epoch for the training curve. */
    public TrainingOptions trainingSample(int images) {
        TrainingOptions o = copy();
        o.trainingSample = images;
        return o;
    }

    /** Whether to show live progress (in the notebook cell, or on the console outside a notebook). */
    public TrainingOptions progress(boolean show) {
        TrainingOptions o = copy();
        o.progress = show;
        return o;
    }

    /**
     * Data augmentation: mirrors a random half of the images of every minibatch left to right (a mirrored coat is
     * still a coat), so that the network sees new images in every epoch. Off by default (the seed has none).
     */
    public TrainingOptions flipHorizontally(boolean on) {
        TrainingOptions o = copy();
        o.flipHorizontally = on;
        return o;
    }

    /**
     * Data augmentation: moves every training image by a random whole number of pixels, from {@code -pixels} to
     * {@code +pixels} horizontally and vertically (independently), filling the uncovered border with background.
     * A garment a pixel or two off centre is still the same garment. 0 (the default, as in the seed) means none.
     */
    public TrainingOptions shiftRandomly(int pixels) {
        if (pixels < 0 || pixels > 27) {
            throw new SettingException("shiftRandomly must be between 0 and 27 pixels (28 x 28 images), not " + pixels
                    + "; 1 or 2 keeps the garment in the frame.");
        }
        TrainingOptions o = copy();
        o.shift = pixels;
        return o;
    }

    /**
     * Data augmentation, random erasing (Zhong et al., "Random Erasing Data Augmentation", AAAI 2020): each training
     * image, with the given probability, gets one random rectangle (2-40% of its area, aspect ratio 0.3-3.3) filled
     * with random grey values, so that the network learns to recognise a garment from any of its parts. The paper
     * uses 0.5 for Fashion-MNIST. 0 (the default, as in the seed) means none.
     *
     * @throws SettingException when the probability is outside [0, 1]
     */
    public TrainingOptions eraseRandomly(double probability) {
        if (!(probability >= 0 && probability <= 1)) {
            throw new SettingException("eraseRandomly is the probability that an image gets a rectangle erased: between 0 and 1, not "
                    + probability + "; the paper's choice for Fashion-MNIST is 0.5.");
        }
        TrainingOptions o = copy();
        o.erasing = probability;
        return o;
    }

    /**
     * Test-time augmentation: every evaluation of the run (the training sample and validation after each epoch, and
     * the test set at the end of a study's run) averages the model's class probabilities for each image and its
     * mirror image ({@code Evaluation.withMirroring}). Off by default.
     */
    public TrainingOptions mirrorWhenEvaluating(boolean on) {
        TrainingOptions o = copy();
        o.mirrorWhenEvaluating = on;
        return o;
    }

    /**
     * Weight averaging (Polyak averaging; Keras' {@code use_ema=True, ema_momentum=momentum}): keeps an exponential
     * moving average of the weights over the training steps, evaluates the averaged weights after every epoch, and
     * leaves them in the model at the end (also when training is interrupted). With momentum 0.999 the average spans
     * about the last thousand steps. 0 (the default, as in the seed) means none.
     *
     * @param momentum the weight of the average at each step, in [0.9, 1), or 0 for none
     * @throws SettingException when the momentum is outside [0.9, 1) and not 0
     */
    public TrainingOptions averageWeights(double momentum) {
        if (!(momentum == 0 || (momentum >= 0.9 && momentum < 1))) {
            throw new SettingException("averageWeights is the momentum of the weights' moving average: between 0.9 and 1 "
                    + "(excluded), or 0 for none, not " + momentum + "; 0.999 averages over about the last 1,000 steps.");
        }
        TrainingOptions o = copy();
        o.averageWeights = momentum;
        return o;
    }

    /**
     * Label smoothing (Szegedy et al., "Rethinking the Inception Architecture for Computer Vision", CVPR 2016; Keras'
     * {@code CategoricalCrossentropy(label_smoothing=epsilon)}): the network is trained towards {@code 1 - epsilon +
     * epsilon / 10} for the right class and {@code epsilon / 10} for each other one instead of 1 and 0, which keeps it
     * from growing ever more confident. Evaluations still score against the true labels. 0 (the default, as in the
     * seed) means none.
     *
     * @param epsilon the share of the target spread over all 10 classes, in [0, 1)
     * @throws SettingException when epsilon is outside [0, 1)
     */
    public TrainingOptions smoothLabels(double epsilon) {
        if (!(epsilon >= 0 && epsilon < 1)) {
            throw new SettingException("smoothLabels is the share of each target spread over the 10 classes: at least 0 and "
                    + "below 1, not " + epsilon + "; 0.1 is the usual choice.");
        }
        TrainingOptions o = copy();
        o.labelSmoothing = epsilon;
        return o;
    }

    public int epochs() {
        return epochs;
    }

    public int batchSize() {
        return batchSize;
    }

    public long seed() {
        return seed;
    }

    public int trainingSample() {
        return trainingSample;
    }

    public boolean progress() {
        return progress;
    }

    public boolean flipHorizontally() {
        return flipHorizontally;
    }

    /** The largest random shift in pixels ({@link #shiftRandomly(int)}), 0 for none. */
    public int shift() {
        return shift;
    }

    public boolean mirrorWhenEvaluating() {
        return mirrorWhenEvaluating;
    }

    /** The probability of random erasing ({@link #eraseRandomly(double)}), 0 for none. */
    public double erasing() {
        return erasing;
    }

    /** The momentum of the weights' moving average ({@link #averageWeights(double)}), 0 for none. */
    public double averageWeightsMomentum() {
        return averageWeights;
    }

    /** The label smoothing {@link #smoothLabels(double) epsilon}, 0 for none. */
    public double labelSmoothing() {
        return labelSmoothing;
    }

    /** Rejects settings outside their range, naming the setting. */
    public TrainingOptions validate() {
        SettingException.positive("epochs", epochs);
        SettingException.positive("batchSize", batchSize);
        SettingException.positive("trainingSample", trainingSample);
        return this;
    }

    private TrainingOptions copy() {
        TrainingOptions o = new TrainingOptions();
        o.epochs = epochs;
        o.batchSize = batchSize;
        o.seed = seed;
        o.trainingSample = trainingSample;
        o.progress = progress;
        o.flipHorizontally = flipHorizontally;
        o.shift = shift;
        o.mirrorWhenEvaluating = mirrorWhenEvaluating;
        o.erasing = erasing;
        o.averageWeights = averageWeights;
        o.labelSmoothing = labelSmoothing;
        return o;
    }

    @Override
    public String toString() {
        return "epochs=" + epochs + " batchSize=" + batchSize + " seed=" + seed + (flipHorizontally ? " flipHorizontally" : "")
                + (shift > 0 ? " shift=" + shift : "") + (erasing > 0 ? " eraseRandomly=" + erasing : "") + (mirrorWhenEvaluating ? " mirrorWhenEvaluating" : "")
                + (averageWeights > 0 ? " averageWeights=" + averageWeights : "")
                + (labelSmoothing > 0 ? " smoothLabels=" + labelSmoothing : "");
    }
}
