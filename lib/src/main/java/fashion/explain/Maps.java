package fashion.explain;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import fashion.models.Model;

/** Helpers shared by the explanation methods: checks, one-hot labels, plain arrays. */
final class Maps {
    static final int SIDE = 28;

    private Maps() {
    }

    /** Requires an image model and a batch {@code [n, 1, 28, 28]} (or a single image {@code [1, 28, 28]}). */
    static INDArray images(Model model, INDArray images) {
        if (model.input() != Model.Input.IMAGE) {
            throw new IllegalArgumentException(model.name() + " takes flat vectors; these explanations need a convolutional"
                    + " network (input [n, 1, 28, 28]).");
        }
        INDArray x = images.rank() == 3 ? images.reshape(1, images.size(0), images.size(1), images.size(2)) : images;
        if (x.rank() != 4 || x.size(1) != 1 || x.size(2) != SIDE || x.size(3) != SIDE) {
            throw new IllegalArgumentException("expected images of shape [n, 1, 28, 28], got " + java.util.Arrays.toString(images.shape()));
        }
        return x.castTo(model.network().getLayerWiseConfigurations().getDataType());
    }

    static void checkClasses(int[] classes, long n, int numClasses) {
        if (classes.length != n) {
            throw new IllegalArgumentException(classes.length + " classes given for " + n + " images: give one per image.");
        }
        for (int c : classes) {
            if (c < 0 || c >= numClasses) {
                throw new IllegalArgumentException("class " + c + " is outside 0.." + (numClasses - 1));
            }
        }
    }

    static INDArray oneHot(int[] classes, int numClasses, DataType type) {
        INDArray y = Nd4j.zeros(type, classes.length, numClasses);
        for (int i = 0; i < classes.length; i++) {
            y.putScalar(i, classes[i], 1.0);
        }
        return y;
    }

    static int numClasses(MultiLayerNetwork net) {
        return (int) ((org.deeplearning4j.nn.conf.layers.FeedForwardLayer) net.getLayer(net.getnLayers() - 1).conf().getLayer()).getNOut();
    }

    /** Softmax probabilities of the trained network at inference, {@code [n, classes]}. */
    static float[][] probabilities(Model model, INDArray x) {
        INDArray p = model.network().output(x, false);
        return p.castTo(DataType.FLOAT).toFloatMatrix();
    }

    /** Image {@code i} of a {@code [n, 1, h, w]} array as {@code float[h][w]}. */
    static float[][] plane(INDArray a, int i, int channel) {
        return a.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i), org.nd4j.linalg.indexing.NDArrayIndex.point(channel))
                .castTo(DataType.FLOAT).dup('c').toFloatMatrix();
    }
}
