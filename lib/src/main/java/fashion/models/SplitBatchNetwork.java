package fashion.models;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import fashion.engine.Engine;
import fashion.models.fastdense.DenseTrainingStep;

/**
 * A {@link MultiLayerNetwork} that computes the gradient of each training minibatch as two halves at the same time,
 * one per core: this network takes the first half, a replica sharing its parameters takes the second on a helper
 * thread, and the two gradients (sums over their examples, as Deeplearning4j's losses give them) are added before
 * the usual update (L2, division by the whole minibatch, Adam). The result is the same gradient as one pass over the
 * whole minibatch, up to the order of float summation.
 *
 * <p>Why: at batch 32 the operations of a training step are small, and running each of them on two threads (OpenMP
 * inside oneDNN, OpenBLAS's workers) spends much of the second core starting, waking and synchronising threads. Two
 * independent halves synchronise once per step. Everything else (listeners, updater, iteration counts, interrupts)
 * is Deeplearning4j's own {@code fit}.
 *
 * <p>Used when the machine has at least two cores and the network {@linkplain #splittable convolves and has only plain
 * layers}; otherwise, and for minibatches of one example, this network trains like {@link MultiLayerNetwork}. A
 * multilayer perceptron that {@link DenseTrainingStep} covers skips Deeplearning4j's {@code fit} altogether and trains
 * through that step (the same weights bit for bit); every network's Adam update is the {@linkplain
 * fashion.models.fastupdate.FusedUpdate fused update} where it applies.
 * {@code -Dfashion.splitBatch=false} (or {@code FASHION_SPLIT_BATCH=0}) turns it off. A network loaded with
 * {@code ModelFiles.load} is a plain {@link MultiLayerNetwork}; {@code ModelFiles.restore} into a model from
 * {@link Models} keeps the splitting.
 */
public class SplitBatchNetwork extends MultiLayerNetwork {
    private static final long serialVersionUID = 1L;

    private transient MultiLayerNetwork replica;
    private transient Boolean eligible;
    private transient DenseTrainingStep denseStep;
    private transient boolean denseStepChecked;

    public SplitBatchNetwork(MultiLayerConfiguration conf) {
        super(conf);
    }

    /** True when the minibatches of this network are split in two (see the class comment). */
    public boolean splitsBatches() {
        if (eligible == null) {
            eligible = enabled() && Engine.threads() >= 2 && splittable(getLayerWiseConfigurations());
        }
        return eligible;
    }

    /** For tests: forces splitting on or off for this network (null: decide as usual). */
    void forceSplitting(Boolean on) {
        eligible = on;
    }

    static boolean enabled() {
        return fashion.engine.Engine.Switch.SPLIT_BATCH.on();
    }

    /**
     * At least one convolution, and no dropout and no batch normalization anywhere (a replica then computes exactly
     * the same function). Without convolutions the step is bound by reading the dense weights, which both halves
     * read in full: the seed's dense model did not get faster (median 7.0 vs 6.5 ms per step), while the seed's CNN
     * went from 53.1 to 34.9 ms (alternating A/B on real batches).
     */
    static boolean splittable(MultiLayerConfiguration conf) {
        boolean convolutional = false;
        for (NeuralNetConfiguration c : conf.getConfs()) {
            Layer layer = c.getLayer();
            if (layer instanceof BatchNormalization || layer.getIDropout() != null
                    || (layer instanceof BaseLayer && ((BaseLayer) layer).getWeightNoise() != null)) {
                return false;
            }
            convolutional |= layer instanceof org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
        }
        return convolutional;
    }

    /**
     * Trains one minibatch: through {@link DenseTrainingStep} when this network is a multilayer perceptron it covers
     * (same result bit for bit, without Deeplearning4j's per-step overhead), otherwise through Deeplearning4j's
     * {@code fit}.
     */
    @Override
    public void fit(INDArray features, INDArray labels) {
        DenseTrainingStep step = denseTrainingStep();
        if (step != null && getListeners().isEmpty()) {
            // what Deeplearning4j's first fit would set up before its first update, so that the first step is fast too
            if (getFlattenedGradients() == null) {
                initGradientsView();
            }
            if (solver == null) {
                solver = new org.deeplearning4j.optimize.Solver.Builder().configure(conf()).listeners(getListeners())
                        .model(this).build();
            }
            fashion.models.fastupdate.FusedUpdate.install(this);
        }
        if (step != null && step.applies(features, labels)) {
            step.fit(features, labels);
            return;
        }
        super.fit(features, labels);
    }

    /** The multilayer-perceptron step of this network, or null when it trains through Deeplearning4j's fit. */
    public DenseTrainingStep denseTrainingStep() {
        if (!denseStepChecked) {
            denseStep = DenseTrainingStep.forNetwork(this);
            denseStepChecked = true;
        }
        return denseStep;
    }

    @Override
    public void computeGradientAndScore(LayerWorkspaceMgr workspaceMgr) {
        // called by the optimizer before its update: one fused pass for L2, Adam and the step (FusedUpdate)
        fashion.models.fastupdate.FusedUpdate.install(this);
        INDArray x = getInput();
        INDArray y = getLabels();
        long n = x == null ? 0 : x.size(0);
        if (n < 2 || y == null || !splitsBatches() || getLayerWiseConfigurations().getBackpropType()
                != org.deeplearning4j.nn.conf.BackpropType.Standard || getMaskArray() != null) {
            super.computeGradientAndScore(workspaceMgr);
            return;
        }
        long half = (n + 1) / 2;
        INDArray x0 = x.get(NDArrayIndex.interval(0, half));
        INDArray y0 = y.get(NDArrayIndex.interval(0, half));
        INDArray x1 = x.get(NDArrayIndex.interval(half, n));
        INDArray y1 = y.get(NDArrayIndex.interval(half, n));
        MultiLayerNetwork other = replica();
        other.setIterationCount(getIterationCount());
        other.setEpochCount(getEpochCount());
        try {
            // both halves get the same workspace manager: it only names the workspaces and their configurations, and
            // Deeplearning4j's workspaces themselves are per thread
            Engine.concurrently(() -> {
                setInput(x0);
                setLabels(y0);
                super.computeGradientAndScore(workspaceMgr);
            }, () -> {
                other.setInput(x1);
                other.setLabels(y1);
                other.computeGradientAndScore(workspaceMgr);
            });
        } finally {
            // the updater divides by batchSize(), the size of the input: the whole minibatch
            setInput(x);
            setLabels(y);
        }
        getFlattenedGradients().addi(other.getFlattenedGradients());
        setScore((score() * half + other.score() * (n - half)) / n);
        other.clearLayersStates();
    }

    /** The network that computes the second half: same configuration, sharing this network's parameter array. */
    private MultiLayerNetwork replica() {
        INDArray params = params();
        if (replica == null || replica.params() != params) {
            MultiLayerNetwork r = new MultiLayerNetwork(getLayerWiseConfigurations().clone());
            r.init(params, false);
            replica = r;
        }
        return replica;
    }
}
