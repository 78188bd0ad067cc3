package fashion.models.fastdense;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.layers.BaseOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.optimize.solvers.BaseOptimizer;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;

import fashion.models.fast.FloatBlocks;
import fashion.models.fastupdate.FusedUpdate;

/**
 * One training step of a multilayer perceptron (a stack of {@link FastDenseLayer}s under an output layer, trained with
 * Adam and L2), computed without Deeplearning4j's per-step machinery: the forward pass, the loss and its gradient, the
 * back-propagation and the {@linkplain FusedUpdate fused update} write into arrays allocated once per minibatch size.
 * The products go straight to OpenBLAS with the arguments libnd4j would pass ({@link Gemm}), the softmax is libnd4j's
 * op, and the rest (bias, activation gradients, the softmax cross-entropy gradient, bias sums) are Java loops doing
 * the same float operations in the same order as Deeplearning4j's, so the weights, Adam's moments and the iteration
 * counts are Deeplearning4j's bit for bit (tested step by step); the reported loss is summed in double and agrees to
 * about 1e-7.
 *
 * <p>Why: a step of the seed's 784-700-10 network does about 75 MFLOP (0.4 ms at this machine's 200 GFLOP/s), yet
 * Deeplearning4j's {@code fit} took about 3 ms, most of it outside the products: workspaces opened and closed, arrays
 * and their shape descriptors allocated and freed, the output layer's product computed three times (for the output, its
 * gradient and the score), the gradient divided, regularized and applied in separate passes (2026-12-01 profile).
 *
 * <p>Used by the project's networks ({@code SplitBatchNetwork}) for minibatches whose network qualifies (see {@link
 * #forNetwork} and {@link #applies}): every hidden layer a plain {@link FastDenseLayer} (no dropout, weight noise, layer
 * normalization or constraints), an output layer without dropout, weight noise or constraints, no input preprocessors
 * or masks, no training listeners, standard back-propagation, and an updater the fused update can apply (Adam with at
 * most one L2 term per parameter); one-hot labels for the softmax cross-entropy shortcut (others get
 * Deeplearning4j's loss gradient). Anything else trains through Deeplearning4j's own {@code fit}.
 * {@code FASHION_DENSE_STEP=0} (or {@code -Dfashion.denseStep=false}) turns it off.
 */
public final class DenseTrainingStep {
    private static final ActivationReLU PLAIN_RELU = new ActivationReLU();
    private static final int BLOCK = 8192;
    /**
     * Order of the pre-activations: column-major, as the product Deeplearning4j's dense layer computes them with (into a
     * column-major temporary, then copied to its row-major array); the
     * products that read them must see the same layouts to give the same bits.
     */
    private static final char ORDER = 'f';

    private final MultiLayerNetwork network;
    private final FastDenseLayerImpl[] hidden;
    private final BaseOutputLayer<?> output;
    private int batch = -1;
    /** Per hidden layer, for the current minibatch size: pre-activation (column-major) and activation (row-major). */
    private INDArray[] z;
    private INDArray[] a;
    /** Output layer pre-activation (column-major), and per layer the (transposed) gradient with respect to its input. */
    private INDArray outputZ;
    private INDArray probabilities;
    private SoftMax softmax;
    private INDArray outputDelta;
    private INDArray[] epsilonT;
    private INDArray[] epsilonViews;
    private INDArray[] dzBuffer;
    private final float[][] scratch = new float[4][];
    private long steps;
    private static final String FLAT = "(flattened)";
    private final Map<Layer, Map<String, INDArray>> gradientViews = new IdentityHashMap<>();

    private DenseTrainingStep(MultiLayerNetwork network, FastDenseLayerImpl[] hidden, BaseOutputLayer<?> output) {
        this.network = network;
        this.hidden = hidden;
        this.output = output;
    }

    /** Whether the step is turned on (default) or off ({@code FASHION_DENSE_STEP=0}, {@code -Dfashion.denseStep=false}). */
    public static boolean enabled() {
        return fashion.engine.Engine.Switch.DENSE_STEP.on();
    }

    /**
     * The step for {@code network} when its layers qualify (see the class comment; the updater is checked at each
     * step), otherwise null.
     */
    public static DenseTrainingStep forNetwork(MultiLayerNetwork network) {
        if (!enabled()) {
            return null;
        }
        MultiLayerConfiguration conf = network.getLayerWiseConfigurations();
        if (conf.getBackpropType() != BackpropType.Standard || !conf.getInputPreProcessors().isEmpty()
                || network.getnLayers() < 2 || conf.getDataType() != DataType.FLOAT) {
            return null;
        }
        Layer[] layers = network.getLayers();
        FastDenseLayerImpl[] hidden = new FastDenseLayerImpl[layers.length - 1];
        for (int i = 0; i < hidden.length; i++) {
            if (!(layers[i] instanceof FastDenseLayerImpl d) || !d.plainConfiguration() || !d.hasBias()
                    || hasConstraints(d)) {
                return null;
            }
            hidden[i] = d;
        }
        Layer last = layers[layers.length - 1];
        if (last.getClass() != org.deeplearning4j.nn.layers.OutputLayer.class
                || ((BaseOutputLayer<?>) last).layerConf().getIDropout() != null
                || ((BaseOutputLayer<?>) last).layerConf().getWeightNoise() != null
                || !((BaseOutputLayer<?>) last).hasBias() || hasConstraints(last)) {
            return null;
        }
        return new DenseTrainingStep(network, hidden, (BaseOutputLayer<?>) last);
    }

    /** Weight or bias constraints, which Deeplearning4j's optimizer applies after every step (this step does not). */
    private static boolean hasConstraints(Layer layer) {
        org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer();
        return conf.getConstraints() != null && !conf.getConstraints().isEmpty();
    }

    /** Number of steps this object has trained (for tests and benchmarks). */
    public long steps() {
        return steps;
    }

    /**
     * Whether the next step can be taken here: the network's optimizer exists with the fused update in place, it has
     * no training listeners, and the minibatch is a plain float matrix with one-hot (or probability) labels.
     */
    public boolean applies(INDArray features, INDArray labels) {
        if (features == null || labels == null || features.rank() != 2 || labels.rank() != 2
                || features.dataType() != DataType.FLOAT || labels.dataType() != DataType.FLOAT
                || features.size(0) != labels.size(0) || features.size(0) < 1
                || features.size(1) != hidden[0].layerConf().getNIn() || labels.size(1) != output.layerConf().getNOut()
                || !network.getListeners().isEmpty() || network.getMaskArray() != null) {
            return false;
        }
        if (!(network.getOptimizer() instanceof BaseOptimizer base)
                || !(base.getUpdater(false) instanceof FusedUpdate.FusedUpdater fused)) {
            return false;
        }
        return fused.fusable();
    }

    /**
     * Trains one minibatch ({@code features} [n, nIn], {@code labels} [n, classes], float): the forward pass, the loss
     * (set as the network's score, with the L2 term, as Deeplearning4j reports it), back-propagation, the update of
     * the parameters and of Adam's moments, and the network's iteration count. Call only when {@link #applies} is true.
     */
    public void fit(INDArray features, INDArray labels) {
        int n = (int) features.size(0);
        buffers(n);
        INDArray x = features.ordering() == 'c' || features.ordering() == 'f' ? features : features.dup('c');
        // forward: z = a W + b, a = act(z), as BaseLayer.preOutput (same product call, same bias additions)
        INDArray in = x;
        for (int l = 0; l < hidden.length; l++) {
            FastDenseLayerImpl layer = hidden[l];
            product(in, layer.getParam(DefaultParamInitializer.WEIGHT_KEY), z[l]);
            addBias(z[l], layer.getParam(DefaultParamInitializer.BIAS_KEY));
            activate(layer.layerConf().getActivationFn(), z[l], a[l]);
            in = a[l];
        }
        INDArray wOut = output.getParam(DefaultParamInitializer.WEIGHT_KEY);
        Gemm.multiply(in, wOut, outputZ, false, false);
        addBias(outputZ, output.getParam(DefaultParamInitializer.BIAS_KEY));
        ILossFunction loss = output.layerConf().getLossFn();
        IActivation outAct = output.layerConf().getActivationFn();
        // the score, as Deeplearning4j's computeGradientAndScore: mean loss plus the L2 terms of the weights before the
        // update (which the fused update sums while it reads them, unless a regularization is not the project's L2)
        double score;
        INDArray delta;
        if (softmaxCrossEntropy(loss, outAct) && oneHot(labels)) {
            // Deeplearning4j's LossMCXENT over a softmax: p = softmax(z) (libnd4j's op, as ActivationSoftmax), the
            // gradient p * sum(y) - y per row, here p - y (every row of y sums to exactly 1), the loss -sum y log(clip(p))
            // summed in double (Deeplearning4j sums float logs: the reported loss agrees to about 1e-7; the gradient, and
            // so the weights, bit for bit); oneHot has read the labels into scratch 1
            probabilities.assign(outputZ);
            Nd4j.getExecutioner().exec(softmax); // in place, on probabilities (one op made per minibatch size)
            score = softmaxGradientAndLoss(probabilities, scratch(1, (int) labels.length()), outputDelta);
            delta = outputDelta;
        } else {
            score = loss.computeScore(labels, outputZ, outAct, null, false);
            delta = null;
        }
        if (network.conf().isMiniBatch()) {
            score /= n;
        }
        FusedUpdate.FusedUpdater updater = (FusedUpdate.FusedUpdater) ((BaseOptimizer) network.getOptimizer()).getUpdater(false);
        double regularization = updater.scoresRegularization() ? Double.NaN : network.calcRegularizationScore(true);
        // back-propagation: the output layer as BaseOutputLayer.getGradientsAndDelta and backpropGradient
        if (delta == null) {
            delta = loss.computeGradient(labels, outputZ, outAct, null);
        }
        Gemm.multiply(in, delta, gradientView(output, DefaultParamInitializer.WEIGHT_KEY), true, false);
        columnSums(delta, gradientView(output, DefaultParamInitializer.BIAS_KEY));
        Gemm.multiply(wOut, delta, epsilonT[hidden.length], false, true);
        INDArray epsilon = epsilon(hidden.length);
        for (int l = hidden.length - 1; l >= 0; l--) {
            FastDenseLayerImpl layer = hidden[l];
            INDArray dz = backprop(layer.layerConf().getActivationFn(), z[l], epsilon, dzBuffer[l]);
            INDArray layerInput = l == 0 ? x : a[l - 1];
            weightGradient(layerInput, dz, gradientView(layer, DefaultParamInitializer.WEIGHT_KEY));
            columnSums(dz, gradientView(layer, DefaultParamInitializer.BIAS_KEY));
            if (l > 0) {
                Gemm.multiply(layer.getParam(DefaultParamInitializer.WEIGHT_KEY), dz, epsilonT[l], false, true);
                epsilon = epsilon(l);
            }
        }
        // update: minibatch division, L2, Adam and the step in one pass, then the counters as BaseOptimizer keeps them
        int iteration = network.getIterationCount();
        if (!updater.applyFused(iteration, network.getEpochCount(), n)) {
            throw new IllegalStateException("the fused update no longer applies to " + network.getClass().getSimpleName()
                    + " (its updater changed during training)");
        }
        network.setScore(score + (Double.isNaN(regularization) ? updater.lastRegularizationScore() : regularization));
        network.setIterationCount(iteration + 1);
        for (Layer layer : network.getLayers()) { // as Deeplearning4j's fit synchronizes them
            layer.setIterationCount(iteration + 1);
            layer.setEpochCount(network.getEpochCount());
        }
        steps++;
    }

    /**
     * The view of {@code layer}'s gradient for parameter {@code key}, as Deeplearning4j's layers hold it (the same
     * memory in the network's flattened gradient array, the same shape and order); cached while the layer keeps its
     * gradient array.
     */
    private INDArray gradientView(Layer layer, String key) {
        INDArray flat = layer.getGradientsViewArray();
        Map<String, INDArray> views = gradientViews.get(layer);
        if (views == null || views.get(FLAT) != flat) {
            views = new HashMap<>(DefaultParamInitializer.getInstance().getGradientsFromFlattened(layer.conf(), flat));
            views.put(FLAT, flat);
            gradientViews.put(layer, views);
        }
        return views.get(key);
    }

    /** {@code z = x w}, the call Deeplearning4j's layer makes (one core: any split of the product changes its bits). */
    private static void product(INDArray x, INDArray w, INDArray z) {
        Gemm.multiply(x, w, z, false, false);
    }

    /** {@code g = x^T dz}, the call Deeplearning4j's layer makes. */
    private static void weightGradient(INDArray x, INDArray dz, INDArray g) {
        Gemm.multiply(x, dz, g, true, false);
    }

    /**
     * Whether every row of {@code y} is one 1 and zeros: then its sum is exactly 1 in any order of summation, and the
     * gradient {@code p * sum(y) - y} is Deeplearning4j's bit for bit (for other labels its row sums may round otherwise).
     * Leaves {@code y}'s values, row-major, in scratch array 1 for {@link #softmaxGradientAndLoss}.
     */
    private boolean oneHot(INDArray y) {
        int rows = (int) y.size(0);
        int cols = (int) y.size(1);
        float[] yv = scratch(1, rows * cols);
        INDArray yc = y.ordering() == 'c' && y.elementWiseStride() == 1 ? y : y.dup('c');
        yc.data().asNioFloat().get((int) yc.offset(), yv, 0, rows * cols);
        for (int i = 0; i < rows; i++) {
            int ones = 0;
            for (int j = 0, o = i * cols; j < cols; j++) {
                float v = yv[o + j];
                if (v == 1f) {
                    ones++;
                } else if (v != 0f) {
                    return false;
                }
            }
            if (ones != 1) {
                return false;
            }
        }
        return true;
    }

    /** Cross-entropy over a softmax, Deeplearning4j's LossMCXENT without weights and with its default clipping. */
    private static boolean softmaxCrossEntropy(ILossFunction loss, IActivation act) {
        return loss.getClass() == LossMCXENT.class && ((LossMCXENT) loss).getWeights() == null
                && ((LossMCXENT) loss).getSoftmaxClipEps() == 1e-10 && act.getClass() == ActivationSoftmax.class;
    }

    /**
     * From row-major probabilities {@code p} and one-hot labels {@code y} ([n, classes], as read by {@link #oneHot}):
     * {@code delta = p - y} (LossMCXENT.computeGradient's {@code p * sum(y) - y}, which does not clip, with every row sum
     * exactly 1, and {@code q * 1f == q}) and the summed loss {@code -sum y log(clip(p))} (as its score, which clips
     * {@code p} to [1e-10, 1 - 1e-10]).
     */
    private double softmaxGradientAndLoss(INDArray p, float[] y, INDArray delta) {
        int rows = (int) p.size(0);
        int cols = (int) p.size(1);
        int len = rows * cols;
        float[] pv = scratch(0, len);
        p.data().asNioFloat().get(0, pv, 0, len);
        double loss = 0;
        for (int i = 0; i < len; i++) {
            float q = pv[i];
            if (y[i] != 0f) {
                double clipped = q < CLIP ? (float) CLIP : q > 1.0 - CLIP ? (float) (1.0 - CLIP) : q;
                loss -= y[i] * Math.log(clipped);
            }
            pv[i] = q - y[i];
        }
        delta.data().asNioFloat().put(0, pv, 0, len);
        return loss;
    }

    private static final double CLIP = 1e-10;

    /** {@code sums[j] = sum_i a[i, j]} for a row-major {@code a}, the rows added in order in float. */
    private void columnSums(INDArray a, INDArray sums) {
        int n = (int) a.size(0);
        int cols = (int) a.size(1);
        if (a.ordering() != 'c' || a.elementWiseStride() != 1 || sums.elementWiseStride() != 1 || sums.length() != cols) {
            a.sum(sums, 0);
            return;
        }
        float[] v = scratch(2, n * cols);
        a.data().asNioFloat().get((int) a.offset(), v, 0, n * cols);
        float[] s = scratch(3, cols);
        java.util.Arrays.fill(s, 0, cols, 0f);
        for (int i = 0; i < n; i++) {
            for (int j = 0, o = i * cols; j < cols; j++) {
                s[j] += v[o + j];
            }
        }
        sums.data().asNioFloat().put((int) sums.offset(), s, 0, cols);
    }

    /** The transposed view of {@code epsilonT[l]}, made once per minibatch size (each view is a native shape buffer). */
    private INDArray epsilon(int l) {
        if (epsilonViews[l] == null) {
            epsilonViews[l] = epsilonT[l].transpose();
        }
        return epsilonViews[l];
    }

    /** Allocates the per-layer arrays for minibatches of {@code n} (once per size). */
    private void buffers(int n) {
        if (n == batch) {
            return;
        }
        z = new INDArray[hidden.length];
        a = new INDArray[hidden.length];
        epsilonT = new INDArray[hidden.length + 1];
        epsilonViews = new INDArray[hidden.length + 1];
        dzBuffer = new INDArray[hidden.length];
        for (int l = 0; l < hidden.length; l++) {
            long width = hidden[l].layerConf().getNOut();
            z[l] = Nd4j.createUninitialized(DataType.FLOAT, new long[] {n, width}, ORDER);
            a[l] = Nd4j.createUninitialized(DataType.FLOAT, new long[] {n, width}, 'c');
            dzBuffer[l] = Nd4j.createUninitialized(DataType.FLOAT, new long[] {n, width}, 'c');
            epsilonT[l] = Nd4j.createUninitialized(DataType.FLOAT, new long[] {hidden[l].layerConf().getNIn(), n}, 'f');
        }
        epsilonT[hidden.length] = Nd4j.createUninitialized(DataType.FLOAT,
                new long[] {output.layerConf().getNIn(), n}, 'f');
        outputZ = Nd4j.createUninitialized(DataType.FLOAT, new long[] {n, output.layerConf().getNOut()}, ORDER);
        probabilities = Nd4j.createUninitialized(DataType.FLOAT, new long[] {n, output.layerConf().getNOut()}, 'c');
        // made once, not per step: each new ND4J op draws a SecureRandom UUID for its name and builds its argument lists
        softmax = new SoftMax(probabilities, probabilities);
        outputDelta = Nd4j.createUninitialized(DataType.FLOAT, new long[] {n, output.layerConf().getNOut()}, 'c');
        batch = n;
    }

    /** {@code z[i, j] += b[j]} for a contiguous {@code z} of either order: one float addition per element, as libnd4j's. */
    private static void addBias(INDArray z, INDArray b) {
        int n = (int) z.size(0);
        int cols = (int) z.size(1);
        FloatBuffer zb = z.data().asNioFloat();
        float[] bias = new float[cols];
        b.data().asNioFloat().get((int) b.offset(), bias, 0, cols);
        float[] v = new float[n * cols];
        zb.get(0, v, 0, v.length);
        if (z.ordering() == 'f') {
            for (int j = 0; j < cols; j++) {
                float bj = bias[j];
                for (int i = j * n, end = i + n; i < end; i++) {
                    v[i] += bj;
                }
            }
        } else {
            for (int i = 0; i < n; i++) {
                for (int j = 0, o = i * cols; j < cols; j++) {
                    v[o + j] += bias[j];
                }
            }
        }
        zb.put(0, v, 0, v.length);
    }

    /** {@code out = act(z)}: ReLU as a Java loop (any layouts), any other activation as Deeplearning4j computes it. */
    private void activate(IActivation act, INDArray z, INDArray out) {
        if (PLAIN_RELU.equals(act)) {
            int n = (int) z.size(0);
            int cols = (int) z.size(1);
            int len = n * cols;
            float[] zv = scratch(0, len);
            float[] av = scratch(1, len);
            z.data().asNioFloat().get(0, zv, 0, len);
            if (z.ordering() == out.ordering()) {
                for (int k = 0; k < len; k++) {
                    av[k] = zv[k] < 0f ? 0f : zv[k]; // NaN stays NaN, as in libnd4j
                }
            } else if (z.ordering() == 'f') { // into row-major
                for (int i = 0; i < n; i++) {
                    for (int j = 0, o = i * cols, k = i; j < cols; j++, k += n) {
                        float v = zv[k];
                        av[o + j] = v < 0f ? 0f : v;
                    }
                }
            } else { // row-major into column-major
                for (int j = 0; j < cols; j++) {
                    for (int i = 0, o = j * n, k = j; i < n; i++, k += cols) {
                        float v = zv[k];
                        av[o + i] = v < 0f ? 0f : v;
                    }
                }
            }
            out.data().asNioFloat().put(0, av, 0, len);
        } else {
            out.assign(act.getActivation(z.dup(), true));
        }
    }

    /** A reusable scratch array, number {@code which}, of at least {@code len} floats. */
    private float[] scratch(int which, int len) {
        if (scratch[which] == null || scratch[which].length < len) {
            scratch[which] = new float[len];
        }
        return scratch[which];
    }

    /**
     * The gradient with respect to {@code z} given {@code epsilon}, the gradient with respect to {@code act(z)}:
     * written into {@code z} for ReLU (as the project's dense layer does), otherwise Deeplearning4j's.
     */
    private INDArray backprop(IActivation act, INDArray z, INDArray epsilon, INDArray out) {
        if (PLAIN_RELU.equals(act) && epsilon.elementWiseStride() == 1 && Arrays.equals(epsilon.shape(), z.shape())
                && (epsilon.ordering() == 'c' || epsilon.ordering() == 'f') && out.ordering() == 'c') {
            int n = (int) z.size(0);
            int cols = (int) z.size(1);
            int len = n * cols;
            float[] zv = scratch(0, len);
            float[] ev = scratch(1, len);
            float[] dv = scratch(2, len); // row-major, as Deeplearning4j's
            z.data().asNioFloat().get(0, zv, 0, len);
            epsilon.data().asNioFloat().get((int) epsilon.offset(), ev, 0, len);
            if (epsilon.ordering() == 'f') { // a column-major epsilon: read it as the row-major transpose's columns
                float[] t = scratch(3, len);
                for (int j = 0; j < cols; j++) {
                    for (int i = 0, k = j * n; i < n; i++, k++) {
                        t[i * cols + j] = ev[k];
                    }
                }
                ev = t;
            }
            if (z.ordering() == 'f') {
                for (int i = 0; i < n; i++) {
                    for (int j = 0, o = i * cols, k = i; j < cols; j++, k += n) {
                        dv[o + j] = zv[k] > 0f ? ev[o + j] : 0f;
                    }
                }
            } else {
                for (int k = 0; k < len; k++) {
                    dv[k] = zv[k] > 0f ? ev[k] : 0f;
                }
            }
            out.data().asNioFloat().put(0, dv, 0, len);
            return out;
        }
        return act.backprop(z.dup('c'), epsilon).getFirst();
    }
}
