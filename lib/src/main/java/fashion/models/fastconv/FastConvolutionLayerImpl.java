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
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2DDerivative;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

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

    private transient OpContext forwardContext;
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

        if (forwardContext == null) {
            forwardContext = Nd4j.getExecutioner().buildContext();
        }
        OpContext ctx = forwardContext;
        ctx.purge();
        ctx.setIArguments(iArgs(in));
        ctx.setInputArray(0, in);
        ctx.setInputArray(1, weights);
        if (bias != null) {
            ctx.setInputArray(2, bias);
        }
        ctx.setOutputArray(0, z);
        Nd4j.exec(new Conv2D(), ctx);
        ctx.purge();
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
        // activation functions work in place: keep z for back-propagation, activate a copy
        cachedPreOutput = z;
        cachedPreOutputInput = this.input;
        return afn.getActivation(workspaceMgr.dup(ArrayType.ACTIVATIONS, z), true);
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
        INDArray delta = contiguous(layerConf().getActivationFn().backprop(z, epsilon).getFirst());

        INDArray weightGradView = gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY);
        INDArray biasGradView = bias == null ? null : gradientViews.get(ConvolutionParamInitializer.BIAS_KEY);
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
        Nd4j.exec(new Conv2DDerivative(), ctx);
        ctx.purge();

        Gradient gradient = new DefaultGradient();
        if (bias != null) {
            gradient.setGradientFor(ConvolutionParamInitializer.BIAS_KEY, biasGradView);
        }
        gradient.setGradientFor(ConvolutionParamInitializer.WEIGHT_KEY, weightGradView, 'c');
        weightNoiseParams.clear();
        epsNext = backpropDropOutIfPresent(epsNext);
        return new Pair<>(gradient, epsNext);
    }

    @Override
    public void clear() {
        super.clear();
        cachedPreOutput = null;
        cachedPreOutputInput = null;
    }

    @Override
    public void clearNoiseWeightParams() {
        super.clearNoiseWeightParams();
    }
}
