package fashion.models.fastdense;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;

import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.indexing.NDArrayIndex;

import fashion.engine.Engine;
import fashion.models.fast.Activations;
import fashion.models.fast.InputGradient;

/**
 * Runtime layer of {@link FastDenseLayer}. The fast path covers a plain dense layer (no dropout on its input, no
 * weight noise, no layer normalization, no mask); anything else runs DL4J's own code.
 *
 * <p>Optionally ({@link #columnSplitEnabled()}), in training, a wide ReLU layer ({@link #COLUMN_SPLIT_MIN} outputs or more) on a machine with two cores is
 * computed as two halves of its output units at the same time, one per core: the forward product, bias and ReLU of
 * units {@code [0, h)} on this thread and of {@code [h, nOut)} on a helper thread, and in back-propagation the ReLU
 * gradient, bias gradient and weight-gradient product of each half likewise. Deeplearning4j keeps the weights
 * column-major ({@code 'f'}, {@code [nIn, nOut]}), so each half of the weights, of their gradient and of the layer's
 * output is one contiguous block: each core reads and writes only its own half, and the bias and ReLU are applied
 * while the block just computed is in cache. Same products per output element, so the same result as one product up
 * to nothing (each element's dot product is the same sum); tested against Deeplearning4j's layer.
 */
public class FastDenseLayerImpl extends org.deeplearning4j.nn.layers.feedforward.dense.DenseLayer {
    /** Pre-activation of the last training forward pass, and the input it was computed from. */
    private transient INDArray cachedPreOutput;
    private transient INDArray cachedPreOutputInput;

    /** Output units from which a training step splits the layer's products by output halves over two cores. */
    public static final int COLUMN_SPLIT_MIN = 128;
    private static final ActivationReLU PLAIN_RELU = new ActivationReLU();

    public FastDenseLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private boolean plain() {
        return plainConfiguration() && maskArray == null && input != null && input.rank() == 2;
    }

    /** No dropout on the input, no weight noise, no layer normalization: the layer is {@code act(x W + b)}. */
    boolean plainConfiguration() {
        org.deeplearning4j.nn.conf.layers.DenseLayer c = layerConf();
        return c.getIDropout() == null && c.getWeightNoise() == null && !hasLayerNorm();
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        cachedPreOutput = null;
        cachedPreOutputInput = null;
        if (!training || !plain()) {
            return super.activate(training, workspaceMgr);
        }
        if (columnSplit()) {
            return activateByHalves(workspaceMgr);
        }
        INDArray z = preOutput(true, workspaceMgr);
        // keep z for back-propagation, activate into a new array
        cachedPreOutput = z;
        cachedPreOutputInput = this.input;
        return Activations.activateCopy(layerConf().getActivationFn(), z, workspaceMgr);
    }

    /** Whether this training step splits the layer's work by halves of its outputs (see the class comment). */
    private boolean columnSplit() {
        INDArray w = getParam(DefaultParamInitializer.WEIGHT_KEY);
        return Engine.threads() >= 2 && !Engine.inSerialScope() && columnSplitEnabled()
                && PLAIN_RELU.equals(layerConf().getActivationFn()) && w.ordering() == 'f' && w.dataType() == DataType.FLOAT
                && w.elementWiseStride() == 1 && w.size(1) >= COLUMN_SPLIT_MIN && input.dataType() == DataType.FLOAT
                && (!hasBias() || getParam(DefaultParamInitializer.BIAS_KEY).elementWiseStride() == 1);
    }

    /**
     * The output-half split is off unless turned on with {@code -Dfashion.denseSplit=true} or
     * {@code FASHION_DENSE_SPLIT=1}: it adds two thread hand-offs per step, and no gain was measured (2026-11-26: 7.15
     * vs 7.11 ms per step; 2026-11-30 under a load of 20-45 on 2 cores, no difference within the noise).
     */
    static boolean columnSplitEnabled() {
        return fashion.engine.Engine.Switch.DENSE_SPLIT.on();
    }

    private INDArray activateByHalves(LayerWorkspaceMgr workspaceMgr) {
        INDArray w = getParam(DefaultParamInitializer.WEIGHT_KEY);
        INDArray b = hasBias() ? getParam(DefaultParamInitializer.BIAS_KEY) : null;
        INDArray x = input;
        long n = x.size(0);
        long nOut = w.size(1);
        INDArray z = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, new long[] {n, nOut}, 'f');
        INDArray a = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, new long[] {n, nOut}, 'f');
        long h = half(nOut);
        Engine.concurrently(() -> forwardHalf(x, w, b, z, a, 0, h), () -> forwardHalf(x, w, b, z, a, h, nOut));
        cachedPreOutput = z;
        cachedPreOutputInput = this.input;
        return a;
    }

    /** Splits {@code nOut} near its middle, at a multiple of 16 (whole vector registers for each half). */
    private static long half(long nOut) {
        return Math.max(16, (nOut / 2 + 8) / 16 * 16);
    }

    /** Output units {@code [from, to)}: {@code z = x W + b}, {@code a = relu(z)}; both column-major. */
    private static void forwardHalf(INDArray x, INDArray w, INDArray b, INDArray z, INDArray a, long from, long to) {
        INDArray zv = z.get(NDArrayIndex.all(), NDArrayIndex.interval(from, to));
        Nd4j.gemm(x, w.get(NDArrayIndex.all(), NDArrayIndex.interval(from, to)), zv, false, false, 1.0, 0.0);
        int n = (int) z.size(0);
        FloatBuffer zb = z.data().asNioFloat();
        FloatBuffer ab = a.data().asNioFloat();
        int zo = (int) z.offset();
        int ao = (int) a.offset();
        float[] col = new float[n];
        FloatBuffer bb = b == null ? null : b.data().asNioFloat();
        int bo = b == null ? 0 : (int) b.offset();
        for (int j = (int) from; j < to; j++) {
            zb.get(zo + j * n, col, 0, n);
            float bj = bb == null ? 0f : bb.get(bo + j);
            for (int i = 0; i < n; i++) {
                col[i] += bj;
            }
            zb.put(zo + j * n, col, 0, n);
            for (int i = 0; i < n; i++) {
                col[i] = col[i] < 0f ? 0f : col[i]; // NaN stays NaN, as in libnd4j
            }
            ab.put(ao + j * n, col, 0, n);
        }
    }

    /**
     * Output units {@code [from, to)} of back-propagation: {@code delta = epsilon * (z > 0)} into {@code z}, the bias
     * gradient (column sums of delta) and the weight gradient {@code x^T delta}; all column-major.
     */
    private static void backwardHalf(INDArray x, INDArray z, INDArray epsilon, INDArray weightGrad, INDArray biasGrad,
            long from, long to) {
        int n = (int) z.size(0);
        FloatBuffer zb = z.data().asNioFloat();
        FloatBuffer eb = epsilon.data().asNioFloat();
        int zo = (int) z.offset();
        int eo = (int) epsilon.offset();
        float[] zc = new float[n];
        float[] ec = new float[n];
        FloatBuffer gb = biasGrad == null ? null : biasGrad.data().asNioFloat();
        int go = biasGrad == null ? 0 : (int) biasGrad.offset();
        for (int j = (int) from; j < to; j++) {
            zb.get(zo + j * n, zc, 0, n);
            eb.get(eo + j * n, ec, 0, n);
            float sum = 0f;
            for (int i = 0; i < n; i++) {
                float d = zc[i] > 0f ? ec[i] : 0f;
                zc[i] = d;
                sum += d;
            }
            zb.put(zo + j * n, zc, 0, n);
            if (gb != null) {
                gb.put(go + j, sum);
            }
        }
        Nd4j.gemm(x, z.get(NDArrayIndex.all(), NDArrayIndex.interval(from, to)),
                weightGrad.get(NDArrayIndex.all(), NDArrayIndex.interval(from, to)), true, false, 1.0, 0.0);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        INDArray z = cachedPreOutput;
        boolean cached = z != null && cachedPreOutputInput == this.input;
        cachedPreOutput = null;
        cachedPreOutputInput = null;
        if (!cached || !plain()) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        Gradient ret = new DefaultGradient();
        INDArray weightGrad = gradientViews.get(DefaultParamInitializer.WEIGHT_KEY);
        INDArray biasGrad = hasBias() ? gradientViews.get(DefaultParamInitializer.BIAS_KEY) : null;
        INDArray delta;
        if (z.ordering() == 'f' && epsilon.ordering() == 'f' && z.elementWiseStride() == 1
                && epsilon.elementWiseStride() == 1 && epsilon.dataType() == DataType.FLOAT
                && java.util.Arrays.equals(z.shape(), epsilon.shape()) && weightGrad.ordering() == 'f'
                && weightGrad.elementWiseStride() == 1 && (biasGrad == null || biasGrad.elementWiseStride() == 1)
                && columnSplit()) {
            INDArray x = input;
            long nOut = z.size(1);
            long h = half(nOut);
            Engine.concurrently(() -> backwardHalf(x, z, epsilon, weightGrad, biasGrad, 0, h),
                    () -> backwardHalf(x, z, epsilon, weightGrad, biasGrad, h, nOut));
            delta = z;
        } else {
            delta = Activations.backprop(layerConf().getActivationFn(), z, epsilon);
            Nd4j.gemm(input.castTo(weightGrad.dataType()), delta, weightGrad, true, false, 1.0, 0.0);
            if (biasGrad != null) {
                delta.sum(biasGrad, 0);
            }
        }
        ret.gradientForVariable().put(DefaultParamInitializer.WEIGHT_KEY, weightGrad);
        if (biasGrad != null) {
            ret.gradientForVariable().put(DefaultParamInitializer.BIAS_KEY, biasGrad);
        }
        INDArray w = getParam(DefaultParamInitializer.WEIGHT_KEY);
        INDArray epsilonNext;
        if (InputGradient.unused(getIndex())) {
            epsilonNext = workspaceMgr.create(ArrayType.ACTIVATION_GRAD, delta.dataType(), input.shape(), 'c');
        } else {
            epsilonNext = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, delta.dataType(),
                    new long[] {w.size(0), delta.size(0)}, 'f');
            epsilonNext = w.mmuli(delta.transpose(), epsilonNext).transpose();
        }
        return new Pair<>(ret, epsilonNext);
    }

    @Override
    public void clear() {
        super.clear();
        cachedPreOutput = null;
        cachedPreOutputInput = null;
    }
}
