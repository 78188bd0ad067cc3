package fashion.models.fast;

import java.util.Collection;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The wiring every layer configuration's {@code instantiate} does for its runtime layer, shared by the fast layers. */
public final class RuntimeLayers {
    private RuntimeLayers() {
    }

    /**
     * Connects {@code layer} (just constructed from {@code conf}) to its listeners, index and parameter view, with the
     * parameters of {@code conf}'s layer initialized (or read) from that view, as DL4J's own layers do.
     */
    public static <L extends Layer> L wire(L layer, NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
                                           int index, INDArray paramsView, boolean initializeParams) {
        layer.setListeners(listeners);
        layer.setIndex(index);
        layer.setParamsViewArray(paramsView);
        layer.setParamTable(conf.getLayer().initializer().init(conf, paramsView, initializeParams));
        layer.setConf(conf);
        return layer;
    }
}
