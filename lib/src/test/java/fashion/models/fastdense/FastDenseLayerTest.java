package fashion.models.fastdense;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Random;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import fashion.engine.Engine;

/** The fast dense layer must train exactly as DL4J's own {@link DenseLayer}. */
class FastDenseLayerTest {

    private static DenseLayer dense(boolean fast, int nOut, Activation act) {
        DenseLayer d = new DenseLayer.Builder().nOut(nOut).activation(act).l2(1e-3).build();
        return fast ? FastDenseLayer.of(d) : d;
    }

    /** 30 inputs, two hidden layers (the first and a middle one), softmax output. */
    private static MultiLayerNetwork network(boolean fast) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(11).dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER).updater(new Adam(1e-2)).list()
                .layer(dense(fast, 64, Activation.RELU))
                .layer(dense(fast, 32, Activation.TANH))
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(5).activation(Activation.SOFTMAX).build())
                .setInputType(org.deeplearning4j.nn.conf.inputs.InputType.feedForward(30))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static INDArray[] batch(Random random) {
        INDArray x = Nd4j.create(DataType.FLOAT, 24, 30);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 24, 5);
        for (int i = 0; i < 24; i++) {
            for (int j = 0; j < 30; j++) {
                x.putScalar(i, j, random.nextGaussian());
            }
            y.putScalar(i, random.nextInt(5), 1);
        }
        return new INDArray[] {x, y};
    }

    private static double relativeDifference(INDArray a, INDArray b) {
        return a.sub(b).amaxNumber().doubleValue() / Math.max(1e-12, a.amaxNumber().doubleValue());
    }

    @Test
    void trainsExactlyLikeDl4jsDenseLayer() {
        Engine.init();
        MultiLayerNetwork reference = network(false);
        MultiLayerNetwork fast = network(true);
        assertInstanceOf(FastDenseLayerImpl.class, fast.getLayer(0));
        assertEquals(reference.params(), fast.params());
        Random random = new Random(5);
        for (int step = 0; step < 30; step++) {
            INDArray[] xy = batch(random);
            reference.fit(xy[0], xy[1]);
            fast.fit(xy[0], xy[1]);
            assertEquals(reference.score(), fast.score(), 1e-5 * Math.abs(reference.score()), "score at step " + step);
        }
        assertNotEquals(network(false).params(), reference.params(), "training changed the parameters");
        double d = relativeDifference(reference.params(), fast.params());
        assertTrue(d < 1e-5, "relative difference of the parameters " + d);
    }

    @Test
    void givesTheInputGradientWhenAskedFor() {
        // MultiLayerNetwork.backpropGradient returns the gradient with respect to the network input: the fast layer
        // must compute it there (it skips it only inside fit, where DL4J discards it)
        Engine.init();
        INDArray[] eps = new INDArray[2];
        for (int i = 0; i < 2; i++) {
            boolean fast = i == 0;
            MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(9)
                    .dataType(DataType.FLOAT).weightInit(WeightInit.XAVIER).list()
                    .layer(dense(fast, 16, Activation.TANH))
                    .layer(dense(fast, 8, Activation.SIGMOID))
                    .layer(new DenseLayer.Builder().nOut(4).activation(Activation.IDENTITY).build())
                    .setInputType(org.deeplearning4j.nn.conf.inputs.InputType.feedForward(30))
                    .build());
            net.init();
            Nd4j.getRandom().setSeed(3);
            INDArray x = Nd4j.rand(DataType.FLOAT, 6, 30);
            INDArray outputGradient = Nd4j.rand(DataType.FLOAT, 6, 4);
            net.setInput(x);
            net.feedForward(true, false);
            eps[i] = net.backpropGradient(outputGradient, LayerWorkspaceMgr.noWorkspaces()).getSecond();
        }
        assertTrue(eps[0] != null && eps[0].amaxNumber().doubleValue() > 0, "input gradient missing");
        double d = relativeDifference(eps[1], eps[0]);
        assertTrue(d < 1e-5, "relative difference of the input gradients " + d);
    }

    @Test
    void keepsEverySettingOfTheBuiltLayerAndSurvivesSaveAndLoad() throws Exception {
        DenseLayer built = new DenseLayer.Builder().name("hidden").nIn(30).nOut(17).activation(Activation.ELU).l2(3e-4)
                .hasBias(false).build();
        FastDenseLayer fast = FastDenseLayer.of(built);
        assertEquals("hidden", fast.getLayerName());
        assertEquals(17, fast.getNOut());
        assertEquals(built.getActivationFn(), fast.getActivationFn());
        assertEquals(built.getRegularization(), fast.getRegularization());
        assertTrue(!fast.hasBias());
        assertNotEquals(built, fast);
        assertInstanceOf(FastDenseLayer.class, fast.clone());
        assertEquals(fast, fast.clone());

        MultiLayerNetwork net = network(true);
        INDArray[] xy = batch(new Random(2));
        net.fit(xy[0], xy[1]);
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(net.getLayerWiseConfigurations().toJson());
        assertInstanceOf(FastDenseLayer.class, back.getConf(0).getLayer());
        assertEquals(net.getLayerWiseConfigurations().getConf(1).getLayer(), back.getConf(1).getLayer());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(net, bytes, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes.toByteArray()), true);
        assertInstanceOf(FastDenseLayerImpl.class, restored.getLayer(1));
        assertEquals(net.output(xy[0]), restored.output(xy[0]));
    }
}
