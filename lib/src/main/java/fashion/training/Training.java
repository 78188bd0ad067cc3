package fashion.training;

import java.util.Locale;
import java.util.Random;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import fashion.data.FashionMnist;
import fashion.data.QuickMode;
import fashion.data.Split;
import fashion.engine.Arguments;
import fashion.engine.Engine;
import fashion.engine.StopSignal;
import fashion.evaluation.Evaluation;
import fashion.models.Model;

/**
 * Trains a model on the training split, measuring the training and validation curves after each epoch.
 *
 * <pre>
 * History history = Training.fit(model, data, 10);   // live progress in the cell
 * </pre>
 *
 * Training stops early, keeping the model and the history so far, when the notebook's interrupt button is
 * pressed (however often: at the next minibatch, or at the next chunk of images of the end-of-epoch evaluation; see
 * {@link Interrupts}) or when the loss becomes NaN or infinite. In quick mode
 * ({@code FASHION_QUICK=1}) the epochs are capped at {@link QuickMode#MAX_EPOCHS}.
 */
public final class Training {
    private static final String DATA_FIX = "Load the data first, e.g. var data = FashionMnist.load();";
    private static volatile History last;

    private Training() {
    }

    /** Trains for {@code epochs} epochs with batch size 32. */
    public static History fit(Model model, FashionMnist data, int epochs) {
        Arguments.required(data, "Training.fit", "the data", DATA_FIX);
        return fit(model, data, TrainingOptions.epochs(epochs));
    }

    public static History fit(Model model, FashionMnist data, TrainingOptions options) {
        Arguments.required(data, "Training.fit", "the data", DATA_FIX);
        return fit(model, data.train(), data.validation(), options);
    }

    /** Trains on {@code train}, measuring {@code validation} after each epoch. */
    public static History fit(Model model, Split train, Split validation, TrainingOptions options) {
        Arguments.required(model, "Training.fit", "the model", "Build one first, e.g. var model = Models.seedDense();");
        Arguments.required(train, "Training.fit", "the training split", DATA_FIX + " Then pass data.train().");
        Arguments.required(validation, "Training.fit", "the validation split", DATA_FIX + " Then pass data.validation().");
        Arguments.required(options, "Training.fit", "the training options", "Pass TrainingOptions.epochs(n), or call "
                + "Training.fit(model, data, epochs).");
        options.validate();
        Engine.init();
        Interrupts.install();
        int epochs = QuickMode.epochs(options.epochs());
        int n = train.size();
        int batch = options.batchSize();
        if (n == 0) {
            throw new IllegalArgumentException("the training split is empty");
        }
        int batches = (n + batch - 1) / batch;
        History history = new History(model.name(), epochs, batch, n);
        last = history;
        MultiLayerNetwork net = model.network();
        INDArray features = train.dense();
        INDArray targets = train.oneHot();
        if (options.labelSmoothing() > 0) { // y (1 - epsilon) + epsilon / classes, as Keras' label_smoothing
            double epsilon = options.labelSmoothing();
            targets = targets.mul(1 - epsilon).addi(epsilon / targets.size(1));
        }
        Split sample = train.select(firstOfPermutation(n, options.seed(), Math.min(n, options.trainingSample())));
        Random random = new Random(options.seed());
        int[] order = identity(n);
        MinibatchRows xRows = new MinibatchRows(features, batch);
        MinibatchRows yRows = new MinibatchRows(targets, batch);
        // from here the interrupt button asks training to stop at its next step; begun before the first output, since
        // an interrupt flag left on this thread (a press while the kernel compiled this cell) would fail the kernel's
        // display of the progress bar (its socket write ends with "Errno 4")
        Interrupts.beginTraining();
        WeightAverage average = null;
        try {
            Progress progress = new Progress(options.progress(), model.name(), epochs, batches);
            Augmentation augmentation = new Augmentation(options.flipHorizontally(), options.shift(),
                    new Random(options.seed() * 31 + 7), options.erasing(), new Random(options.seed() * 31 + 11));
            average = options.averageWeightsMomentum() > 0 ? new WeightAverage(net, options.averageWeightsMomentum()) : null;
            // dropout masks come from ND4J's random generator of this thread: start it from the model's and the
            // training's seeds, so that dropout follows them whatever ran before in the notebook
            Object modelSeed = model.settings().get("seed");
            Nd4j.getRandom().setSeed((modelSeed instanceof Number s ? s.longValue() : 0L) * 1_000_003L + options.seed());
            for (int epoch = 1; epoch <= epochs; epoch++) {
                shuffle(order, random);
                long start = System.nanoTime();
                double lossSum = 0;
                int seen = 0;
                for (int b = 0; b < batches; b++) {
                    int from = b * batch;
                    int to = Math.min(n, from + batch);
                    int[] rows = java.util.Arrays.copyOfRange(order, from, to);
                    INDArray x = xRows.pull(rows);
                    if (augmentation.active()) {
                        x = augmentation.apply(x);
                    }
                    INDArray y = yRows.pull(rows);
                    net.fit(model.features(x), y);
                    double loss = net.score();
                    if (!Double.isFinite(loss)) {
                        String msg = String.format(Locale.ROOT,
                                "training diverged: the loss became %s at epoch %d, batch %d/%d. Try a lower learning rate "
                                        + "(now %s) or a smaller L2 factor; the history up to epoch %d is kept.",
                                loss, epoch, b + 1, batches, model.settings().getOrDefault("learningRate", "?"), epoch - 1);
                        history.end(History.Status.DIVERGED, msg);
                        progress.end(msg);
                        return history;
                    }
                    if (average != null) {
                        average.update(net);
                    }
                    lossSum += loss * (to - from);
                    seen += to - from;
                    if (StopSignal.requested()) {
                        String msg = String.format(Locale.ROOT, "interrupted at epoch %d, batch %d/%d: the model and the "
                                + "history of the %d finished epochs are kept.", epoch, b + 1, batches, epoch - 1);
                        history.end(History.Status.INTERRUPTED, msg);
                        progress.end(msg);
                        return history;
                    }
                    progress.batch(epoch, b + 1, lossSum / seen);
                }
                net.incrementEpochCount(); // epoch-based learning-rate schedules (Models...learningRateDecay)
                double seconds = (System.nanoTime() - start) / 1e9;
                Evaluation onTrain;
                Evaluation onValidation;
                if (average != null) { // measure the weights the run will end with
                    average.swapIn(net);
                }
                try { // the evaluation stops between chunks of images when the interrupt button is pressed
                    onTrain = Evaluation.of(model, sample, options.mirrorWhenEvaluating());
                    onValidation = Evaluation.of(model, validation, options.mirrorWhenEvaluating());
                } catch (StopSignal.Stopped stopped) {
                    String msg = String.format(Locale.ROOT, "interrupted while measuring epoch %d (%s): the model, trained for "
                            + "%d epochs, and the history of the %d measured epochs are kept.", epoch, stopped.getMessage(), epoch,
                            epoch - 1);
                    history.end(History.Status.INTERRUPTED, msg);
                    progress.end(msg);
                    return history;
                } finally { // also after an evaluation that was stopped or failed
                    if (average != null) {
                        average.restore(net);
                    }
                }
                Epoch e = new Epoch(epoch, onTrain.loss(), onTrain.accuracy(), onValidation.loss(), onValidation.accuracy(),
                        lossSum / seen, seconds);
                history.add(e);
                progress.epoch(e);
                if (!Double.isFinite(e.validationLoss())) {
                    String msg = String.format(Locale.ROOT, "training diverged: the validation loss became %s after epoch %d. "
                            + "Try a lower learning rate.", e.validationLoss(), epoch);
                    history.end(History.Status.DIVERGED, msg);
                    progress.end(msg);
                    return history;
                }
                if (StopSignal.requested() && epoch < epochs) {
                    String msg = String.format(Locale.ROOT, "interrupted after epoch %d: the model and the history of the %d "
                            + "finished epochs are kept.", epoch, epoch);
                    history.end(History.Status.INTERRUPTED, msg);
                    progress.end(msg);
                    return history;
                }
            }
            progress.end("");
            return history;
        } catch (RuntimeException | Error e) {
            history.end(History.Status.FAILED, String.valueOf(e));
            throw e;
        } finally {
            Interrupts.endTraining(); // first: whatever follows, the section must end
            // with weight averaging, every run that did not fail ends with the averaged weights (completed, interrupted,
            // diverged: then the average of the steps before the diverging one); a failed run is left as it failed
            if (average != null && history.status() != History.Status.FAILED) {
                average.keep(net);
            }
        }
    }

    /** The history of the most recent training run in this JVM, even if its cell failed. */
    public static History lastHistory() {
        return last;
    }

    private static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    private static void shuffle(int[] a, Random random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    private static int[] firstOfPermutation(int n, long seed, int k) {
        int[] a = identity(n);
        shuffle(a, new Random(seed ^ 0x5DEECE66DL));
        int[] out = java.util.Arrays.copyOf(a, k);
        java.util.Arrays.sort(out);
        return out;
    }

    /**
     * The rows of a minibatch, gathered into one array reused for every full minibatch ({@code Nd4j.pullRows} into
     * it), instead of a new native array per step: those are freed only when the garbage collector finds their Java
     * wrappers, so until a collection each step took fresh memory from the system (the seed dense model's 32 x 784
     * images: 100 KB, about 25 page faults per step). Each call returns a new view object of the array, so that a layer
     * that recognises its last input by identity sees a new one; the previous minibatch's contents are overwritten,
     * which training never reads again. A smaller last minibatch gets an array of its own.
     */
    static final class MinibatchRows {
        private final INDArray source;
        private final int batch;
        private INDArray buffer;

        MinibatchRows(INDArray source, int batch) {
            this.source = source;
            this.batch = batch;
        }

        INDArray pull(int[] rows) {
            if (rows.length != batch || source.rank() != 2) {
                return Nd4j.pullRows(source, 1, rows);
            }
            if (buffer == null) {
                try (org.nd4j.linalg.api.memory.MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                    buffer = Nd4j.createUninitialized(source.dataType(), new long[] {batch, source.size(1)}, 'c');
                }
            }
            Nd4j.pullRows(source, buffer, 1, rows);
            return buffer.reshape('c', batch, source.size(1)); // a new view object over the same memory
        }
    }
}
