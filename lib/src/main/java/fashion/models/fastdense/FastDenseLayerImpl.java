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

import fashion.models.fast.Activations;
import fashion.models.fast.InputGradient;

/**
 * Runtime layer of {@link FastDenseLayer}. The fast path covers a plain dense layer (no dropout on its input, no
 * weight noise, no layer normalization, no mask); anything else runs DL4J's own code.
 */
public class FastDenseLayerImpl extends org.deeplearning4j.nn.layers.feedforward.dense.DenseLayer {
    /** Pre-activation of the last training forward pass, and the input it was computed from. */
    private transient INDArray cachedPreOutput;
    private transient INDArray cachedPreOutputInput;

    public FastDenseLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private boolean plain() {
        org.deeplearning4j.nn.conf.layers.DenseLayer c = layerConf();
        return c.getIDropout() == null && c.getWeightNoise() == null && !hasLayerNorm() && maskArray == null
                && input != null && input.rank() == 2;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        cachedPreOutput = null;
        cachedPreOutputInput = null;
        if (!training || !plain()) {
            return super.activate(training, workspaceMgr);
        }
        INDArray z = preOutput(true, workspaceMgr);
        // keep z for back-propagation, activate into a new array
        cachedPreOutput = z;
        cachedPreOutputInput = this.input;
        return Activations.activateCopy(layerConf().getActivationFn(), z, workspaceMgr);
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
        INDArray delta = Activations.backprop(layerConf().getActivationFn(), z, epsilon);
        Gradient ret = new DefaultGradient();
        INDArray weightGrad = gradientViews.get(DefaultParamInitializer.WEIGHT_KEY);
        Nd4j.gemm(input.castTo(weightGrad.dataType()), delta, weightGrad, true, false, 1.0, 0.0);
        ret.gradientForVariable().put(DefaultParamInitializer.WEIGHT_KEY, weightGrad);
        if (hasBias()) {
            INDArray biasGrad = gradientViews.get(DefaultParamInitializer.BIAS_KEY);
            delta.sum(biasGrad, 0);
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
