package fashion.models.fastdense;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Collection;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import fashion.models.fast.RuntimeLayers;

/**
 * A drop-in for Deeplearning4j's {@link DenseLayer} (same configuration, parameters and results) whose training step
 * does less work: it keeps the pre-activation of the forward pass for back-propagation (DL4J's layer multiplies the
 * input by the weights a second time there) and, as the network's first layer, skips the gradient with respect to the
 * images (which training discards). For the seed's 784-700-10 network that removes two of its four large matrix
 * products per step.
 *
 * <pre>
 * .layer(FastDenseLayer.of(new DenseLayer.Builder().nOut(700).activation(Activation.RELU).build()))
 * </pre>
 */
public class FastDenseLayer extends DenseLayer {

    private static final long serialVersionUID = 1L;

    /** For JSON deserialization only; use {@link #of(DenseLayer)}. */
    public FastDenseLayer() {
        super();
    }

    /** The fast layer with every setting of {@code layer} (built with DL4J's {@link DenseLayer.Builder}). */
    public static FastDenseLayer of(DenseLayer layer) {
        FastDenseLayer fast = new FastDenseLayer();
        // DenseLayer's builder constructor is private: copy the built configuration field by field
        for (Class<?> c = DenseLayer.class; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                try {
                    f.setAccessible(true);
                    f.set(fast, f.get(layer));
                } catch (IllegalAccessException | RuntimeException e) {
                    throw new IllegalStateException("cannot copy the setting " + f.getName() + " of " + layer, e);
                }
            }
        }
        return fast;
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
                             int layerIndex, INDArray layerParamsView, boolean initializeParams,
                             DataType networkDataType) {
        LayerValidation.assertNInNOutSet("FastDenseLayer", getLayerName(), layerIndex, getNIn(), getNOut());
        return RuntimeLayers.wire(new FastDenseLayerImpl(conf, networkDataType), conf, trainingListeners, layerIndex,
                layerParamsView, initializeParams);
    }

    @Override
    public FastDenseLayer clone() {
        return (FastDenseLayer) super.clone();
    }

    @Override
    protected boolean canEqual(Object other) {
        return other instanceof FastDenseLayer;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FastDenseLayer && super.equals(o);
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + FastDenseLayer.class.getName().hashCode();
    }

    @Override
    public String toString() {
        return "Fast" + super.toString();
    }
}
