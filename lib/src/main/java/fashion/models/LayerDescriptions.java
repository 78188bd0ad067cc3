package fashion.models;

import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;

/** Short human-readable descriptions of layer configurations for model summaries. */
final class LayerDescriptions {
    private LayerDescriptions() {
    }

    static String describe(Layer conf) {
        StringBuilder sb = new StringBuilder();
        if (conf instanceof ConvolutionLayer c) {
            sb.append(c.getNOut()).append(" filters ").append(c.getKernelSize()[0]).append('x').append(c.getKernelSize()[1])
                    .append(", ").append(c.getConvolutionMode());
        } else if (conf instanceof SubsamplingLayer s) {
            sb.append(s.getPoolingType()).append(' ').append(s.getKernelSize()[0]).append('x').append(s.getKernelSize()[1]);
        } else if (conf instanceof FeedForwardLayer f) {
            sb.append(f.getNIn()).append(" -> ").append(f.getNOut());
        }
        if (conf instanceof BaseLayer b && b.getActivationFn() != null) {
            sb.append(sb.length() > 0 ? ", " : "").append(b.getActivationFn().toString());
        }
        return sb.toString();
    }
}
