package fashion.models;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.activations.Activation;

/** The one place that chooses which convolution layer implementation the models use. */
final class ConvolutionLayers {
    private ConvolutionLayers() {
    }

    static Layer create(String name, int kernel, int filters, ConvolutionMode mode, Activation activation) {
        return new ConvolutionLayer.Builder(kernel, kernel).name(name).nOut(filters).stride(1, 1)
                .convolutionMode(mode).activation(activation).build();
    }
}
