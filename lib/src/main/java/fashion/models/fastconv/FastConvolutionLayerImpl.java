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
        int[] fold = foldFactors(weights, z, args);
        if (fold != null) {
            convolveFolded("forward", in, weights, bias, z, args, fold, ArrayType.FF_WORKING_MEM, workspaceMgr);
            return new Pair<>(z, null);
        }
        conv2d("forward", in, weights, bias, z, args);
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
        long[] geometry = decomposable(in, delta);
        boolean decomposed = geometry != null && chooseDecomposed();
        long start = System.nanoTime();
        if (decomposed) {
            epsNext = backpropDecomposed(in, weights, delta, weightGradView, biasGradView, geometry, workspaceMgr);
        } else {
            epsNext = backpropNative(in, weights, bias, delta, weightGradView, biasGradView, workspaceMgr);
        }
        if (geometry != null && choice == 0) {
            record(decomposed, System.nanoTime() - start, in.size(0));
        }

        Gradient gradient = new DefaultGradient();
        if (bias != null) {
            gradient.setGradientFor(ConvolutionParamInitializer.BIAS_KEY, biasGradView);
        }
        gradient.setGradientFor(ConvolutionParamInitializer.WEIGHT_KEY, weightGradView, 'c');
        weightNoiseParams.clear();
        epsNext = backpropDropOutIfPresent(epsNext);
        return new Pair<>(gradient, epsNext);
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
        timed("backward conv2d_bp", () -> Nd4j.exec(new Conv2DDerivative(), ctx));
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
        int[] wFold = foldFactors(deltaT, gradWT, wArgs);
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
        int[] fold = foldFactors(flipped, epsNext, args);
        if (fold != null) {
            convolveFolded("backward input", deltaPadded, flipped, null, epsNext, args, fold, ArrayType.BP_WORKING_MEM, mgr);
        } else {
            convolve("backward input", deltaPadded, flipped, epsNext);
        }
        return epsNext;
    }

    /**
     * Output-phase folding (on by default; {@code -Dfashion.fastconv.fold=false} turns it off). oneDNN pads the output
     * channels of a convolution to its vector width (5 to 16 with AVX-512, so two thirds of the arithmetic of the seed's
     * 5-filter layers is wasted; 5 to 8 with AVX2). A stride-1 convolution whose output sides are multiples of
     * {@code fh} and {@code fw} equals a stride-{@code (fh, fw)} convolution with {@code fh*fw} times as many output
     * channels, one per output phase {@code (py, px)}, whose kernels
     * are the original kernel shifted by {@code (py, px)} inside a {@code (kH+fh-1) x (kW+fw-1)} window of zeros:
     * {@code out[n, o, fh*Y+py, fw*X+px] = conv(in, W')[n, (py*fw+px)*oC+o, Y, X]}. The products are those of the
     * direct convolution plus exact zeros, so the result equals it up to the order of summation, which depends on
     * oneDNN's kernel (the test allows 1e-6); oneDNN then runs, for instance, 80 useful channels instead of 5 padded
     * to 16 (AVX-512, 4x4: the seed's 10x10 layers went from 3.4 to 2.2 ms per convolution on one core, including the
     * re-interleaving below). The weight gradient, itself a convolution with 5 output channels, is folded the same
     * way. The factors: {@link #foldCandidates}.
     */
    static volatile boolean fold = !"false".equals(System.getProperty("fashion.fastconv.fold", "true"));
    /** Output channels from which the padding waste is small enough not to fold. */
    private static final long FOLD_MAX_CHANNELS = 8;

    /**
     * The fold factors {@code {fh, fw}} for a convolution with iArgs {@code args} writing {@code out}, or null for none:
     * the first of {@link #foldCandidates} that divides the output sides.
     */
    static int[] foldFactors(INDArray weights, INDArray out, long[] args) {
        if (!fold || weights.dataType() != DataType.FLOAT || out.dataType() != DataType.FLOAT || weights.size(0) > FOLD_MAX_CHANNELS
                || args[2] != 1 || args[3] != 1 || args[6] != 1 || args[7] != 1 || args[9] != 0 || args[10] != 1
                || !Shape.hasDefaultStridesForShape(out)) {
            return null;
        }
        long oH = out.size(2);
        long oW = out.size(3);
        boolean weightGradient = oH < weights.size(2) || oW < weights.size(3);
        for (int[] f : foldCandidates(weightGradient, wideVectors)) {
            if (oH % f[0] == 0 && oW % f[1] == 0 && oH >= f[0] && oW >= f[1]) {
                return f;
            }
        }
        return null;
    }

    /**
     * Fold factors to try, best first, measured with the seed's layers (5 filters of 10x10 on 28x28 images) on the two
     * kinds of CPU this project has run on, 2 threads. oneDNN's kernels differ with the vector width, and so does
     * the best fold:
     * <ul>
     * <li>16-float vectors (AVX-512): 4x4 for image-sized outputs (forward pass and input gradient: 3.4 to 2.0 ms per
     * convolution on one core), 2x1 for the small outputs of a weight gradient, whose "kernel" (the output gradient) is
     * larger than its output (4.6 to 2.6 ms; 2x2 gave 3.9 ms, 2x5 and 5x2 slower than no folding);</li>
     * <li>8-float vectors (AVX2; oneDNN runs the 4x4-folded layer as im2col and GEMM): 7x1 for image-sized outputs
     * (8.7 ms unfolded, 4.1-4.4 ms folded 4x4, 3.0-3.5 ms folded 7x1, 3.6-3.8 ms 14x1), 2x2 for weight gradients (4.7
     * ms unfolded, 2.6-3.0 ms 2x1, 2.2 ms 2x2).</li>
     * </ul>
     */
    static int[][] foldCandidates(boolean weightGradient, boolean wide) {
        if (weightGradient) {
            return wide ? new int[][] {{2, 1}} : new int[][] {{2, 2}, {2, 1}};
        }
        return wide ? new int[][] {{4, 4}, {2, 2}} : new int[][] {{7, 1}, {4, 4}, {2, 2}};
    }

    /** True when the CPU has 16-float vectors (AVX-512), which changes the best fold factors. */
    static volatile boolean wideVectors = cpuHasAvx512();

    private static boolean cpuHasAvx512() {
        String forced = System.getProperty("fashion.fastconv.avx512");
        if (forced != null) {
            return Boolean.parseBoolean(forced);
        }
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("flags")) {
                    return java.util.Arrays.asList(line.split("\\s+")).contains("avx512f");
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux: assume 8-float vectors
        }
        return false;
    }

    private transient float[] foldWeightsIn;
    private transient java.util.Map<String, float[]> foldedWeights;
    private transient float[] foldSource;
    private transient float[] foldTarget;

    /** Floats re-interleaved per block (bounds the scratch arrays for inference batches of 1000 images). */
    private static final int UNFOLD_BLOCK = 1 << 18;

    private static float[] atLeast(float[] a, int n) {
        return a != null && a.length >= n ? a : new float[n];
    }

    /**
     * The stride-1 convolution with iArgs {@code args} (explicit padding or "same" mode) of {@code x} with {@code w}
     * (plus {@code bias} if not null) into {@code out}, computed with output-phase folding by {@code f = {fh, fw}}
     * (see {@link #fold}).
     */
    private void convolveFolded(String what, INDArray x, INDArray w, INDArray bias, INDArray out, long[] args, int[] f,
                                ArrayType scratch, LayerWorkspaceMgr mgr) {
        int fh = f[0];
        int fw = f[1];
        int oC = (int) w.size(0);
        int iC = (int) w.size(1);
        int kH = (int) w.size(2);
        int kW = (int) w.size(3);
        int fkH = kH + fh - 1;
        int fkW = kW + fw - 1;
        int groups = fh * fw;
        // folded weights [fh*fw*oC, iC, kH+fh-1, kW+fw-1]: group (py, px) holds W shifted by (py, px)
        int wLen = oC * iC * kH * kW;
        int fwLen = groups * oC * iC * fkH * fkW;
        foldWeightsIn = atLeast(foldWeightsIn, wLen);
        float[] wIn = foldWeightsIn;
        // one buffer per geometry: the zeros around the shifted kernels stay in place from call to call
        String geometry = oC + "," + iC + "," + kH + "," + kW + "," + fh + "," + fw;
        if (foldedWeights == null) {
            foldedWeights = new java.util.HashMap<>();
        }
        float[] wOut = foldedWeights.get(geometry);
        if (wOut == null) {
            wOut = new float[fwLen];
            foldedWeights.put(geometry, wOut);
        }
        INDArray wc = Shape.hasDefaultStridesForShape(w) ? w : w.dup('c');
        wc.data().asNioFloat().get(wIn, 0, wLen);
        int plane = fkH * fkW;
        for (int py = 0; py < fh; py++) {
            for (int px = 0; px < fw; px++) {
                int g = py * fw + px;
                for (int oi = 0; oi < oC * iC; oi++) {
                    int src = oi * kH * kW;
                    int dst = (g * oC * iC + oi) * plane + py * fkW + px;
                    for (int r = 0; r < kH; r++) {
                        System.arraycopy(wIn, src + r * kW, wOut, dst + r * fkW, kW);
                    }
                }
            }
        }
        INDArray wf = mgr.createUninitialized(scratch, DataType.FLOAT, new long[] {groups * oC, iC, fkH, fkW}, 'c');
        wf.data().asNioFloat().put(wOut, 0, fwLen);
        INDArray bf = null;
        if (bias != null) {
            float[] b = new float[oC];
            (Shape.hasDefaultStridesForShape(bias) ? bias : bias.dup('c')).data().asNioFloat().get(b, 0, oC);
            float[] b2 = new float[groups * oC];
            for (int g = 0; g < groups; g++) {
                System.arraycopy(b, 0, b2, g * oC, oC);
            }
            bf = mgr.createUninitialized(scratch, DataType.FLOAT, new long[] {1, groups * oC}, 'c');
            bf.data().asNioFloat().put(b2, 0, groups * oC);
        }
        int n = (int) out.size(0);
        int oH = (int) out.size(2);
        int oW = (int) out.size(3);
        int fH = oH / fh;
        int fW = oW / fw;
        INDArray folded = mgr.createUninitialized(scratch, DataType.FLOAT, new long[] {n, groups * oC, fH, fW}, 'c');
        conv2d(what, x, wf, bf, folded, new long[] {fkH, fkW, fh, fw, args[4], args[5], 1, 1, args[8], 0, 1});

        // re-interleave: folded [n, py, px, oC, fH, fW] -> out [n, oC, fH, py, fW, px], a block of images at a time
        int per = oC * oH * oW;
        int chunk = Math.max(1, Math.min(n, UNFOLD_BLOCK / per));
        foldSource = atLeast(foldSource, chunk * per);
        foldTarget = atLeast(foldTarget, chunk * per);
        float[] a = foldSource;
        float[] t = foldTarget;
        java.nio.FloatBuffer src = folded.data().asNioFloat();
        java.nio.FloatBuffer dst = out.data().asNioFloat();
        int srcBase = src.position();
        int dstBase = dst.position();
        for (int b0 = 0; b0 < n; b0 += chunk) {
            int nb = Math.min(chunk, n - b0);
            src.position(srcBase + b0 * per);
            src.get(a, 0, nb * per);
            int si = 0;
            for (int b = 0; b < nb; b++) {
                for (int py = 0; py < fh; py++) {
                    for (int px = 0; px < fw; px++) {
                        for (int c = 0; c < oC; c++) {
                            int base = ((b * oC + c) * oH + py) * oW + px;
                            for (int yy = 0; yy < fH; yy++) {
                                int d = base + yy * fh * oW;
                                for (int xx = 0; xx < fW; xx++) {
                                    t[d + xx * fw] = a[si++];
                                }
                            }
                        }
                    }
                }
            }
            dst.position(dstBase + b0 * per);
            dst.put(t, 0, nb * per);
        }
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
        Nd4j.exec(new Conv2D(), ctx);
        ctx.purge();
    }

    @Override
    public void clear() {
        super.clear();
        cachedPreOutput = null;
        cachedPreOutputInput = null;
    }
}
