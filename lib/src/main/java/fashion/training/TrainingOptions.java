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
        return o;
    }

    @Override
    public String toString() {
        return "epochs=" + epochs + " batchSize=" + batchSize + " seed=" + seed + (flipHorizontally ? " flipHorizontally" : "")
                + (shift > 0 ? " shift=" + shift : "") + (erasing > 0 ? " eraseRandomly=" + erasing : "") + (mirrorWhenEvaluating ? " mirrorWhenEvaluating" : "");
    }
}
