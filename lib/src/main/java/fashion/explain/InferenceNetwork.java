package fashion.explain;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A copy of a trained network (or of its layers from {@code from} on) that computes exactly the trained network's
 * inference function, built so that Deeplearning4j's back-propagation (which always runs the layers in training mode)
 * differentiates that function:
 * <ul>
 * <li>dropout layers are left out (at inference they are the identity);</li>
 * <li>each batch normalization becomes the per-channel affine map it is at inference,
 * {@code y = gamma (x - mean) / sqrt(var + eps) + beta}, written as a 1 x 1 convolution with a diagonal weight (in
 * training mode it would normalize by the minibatch's own statistics instead);</li>
 * <li>the softmax output layer becomes a linear one with the same weights and the {@link ClassScore} loss, so that the
 * output is the class scores (logits) and back-propagating a one-hot label gives minus the score's gradient.</li>
 * </ul>
 * Every other layer (the project's fast convolution, pooling and dense layers included) is cloned with its weights,
 * and computes the input gradient because the back-propagation comes from {@code calculateGradients}, not from
 * training ({@code fashion.models.fast.InputGradient}).
 */
final class InferenceNetwork {
    private InferenceNetwork() {
    }

    /**
     * The copy of {@code source}'s layers {@code from} .. last (input: the activations that layer {@code from} takes).
     *
     * @throws IllegalArgumentException when the network does not end in an output layer or has a batch normalization
     *         that is not after a convolution
     */
    static MultiLayerNetwork of(MultiLayerNetwork source, int from) {
        int n = source.getnLayers();
        if (from < 0 || from >= n) {
            throw new IllegalArgumentException("layer " + from + " is outside the network's 0.." + (n - 1));
        }
        if (!(source.getLayer(n - 1).conf().getLayer() instanceof BaseOutputLayer)) {
            throw new IllegalArgumentException("the network must end in an output layer, not "
                    + source.getLayer(n - 1).conf().getLayer().getClass().getSimpleName());
        }
        MultiLayerConfiguration conf = source.getLayerWiseConfigurations();
        List<NeuralNetConfiguration> confs = new ArrayList<>();
        Map<Integer, InputPreProcessor> pre = new HashMap<>();
        List<Map<String, INDArray>> params = new ArrayList<>();
        InputPreProcessor pending = null;
        for (int i = from; i < n; i++) {
            Layer layer = source.getLayer(i);
            org.deeplearning4j.nn.conf.layers.Layer lc = layer.conf().getLayer();
            InputPreProcessor p = i == from ? null : conf.getInputPreProcess(i);
            if (p != null && pending != null) {
                throw new IllegalArgumentException("two input preprocessors meet at layer " + i + " after a dropout layer");
            }
            p = p != null ? p : pending;
            pending = null;
            if (lc instanceof DropoutLayer) {
                pending = p;
                continue;
            }
            if (p != null) {
                pre.put(confs.size(), p.clone());
            }
            if (lc instanceof BatchNormalization bn) {
                confs.add(wrap(source, new ConvolutionLayer.Builder(1, 1).nIn(bn.getNOut()).nOut(bn.getNOut())
                        .convolutionMode(ConvolutionMode.Truncate).activation(Activation.IDENTITY).name(lc.getLayerName()).build()));
                params.add(affine(layer, bn));
            } else if (i == n - 1) {
                FeedForwardLayer out = (FeedForwardLayer) lc;
                confs.add(wrap(source, new OutputLayer.Builder(new ClassScore()).nIn(out.getNIn()).nOut(out.getNOut())
                        .activation(Activation.IDENTITY).name(lc.getLayerName()).build()));
                params.add(layer.paramTable());
            } else {
                NeuralNetConfiguration c = layer.conf().clone();
                c.getLayer().setIDropout(null);
                confs.add(c);
                params.add(layer.paramTable());
            }
        }
        MultiLayerConfiguration copy = new MultiLayerConfiguration.Builder().confs(confs).inputPreProcessors(pre)
                .overrideNinUponBuild(false).validateOutputLayerConfig(false)
                .trainingWorkspaceMode(WorkspaceMode.NONE).inferenceWorkspaceMode(WorkspaceMode.NONE)
                .dataType(conf.getDataType()).build();
        MultiLayerNetwork net = new MultiLayerNetwork(copy);
        net.init();
        for (int j = 0; j < params.size(); j++) {
            for (Map.Entry<String, INDArray> e : params.get(j).entrySet()) {
                INDArray target = net.getLayer(j).getParam(e.getKey());
                if (target == null || target.length() != e.getValue().length()) {
                    throw new IllegalStateException("layer " + j + " of the copy has no parameter " + e.getKey() + " of "
                            + e.getValue().length() + " values");
                }
                target.assign(e.getValue().reshape(target.shape()));
            }
        }
        return net;
    }

    private static NeuralNetConfiguration wrap(MultiLayerNetwork source, org.deeplearning4j.nn.conf.layers.Layer layer) {
        return new NeuralNetConfiguration.Builder().dataType(source.getLayerWiseConfigurations().getDataType())
                .layer(layer).build();
    }

    /** The inference-time batch normalization as the weights of a 1 x 1 convolution: W [c, c, 1, 1] diagonal, b [1, c]. */
    private static Map<String, INDArray> affine(Layer layer, BatchNormalization bn) {
        int c = (int) bn.getNOut();
        double[] mean = doubles(layer.getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN));
        double[] var = new double[c];
        if (bn.isUseLogStd()) {
            double[] log10Std = doubles(layer.getParam(BatchNormalizationParamInitializer.GLOBAL_LOG_STD));
            for (int i = 0; i < c; i++) {
                double s = Math.pow(10.0, log10Std[i]);
                var[i] = s * s;
            }
        } else {
            var = doubles(layer.getParam(BatchNormalizationParamInitializer.GLOBAL_VAR));
        }
        double[] gamma = new double[c];
        double[] beta = new double[c];
        if (!bn.isLockGammaBeta()) {
            gamma = doubles(layer.getParam(BatchNormalizationParamInitializer.GAMMA));
            beta = doubles(layer.getParam(BatchNormalizationParamInitializer.BETA));
        } else if (bn.getGamma() != 1.0 && bn.getBeta() != 0.0) { // as DL4J: fixed values only when both differ from the defaults
            java.util.Arrays.fill(gamma, bn.getGamma());
            java.util.Arrays.fill(beta, bn.getBeta());
        } else {
            java.util.Arrays.fill(gamma, 1.0);
        }
        double[][][][] w = new double[c][c][1][1];
        double[][] b = new double[1][c];
        for (int i = 0; i < c; i++) {
            double scale = gamma[i] / Math.sqrt(var[i] + bn.getEps());
            w[i][i][0][0] = scale;
            b[0][i] = beta[i] - mean[i] * scale;
        }
        return Map.of("W", Nd4j.create(w), "b", Nd4j.create(b));
    }

    private static double[] doubles(INDArray a) {
        return a.dup('c').castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).data().asDouble();
    }
}
