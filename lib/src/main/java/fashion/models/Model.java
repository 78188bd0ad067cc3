package fashion.models;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

import fashion.data.Split;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * A network ready to train: the Deeplearning4j {@link MultiLayerNetwork}, the input view it takes
 * (flat pixel vectors or 1 x 28 x 28 images), a name and the settings it was built from.
 */
public final class Model {
    /** Which view of the images the network takes. */
    public enum Input {
        /** {@code [n, 784]} vectors. */
        FLAT,
        /** {@code [n, 1, 28, 28]} images. */
        IMAGE
    }

    private final String name;
    private final MultiLayerNetwork network;
    private final Input input;
    private final Map<String, Object> settings;

    Model(String name, MultiLayerNetwork network, Input input, Map<String, Object> settings) {
        this.name = name;
        this.network = network;
        this.input = input;
        this.settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    }

    /**
     * A model around a network restored from a file ({@code ModelFiles.load}): for inference and explanation; it
     * trains like any other, without the minibatch halves of the factories' networks.
     */
    public static Model restored(String name, MultiLayerNetwork network, Input input, Map<String, Object> settings) {
        return new Model(name, network, input, settings == null ? Map.of() : settings);
    }

    public String name() {
        return name;
    }

    public MultiLayerNetwork network() {
        return network;
    }

    public Input input() {
        return input;
    }

    /** The settings the model was built from (width, depth, learning rate, ...), in a stable order. */
    public Map<String, Object> settings() {
        return settings;
    }

    /** The view of {@code split} this model takes. */
    public INDArray features(Split split) {
        return input == Input.FLAT ? split.dense() : split.images();
    }

    /** The same view of a block of rows {@code [n, 784]}. */
    public INDArray features(INDArray denseRows) {
        return input == Input.FLAT ? denseRows : denseRows.reshape('c', denseRows.rows(), 1, 28, 28);
    }

    public long parameterCount() {
        return network.numParams();
    }

    /** One row per layer: name, type, output size and parameter count (as Keras' {@code model.summary()}). */
    public Table summary() {
        StringColumn layer = StringColumn.create("layer");
        StringColumn type = StringColumn.create("type");
        StringColumn detail = StringColumn.create("configuration");
        IntColumn params = IntColumn.create("parameters");
        for (Layer l : network.getLayers()) {
            org.deeplearning4j.nn.conf.layers.Layer conf = l.conf().getLayer();
            layer.append(conf.getLayerName() == null ? "layer" + l.getIndex() : conf.getLayerName());
            type.append(conf.getClass().getSimpleName());
            detail.append(LayerDescriptions.describe(conf));
            params.append((int) l.numParams());
        }
        Table t = Table.create(name + " (" + parameterCount() + " parameters)", layer, type, detail, params);
        return t;
    }

    @Override
    public String toString() {
        return name + ": " + parameterCount() + " parameters, input " + (input == Input.FLAT ? "[n, 784]" : "[n, 1, 28, 28]")
                + ", settings " + settings;
    }
}
