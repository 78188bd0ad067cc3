package fashion.models.fastconv;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2DDerivative;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import fashion.engine.Engine;
import fashion.models.fast.Activations;
import fashion.models.fast.InputGradient;

/**
 * Runtime (parameterised) layer created by {@link FastConvolutionLayer}. It keeps DL4J's
 * {@link ConvolutionLayer} for everything except the arithmetic: {@link #preOutput} runs the native
 * {@code conv2d} op and {@link #backpropGradient} runs {@code conv2d_bp}, writing the weight and bias
 * gradients straight into the network's gradient views.
 *
 * <p>During training the pre-activation of the forward pass is kept (in the activations workspace, which
 * MultiLayerNetwork keeps open until back-propagation is done) so that back-propagation does not have to
 * recompute the forward convolution, as DL4J's own layer does when {@code CacheMode.NONE}.
 */
public class FastConvolutionLayerImpl extends ConvolutionLayer {

    private transient OpContext backwardContext;
    /** Pre-activation of the last training forward pass, and the input it was computed from. */
    private transient INDArray cachedPreOutput;
    private transient INDArray cachedPreOutputInput;

    public FastConvolutionLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
        // the stock layer may have picked up a oneDNN/cuDNN helper if helpers are enabled; we never use it
        this.helper = null;
    }

    private long[] iArgs(INDArray input) {
        org.deeplearning4j.nn.conf.layers.ConvolutionLayer c = layerConf();
        if (c.getCnn2dDataFormat() != null && c.getCnn2dDataFormat() != CNN2DFormat.NCHW) {
            throw new UnsupportedOperationException("FastConvolutionLayer supports NCHW only " + layerId());
        }
        if (convolutionMode == ConvolutionMode.Causal) {
            throw new UnsupportedOperationException("FastConvolutionLayer: Causal mode is 1-D only " + layerId());
        }
        int[] kernel = c.getKernelSize();
        int[] strides = c.getStride();
        int[] dilation = c.getDilation();
        int[] pad;
        if (convolutionMode == ConvolutionMode.Same) {
            int[] outSize = ConvolutionUtils.getOutputSize(input, kernel, strides, null, convolutionMode, dilation,
                    CNN2DFormat.NCHW);
            pad = ConvolutionUtils.getSameModeTopLeftPadding(outSize,
                    new int[] {(int) input.size(2), (int) input.size(3)}, kernel, strides, dilation);
        } else {
            pad = c.getPadding();
        }
        return new long[] {kernel[0], kernel[1], strides[0], strides[1], pad[0], pad[1], dilation[0], dilation[1],
                convolutionMode == ConvolutionMode.Same ? 1 : 0,
                0,  // data format: NCHW
                1}; // weight format: [oC, iC, kH, kW] (DL4J's layout)
    }

    private static INDArray contiguous(INDArray a) {
        return Shape.hasDefaultStridesForShape(a) ? a : a.dup('c');
    }

    @Override
    protected Pair<INDArray, INDArray> preOutput(boolean training, boolean forBackprop, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        validateInputRank();
        INDArray weights = getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, training, workspaceMgr);
        INDArray bias = hasBias() ? getParamWithNoise(ConvolutionParamInitializer.BIAS_KEY, training, workspaceMgr) : null;
        validateInputDepth(weights.size(1));
        INDArray in = contiguous(this.input.castTo(dataType));

        int[] kernel = layerConf().getKernelSize();
        int[] strides = layerConf().getStride();
        int[] dilation = layerConf().getDilation();
        int[] outSize = ConvolutionUtils.getOutputSize(in, kernel, strides,
                convolutionMode == ConvolutionMode.Same ? null : layerConf().getPadding(), convolutionMode, dilation,
                CNN2DFormat.NCHW); // also validates
        INDArray z = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType,
                new long[] {in.size(0), weights.size(0), outSize[0], outSize[1]}, 'c');

        long[] args = iArgs(in);
        fourierInput = null;
        long start = System.nanoTime();
        if (training && fourierEligible(in, weights, z, args)) {
            if (fourier == null) {
                fourier = new FourierConvolution();
            }
            INDArray out = z;
            timed("forward fourier", () -> fourier.forward(in, weights, bias, out, (int) args[4], (int) args[5]));
            fourierInput = this.input;
        } else {
            int[] fold = PhaseFolding.factors(weights, z, args);
            if (fold != null) {
                convolveFolded("forward", in, weights, bias, z, args, fold, ArrayType.FF_WORKING_MEM, workspaceMgr);
            } else {
                conv2d("forward", in, weights, bias, z, args);
            }
        }
        forwardNanos = System.nanoTime() - start;
        return new Pair<>(z, null);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (input == null) {
            throw new IllegalArgumentException("Cannot perform forward pass with null input " + layerId());
        }
        applyDropOutIfNecessary(training, workspaceMgr);
        INDArray z = preOutput(training, false, workspaceMgr).getFirst();
        IActivation afn = layerConf().getActivationFn();
        if (!training) {
            cachedPreOutput = null;
            cachedPreOutputInput = null;
            return afn.getActivation(z, false);
        }
        // keep z for back-propagation, activate into a new array
        cachedPreOutput = z;
        cachedPreOutputInput = this.input;
        return Activations.activateCopy(afn, z, workspaceMgr);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        INDArray weights = getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, true, workspaceMgr);
        INDArray bias = hasBias() ? getParamWithNoise(ConvolutionParamInitializer.BIAS_KEY, true, workspaceMgr) : null;
        INDArray in = contiguous(this.input.castTo(dataType));
        if (epsilon.dataType() != dataType) {
            epsilon = epsilon.castTo(dataType);
        }

        INDArray z;
        if (cachedPreOutput != null && cachedPreOutputInput == this.input) {
            z = cachedPreOutput;
        } else {
            z = preOutput(true, true, workspaceMgr).getFirst();
        }
        cachedPreOutput = null;
        cachedPreOutputInput = null;
        INDArray delta = contiguous(Activations.backprop(layerConf().getActivationFn(), z, epsilon));

        INDArray weightGradView = gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY);
        INDArray biasGradView = bias == null ? null : gradientViews.get(ConvolutionParamInitializer.BIAS_KEY);
        INDArray epsNext;
        long start = System.nanoTime();
        boolean dft = fourier != null && fourierInput == this.input;
        if (dft) {
            fourierInput = null;
            epsNext = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, in.shape(), 'c');
            INDArray inputGrad = InputGradient.unused(getIndex()) ? null : epsNext;
            INDArray d = delta;
            timed("backward fourier", () -> fourier.backward(d, weightGradView, biasGradView, inputGrad));
            if (inputGrad == null) {
                epsNext.assign(0);
            }
        } else {
            long[] geometry = decomposable(in, delta);
            boolean decomposed = geometry != null && chooseDecomposed();
            if (decomposed) {
                epsNext = backpropDecomposed(in, weights, delta, weightGradView, biasGradView, geometry, workspaceMgr);
            } else {
                epsNext = backpropNative(in, weights, bias, delta, weightGradView, biasGradView, workspaceMgr);
            }
            if (geometry != null && choice == 0) {
                record(decomposed, System.nanoTime() - start, in.size(0));
            }
        }
        if (fourierChoice != null && fourierChoice.measuring()) {
            fourierChoice.record(dft, forwardNanos + System.nanoTime() - start);
        }
        return finishBackprop(bias, weightGradView, biasGradView, epsNext);
    }

    private Pair<Gradient, INDArray> finishBackprop(INDArray bias, INDArray weightGradView, INDArray biasGradView,
                                                    INDArray epsNext) {
        Gradient gradient = new DefaultGradient();
        if (bias != null) {
            gradient.setGradientFor(ConvolutionParamInitializer.BIAS_KEY, biasGradView);
        }
        gradient.setGradientFor(ConvolutionParamInitializer.WEIGHT_KEY, weightGradView, 'c');
        weightNoiseParams.clear();
        return new Pair<>(gradient, backpropDropOutIfPresent(epsNext));
    }

    /**
     * Convolution through the DFT ({@link FourierConvolution}) during training: "auto" (default) for stride-1 layers
     * where it saves enough arithmetic, "on" for every layer it can do, "off" never ({@code -Dfashion.fastconv.fourier}).
     */
    static volatile String fourierMode = System.getProperty("fashion.fastconv.fourier", "auto");
    /**
     * Estimated arithmetic saving ({@link FourierConvolution#gain}) from which "auto" uses the DFT without measuring
     * (the seed's 5-channel 10x10 layers: 3.0). The estimate leaves out the DFT's fixed costs and the native
     * convolution's inefficiencies (its one-channel first layer, estimated at 0.8, measured 3.2 vs 4.6 ms through the
     * DFT), so between {@link #fourierMaxGainNative} and this the layer times both.
     */
    static volatile double fourierMinGain = 2.0;
    private transient FourierConvolution fourier;
    /** The input whose spectrum {@link #fourier} holds from the last training forward pass, or null. */
    private transient INDArray fourierInput;

    /** Whether this layer has run a training step through the DFT (for tests). */
    boolean usedFourier() {
        return fourier != null;
    }

    /** The timed choice's decision (true: DFT), or null when there is none (clear estimate, or still measuring). */
    Boolean fourierDecision() {
        return fourierChoice == null ? null : fourierChoice.decision();
    }

    /**
     * Estimated saving below which "auto" keeps the native convolution without measuring; between this and
     * {@link #fourierMinGain} the layer times both ({@link TimedChoice}).
     */
    static volatile double fourierMaxGainNative = 0.5;
    /** Whether this layer chooses its methods from the model alone: {@link Engine#reproducible()} at its first step. */
    private transient Boolean reproducible;

    private boolean reproducible() {
        if (reproducible == null) {
            reproducible = Engine.reproducible();
        }
        return reproducible;
    }

    /** Estimated saving from which a layer between the two thresholds starts with the DFT while it times both. */
    static volatile double fourierGuessGain = 1.0;
    /**
     * With {@linkplain Engine#reproducible() reproducible} runs, the estimated saving from which a layer between the
     * two thresholds uses the DFT, without timing: 0.75, below the seed's one-channel first layer (0.8), which is
     * faster through the DFT (measured 3.2 vs 4.6 ms per step) because oneDNN does poorly with one input channel, which
     * the estimate does not know; its 5x5 layer (1.5) took about the same time either way.
     */
    static volatile double reproducibleFourierGain = 0.75;
    /** Timed choice between the DFT and the native convolution, for layers with an unclear estimate; else null. */
    private transient TimedChoice fourierChoice;
    /** Duration of the last training forward convolution (for {@link #fourierChoice}). */
    private transient long forwardNanos;

    private boolean fourierEligible(INDArray in, INDArray weights, INDArray z, long[] args) {
        if (fourierMode.equals("off") || !FourierConvolution.available() || dataType != DataType.FLOAT || in.dataType() != DataType.FLOAT
                || args[2] != 1 || args[3] != 1 || args[6] != 1 || args[7] != 1
                || !Shape.hasDefaultStridesForShape(z)) {
            return false;
        }
        int kh = (int) weights.size(2);
        int kw = (int) weights.size(3);
        if (!FourierConvolution.supports((int) in.size(2), kh, (int) z.size(2), (int) args[4])
                || !FourierConvolution.supports((int) in.size(3), kw, (int) z.size(3), (int) args[5])) {
            return false;
        }
        if (fourierMode.equals("on")) {
            return true;
        }
        double gain = FourierConvolution.gain((int) in.size(1), (int) weights.size(0), (int) in.size(2),
                (int) in.size(3), (int) z.size(2), (int) z.size(3), kh, kw, (int) args[4], (int) args[5],
                getIndex() != 0); // a first layer's input gradient is not needed in fit
        if (gain >= fourierMinGain || gain < fourierMaxGainNative) {
            return gain >= fourierMinGain;
        }
        if (fourierChoice == null && reproducible()) {
            return gain >= reproducibleFourierGain; // from the model alone, never by timing (Engine.reproducible)
        }
        if (fourierChoice == null) {
            fourierChoice = new TimedChoice(gain >= fourierGuessGain);
        }
        return fourierChoice.next();
    }


    /** Optional timing of the native calls (-Dfashion.fastconv.timing=true), for the benchmark's breakdown. */
    static final boolean TIMING = Boolean.getBoolean("fashion.fastconv.timing");
    static final java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.atomic.LongAdder> TIMES =
            new java.util.concurrent.ConcurrentHashMap<>();

    private void timedSplit(String what, Runnable first, Runnable second) {
        long t = TIMING ? System.nanoTime() : 0;
        Engine.split(first, second);
        if (TIMING) {
            TIMES.computeIfAbsent(getIndex() + " " + what, k -> new java.util.concurrent.atomic.LongAdder())
                    .add(System.nanoTime() - t);
        }
    }

    private void timed(String what, Runnable work) {
        if (!TIMING) {
            Engine.parallel(work);
            return;
        }
        long t = System.nanoTime();
        Engine.parallel(work);
        TIMES.computeIfAbsent(getIndex() + " " + what, k -> new java.util.concurrent.atomic.LongAdder())
                .add(System.nanoTime() - t);
    }

    /**
     * How back-propagation is computed: "decomposed" (forward convolutions), "native" (libnd4j's conv2d_bp) or
     * "auto" (default): the first training steps of each layer time both and keep the faster one.
     */
    static final String BACKWARD = System.getProperty("fashion.fastconv.backward", "auto");
    private static final int TRIALS = 8;
    /** 0 = still measuring, 1 = decomposed, 2 = native. */
    private transient int choice;
    private transient long[][] trialNanos;
    private transient int trialCount;
    private transient long trialBatch = -1;

    private boolean chooseDecomposed() {
        if (BACKWARD.equals("decomposed")) {
            return true;
        }
        if (BACKWARD.equals("native")) {
            return false;
        }
        if (choice != 0) {
            return choice == 1;
        }
        if (reproducible()) {
            choice = 2; // libnd4j's conv2d_bp, never by timing (Engine.reproducible)
            return false;
        }
        return trialCount % 2 == 0;
    }

    /** Records one timed trial (same batch size only); after {@link #TRIALS} of each, keeps the faster method (by the
     * fastest trial, which other processes on the machine disturb least). */
    private void record(boolean decomposed, long nanos, long batch) {
        if (trialNanos == null || batch != trialBatch) {
            trialNanos = new long[2][TRIALS + 1];
            trialCount = 0;
            trialBatch = batch;
        }
        int round = trialCount / 2;
        trialNanos[decomposed ? 0 : 1][round] = nanos;
        trialCount++;
        if (trialCount == 2 * (TRIALS + 1)) {
            // the first round warms up each method; compare the fastest of the rest (robust to other processes)
            long d = min(java.util.Arrays.copyOfRange(trialNanos[0], 1, TRIALS + 1));
            long n = min(java.util.Arrays.copyOfRange(trialNanos[1], 1, TRIALS + 1));
            choice = d <= n ? 1 : 2;
            trialNanos = null;
        }
    }

    private static long min(long[] v) {
        return java.util.Arrays.stream(v).min().orElse(Long.MAX_VALUE);
    }

    /** The back-propagation method in use: "decomposed", "native", or "measuring". */
    String backwardMethod() {
        return BACKWARD.equals("auto") ? (choice == 0 ? "measuring" : choice == 1 ? "decomposed" : "native") : BACKWARD;
    }

    private INDArray backpropNative(INDArray in, INDArray weights, INDArray bias, INDArray delta,
                                    INDArray weightGradView, INDArray biasGradView, LayerWorkspaceMgr workspaceMgr) {
        INDArray epsNext = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, in.shape(), 'c');
        if (backwardContext == null) {
            backwardContext = Nd4j.getExecutioner().buildContext();
        }
        OpContext ctx = backwardContext;
        ctx.purge();
        ctx.setIArguments(iArgs(in));
        int i = 0;
        ctx.setInputArray(i++, in);
        ctx.setInputArray(i++, weights);
        if (bias != null) {
            ctx.setInputArray(i++, bias);
        }
        ctx.setInputArray(i, delta);
        ctx.setOutputArray(0, epsNext);
        ctx.setOutputArray(1, weightGradView);
        if (bias != null) {
            ctx.setOutputArray(2, biasGradView);
        }
        timed("backward conv2d_bp", () -> Nd4j.exec(CONV2D_BP, ctx));
        ctx.purge();
        return epsNext;
    }

    /**
     * Padding {top, bottom, left, right} when the backward pass can be done with forward convolutions (stride 1,
     * dilation 1, padding smaller than the kernel), else null.
     */
    private long[] decomposable(INDArray in, INDArray delta) {
        org.deeplearning4j.nn.conf.layers.ConvolutionLayer c = layerConf();
        int[] s = c.getStride();
        int[] d = c.getDilation();
        if (s[0] != 1 || s[1] != 1 || d[0] != 1 || d[1] != 1) {
            return null;
        }
        long[] a = iArgs(in);
        long kH = a[0];
        long kW = a[1];
        long top = a[4];
        long left = a[5];
        long bottom = delta.size(2) + kH - 1 - in.size(2) - top;
        long right = delta.size(3) + kW - 1 - in.size(3) - left;
        if (top < 0 || left < 0 || bottom < 0 || right < 0 || top >= kH || bottom >= kH || left >= kW || right >= kW) {
            return null;
        }
        return new long[] {top, bottom, left, right};
    }

    /**
     * Back-propagation as forward convolutions, which oneDNN runs much faster than its backward kernels for the
     * narrow layers of the seed's CNN (5 channels are padded to 16 in the backward kernels' blocked layouts):
     * <ul>
     * <li>weight gradient: the zero-padded input with batch and channels swapped, {@code [iC, N, H+kH-1, W+kW-1]},
     * convolved with the output gradient with batch and channels swapped, {@code [oC, N, oH, oW]}, as the kernel;
     * the result is {@code [iC, oC, kH, kW]};</li>
     * <li>input gradient: the output gradient, zero-padded by {@code k-1-pad} on each side, convolved with the
     * weights flipped in both spatial axes and with in/out channels swapped;</li>
     * <li>bias gradient: the sum of the output gradient over batch, height and width.</li>
     * </ul>
     * The input gradient of the network's first layer is not computed during {@code fit} (nothing uses it).
     */
    private INDArray backpropDecomposed(INDArray in, INDArray weights, INDArray delta, INDArray weightGradView,
                                        INDArray biasGradView, long[] pad, LayerWorkspaceMgr mgr) {
        long n = in.size(0);
        long iC = in.size(1);
        long h = in.size(2);
        long w = in.size(3);
        long oC = delta.size(1);
        long oH = delta.size(2);
        long oW = delta.size(3);
        long kH = weights.size(2);
        long kW = weights.size(3);
        long top = pad[0];
        long bottom = pad[1];
        long left = pad[2];
        long right = pad[3];

        // weight gradient
        INDArray inT = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType,
                new long[] {iC, n, h + top + bottom, w + left + right}, 'c');
        if (top + bottom + left + right > 0) {
            inT.assign(0);
            inT.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(top, top + h),
                    NDArrayIndex.interval(left, left + w)).assign(in.permute(1, 0, 2, 3));
        } else {
            inT.assign(in.permute(1, 0, 2, 3));
        }
        INDArray deltaT = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, new long[] {oC, n, oH, oW}, 'c');
        deltaT.assign(delta.permute(1, 0, 2, 3));
        INDArray gradWT = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, new long[] {iC, oC, kH, kW}, 'c');
        long[] wArgs = {oH, oW, 1, 1, 0, 0, 1, 1, 0, 0, 1};
        int[] wFold = PhaseFolding.factors(deltaT, gradWT, wArgs);
        if (wFold != null) {
            convolveFolded("backward weights", inT, deltaT, null, gradWT, wArgs, wFold, ArrayType.BP_WORKING_MEM, mgr);
        } else {
            convolve("backward weights", inT, deltaT, gradWT);
        }
        weightGradView.assign(gradWT.permute(1, 0, 2, 3));

        if (biasGradView != null) {
            INDArray sums = delta.sum(0, 2, 3);
            biasGradView.assign(sums.reshape(biasGradView.shape()));
        }

        INDArray epsNext = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, in.shape(), 'c');
        if (InputGradient.unused(getIndex())) {
            return epsNext.assign(0);
        }
        // input gradient
        long qTop = kH - 1 - top;
        long qBottom = kH - 1 - bottom;
        long qLeft = kW - 1 - left;
        long qRight = kW - 1 - right;
        INDArray deltaPadded = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType,
                new long[] {n, oC, oH + qTop + qBottom, oW + qLeft + qRight}, 'c');
        deltaPadded.assign(0);
        deltaPadded.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(qTop, qTop + oH),
                NDArrayIndex.interval(qLeft, qLeft + oW)).assign(delta);
        INDArray swapped = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, new long[] {iC, oC, kH, kW}, 'c');
        swapped.assign(weights.permute(1, 0, 2, 3));
        INDArray flipped = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, new long[] {iC, oC, kH, kW}, 'c');
        Nd4j.exec(DynamicCustomOp.builder("reverse").addInputs(swapped).addOutputs(flipped)
                .addIntegerArguments(2, 3).build());
        long[] args = {kH, kW, 1, 1, 0, 0, 1, 1, 0, 0, 1};
        int[] fold = PhaseFolding.factors(flipped, epsNext, args);
        if (fold != null) {
            convolveFolded("backward input", deltaPadded, flipped, null, epsNext, args, fold, ArrayType.BP_WORKING_MEM, mgr);
        } else {
            convolve("backward input", deltaPadded, flipped, epsNext);
        }
        return epsNext;
    }

    /** Output-phase folding of this layer's narrow convolutions (its scratch buffers). */
    private transient PhaseFolding folding;

    private void convolveFolded(String what, INDArray x, INDArray w, INDArray bias, INDArray out, long[] args, int[] f,
                                ArrayType scratch, LayerWorkspaceMgr mgr) {
        if (folding == null) {
            folding = new PhaseFolding();
        }
        folding.convolve(what, x, w, bias, out, args, f, scratch, mgr, this::conv2d);
    }

    /** Valid, stride-1 convolution of {@code x [N, C, H, W]} with {@code k [O, C, kh, kw]} into {@code out}. */
    private void convolve(String what, INDArray x, INDArray k, INDArray out) {
        conv2d(what, x, k, null, out, new long[] {k.size(2), k.size(3), 1, 1, 0, 0, 1, 1, 0, 0, 1});
    }

    /**
     * libnd4j's {@code conv2d} of {@code x} with {@code w} (and {@code bias} if not null) into {@code out} with iArgs
     * {@code args}; with {@link Engine#splitting()} the batch (dimension 0 of {@code x} and {@code out}) is split in two
     * halves computed at the same time on two threads (each half is exactly the convolution of its images).
     */
    private void conv2d(String what, INDArray x, INDArray w, INDArray bias, INDArray out, long[] args) {
        long n = x.size(0);
        if (contexts == null) {
            contexts = new OpContext[] {Nd4j.getExecutioner().buildContext(), Nd4j.getExecutioner().buildContext()};
        }
        if (n < 2 || !SPLIT || !Engine.splitting()) {
            timed(what, () -> exec(contexts[0], x, w, bias, out, args));
            return;
        }
        long h = (n + 1) / 2;
        INDArray x0 = x.get(NDArrayIndex.interval(0, h));
        INDArray x1 = x.get(NDArrayIndex.interval(h, n));
        INDArray o0 = out.get(NDArrayIndex.interval(0, h));
        INDArray o1 = out.get(NDArrayIndex.interval(h, n));
        timedSplit(what, () -> exec(contexts[0], x0, w, bias, o0, args), () -> exec(contexts[1], x1, w, bias, o1, args));
    }

    static volatile boolean SPLIT = true;

    private transient OpContext[] contexts;

    private static void exec(OpContext ctx, INDArray x, INDArray w, INDArray bias, INDArray out, long[] args) {
        ctx.purge();
        ctx.setIArguments(args);
        ctx.setInputArray(0, x);
        ctx.setInputArray(1, w);
        if (bias != null) {
            ctx.setInputArray(2, bias);
        }
        ctx.setOutputArray(0, out);
        Nd4j.exec(CONV2D, ctx);
        ctx.purge();
    }

    /**
     * The operations' descriptors, made once: executed with a context ({@code Nd4j.exec(op, context)}) an operation
     * contributes only its name, every array and argument coming from the context, so one instance serves every call
     * and thread; a new one per call drew a SecureRandom UUID for its name each time.
     */
    private static final Conv2D CONV2D = new Conv2D();
    private static final Conv2DDerivative CONV2D_BP = new Conv2DDerivative();

    @Override
    public void clear() {
        super.clear();
        fourierInput = null;
        cachedPreOutput = null;
        cachedPreOutputInput = null;
    }
}
