package fashion.models.fastconv;

import java.util.Collection;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.util.ConvolutionUtils;
import org.deeplearning4j.util.ValidationUtils;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import fashion.models.fast.RuntimeLayers;

/**
 * A 2-D convolution layer for {@link org.deeplearning4j.nn.multilayer.MultiLayerNetwork} whose forward and
 * backward passes run libnd4j's native {@code conv2d} / {@code conv2d_bp} operations (oneDNN in the
 * {@code linux-x86_64-onednn-avx2} build) instead of DL4J's Java-side im2col + GEMM.
 *
 * <p>On a 2-core CPU the stock {@link ConvolutionLayer} spends nearly all of its time in
 * {@code Convolution.im2col}; this layer computes the same function (same parameters, same parameter layout
 * {@code W: [nOut, nIn, kH, kW]}, {@code b: [1, nOut]}, same "Same" padding rule) at oneDNN speed, which makes the seed's
 * CNN about 25x faster to train.
 *
 * <p>It is a drop-in replacement: it <em>is</em> a {@link ConvolutionLayer} configuration, so everything a
 * normal convolution layer takes from the network configuration (weight init, updater, L2/L1/weight decay,
 * dropout, {@code InputType} inference, pre-processors, JSON serialization, {@code MultiLayerNetwork.save/load},
 * {@code ModelSerializer}, {@code clone()}) works unchanged. Only the runtime layer differs.
 *
 * <pre>{@code
 * new NeuralNetConfiguration.Builder()
 *     .weightInit(WeightInit.XAVIER_UNIFORM)          // Keras' glorot_uniform
 *     .updater(new Adam(1e-4))
 *     .list()
 *     .layer(new FastConvolutionLayer.Builder(10, 10) // kernel height, width
 *             .nIn(1).nOut(5)
 *             .convolutionMode(ConvolutionMode.Same)  // Keras padding="same"; ConvolutionMode.Truncate = "valid"
 *             .activation(Activation.RELU)
 *             .build())
 *     ...
 *     .setInputType(InputType.convolutionalFlat(28, 28, 1))
 *     .build();
 * }</pre>
 *
 * <p>Supported: NCHW data, any kernel size, stride, dilation and explicit padding, {@link ConvolutionMode#Same},
 * {@link ConvolutionMode#Truncate} (Keras "valid") and {@link ConvolutionMode#Strict}, with or without bias,
 * any activation, float or double networks (oneDNN is used for float; double falls back to libnd4j's generic
 * kernels, which is slow but exact and is what the gradient checks use). Not supported: NHWC and
 * {@link ConvolutionMode#Causal}.
 */
public class FastConvolutionLayer extends ConvolutionLayer {
    private static final fashion.models.fast.WarmUp.Once WARM_UP = new fashion.models.fast.WarmUp.Once();

    /**
     * Once per JVM ({@code fashion.models.KernelWarmUp} calls it in the background once the data is loaded): has the
     * JIT compile the DFT convolutions' vector kernels on small scratch spectra (see {@code SpectralProducts.warmUp}).
     * Returns the seconds it took (0 when the vector API is absent, and on later calls).
     */
    public static double compileKernels() {
        return WARM_UP.run(() -> FourierConvolution.available() ? SpectralProducts.warmUp(3000) : 0);
    }

    /** Seconds {@link #compileKernels} took in this JVM (-1: not run yet). */
    public static double kernelWarmUpSeconds() {
        return WARM_UP.seconds();
    }


    private static final long serialVersionUID = 1L;

    /** For JSON deserialization only; use {@link Builder}. */
    public FastConvolutionLayer() {
        super();
    }

    protected FastConvolutionLayer(Builder builder) {
        super(builder);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
                             int layerIndex, INDArray layerParamsView, boolean initializeParams,
                             DataType networkDataType) {
        LayerValidation.assertNInNOutSet("FastConvolutionLayer", getLayerName(), layerIndex, getNIn(), getNOut());
        return RuntimeLayers.wire(new FastConvolutionLayerImpl(conf, networkDataType), conf, trainingListeners, layerIndex,
                layerParamsView, initializeParams);
    }

    /**
     * Milliseconds spent in the native convolution calls per layer index and pass since the last reset, when the JVM
     * runs with {@code -Dfashion.fastconv.timing=true} (empty otherwise). For benchmarks.
     */
    public static java.util.SortedMap<String, Double> timings(boolean reset) {
        java.util.SortedMap<String, Double> out = new java.util.TreeMap<>();
        FastConvolutionLayerImpl.TIMES.forEach((k, v) -> out.put(k, v.sum() / 1e6));
        if (reset) {
            FastConvolutionLayerImpl.TIMES.clear();
        }
        return out;
    }

    @Override
    public FastConvolutionLayer clone() {
        return (FastConvolutionLayer) super.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FastConvolutionLayer && super.equals(o);
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + FastConvolutionLayer.class.getName().hashCode();
    }

    @Override
    public String toString() {
        return "Fast" + super.toString();
    }

    /**
     * Builder mirroring {@link ConvolutionLayer.Builder}: {@code new FastConvolutionLayer.Builder(kH, kW)},
     * then {@code nIn, nOut, stride, padding, dilation, convolutionMode, activation, hasBias, weightInit,
     * l2, ...} as for any DL4J layer. Defaults as in DL4J: stride 1, padding 0, bias on; the convolution
     * mode and weight init default to the network's global configuration.
     */
    public static class Builder extends ConvolutionLayer.BaseConvBuilder<Builder> {

        /** Kernel size (height, width), stride and padding. */
        public Builder(int[] kernelSize, int[] stride, int[] padding) {
            super(kernelSize, stride, padding);
        }

        /** Kernel size (height, width) and stride. */
        public Builder(int[] kernelSize, int[] stride) {
            super(kernelSize, stride);
        }

        /** Kernel size: {@code (height, width)}, or one value for a square kernel. */
        public Builder(int... kernelSize) {
            super(kernelSize);
        }

        /** Default kernel 5x5. */
        public Builder() {
            super();
        }

        @Override
        protected boolean allowCausal() {
            return false;
        }

        /** Kernel size (height, width). */
        public Builder kernelSize(int... kernelSize) {
            setKernelSize(kernelSize);
            return this;
        }

        /** Stride (height, width); default 1. */
        public Builder stride(int... stride) {
            setStride(stride);
            return this;
        }

        /** Explicit zero padding (height, width); ignored in {@link ConvolutionMode#Same}. */
        public Builder padding(int... padding) {
            setPadding(padding);
            return this;
        }

        /** Dilation (height, width); default 1. */
        public Builder dilation(int... dilation) {
            setDilation(dilation);
            return this;
        }

        @Override
        public void setKernelSize(int... kernelSize) {
            this.kernelSize = ValidationUtils.validate2NonNegative(kernelSize, false, "kernelSize");
        }

        @Override
        public void setStride(int... stride) {
            this.stride = ValidationUtils.validate2NonNegative(stride, false, "stride");
        }

        @Override
        public void setPadding(int... padding) {
            this.padding = ValidationUtils.validate2NonNegative(padding, false, "padding");
        }

        @Override
        public void setDilation(int... dilation) {
            this.dilation = ValidationUtils.validate2NonNegative(dilation, false, "dilation");
        }

        @Override
        @SuppressWarnings("unchecked")
        public FastConvolutionLayer build() {
            ConvolutionUtils.validateConvolutionModePadding(convolutionMode, padding);
            ConvolutionUtils.validateCnnKernelStridePadding(kernelSize, stride, padding);
            return new FastConvolutionLayer(this);
        }
    }
}
