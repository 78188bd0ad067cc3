package fashion.models;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.activations.Activation;

import fashion.models.fastconv.FastConvolutionLayer;

/**
 * The one place that chooses which convolution layer implementation the models use: the native oneDNN
 * convolution ({@link FastConvolutionLayer}), about 25x faster on a CPU than DL4J's own im2col layer and
 * computing the same function.
 */
final class ConvolutionLayers {
    private ConvolutionLayers() {
    }

    static Layer create(String name, int kernel, int filters, ConvolutionMode mode, Activation activation) {
        return new FastConvolutionLayer.Builder(kernel, kernel).name(name).nOut(filters).stride(1, 1)
                .convolutionMode(mode).activation(activation).build();
    }
}
