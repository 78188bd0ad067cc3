package fashion.models.fastupdate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Random;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

import fashion.engine.Engine;

/** FastAdam must train a network exactly as DL4J's own {@link Adam} does (within float rounding). */
class FastAdamTest {

    private static MultiLayerNetwork network(IUpdater updater) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER).updater(updater).l2(1e-3).list()
                .layer(new DenseLayer.Builder().nIn(20).nOut(300).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(300).nOut(4)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static INDArray[] batch(Random random) {
        INDArray x = Nd4j.create(DataType.FLOAT, 16, 20);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 16, 4);
        for (int i = 0; i < 16; i++) {
            for (int j = 0; j < 20; j++) {
                x.putScalar(i, j, random.nextGaussian());
            }
            y.putScalar(i, random.nextInt(4), 1);
        }
        return new INDArray[] {x, y};
    }

    /** Trains the same network with DL4J's Adam and FastAdam on the same batches; returns the largest difference. */
    private static double largestDifference(IUpdater reference, IUpdater fast, int steps) {
        Engine.init();
        MultiLayerNetwork a = network(reference);
        MultiLayerNetwork b = network(fast);
        assertEquals(a.params(), b.params());
        Random random = new Random(3);
        for (int s = 0; s < steps; s++) {
            INDArray[] xy = batch(random);
            a.fit(xy[0], xy[1]);
            b.fit(xy[0], xy[1]);
            if (s == steps / 2) {
                a.incrementEpochCount();
                b.incrementEpochCount();
            }
        }
        assertNotEquals(network(reference).params(), a.params(), "training changed the parameters");
        double scale = a.params().amaxNumber().doubleValue();
        double diff = a.params().sub(b.params()).amaxNumber().doubleValue() / scale;
        // the moments match as well
        double stateDiff = a.getUpdater().getStateViewArray().sub(b.getUpdater().getStateViewArray()).amaxNumber().doubleValue()
                / a.getUpdater().getStateViewArray().amaxNumber().doubleValue();
        return Math.max(diff, stateDiff);
    }

    @Test
    void trainsLikeDl4jsAdam() {
        double d = largestDifference(new Adam(1e-2), new FastAdam(1e-2), 40);
        assertTrue(d < 1e-4, "relative difference " + d);
    }

    @Test
    void followsALearningRateSchedule() {
        double d = largestDifference(new Adam(new ExponentialSchedule(ScheduleType.EPOCH, 1e-2, 0.5)),
                new FastAdam(new ExponentialSchedule(ScheduleType.EPOCH, 1e-2, 0.5)), 40);
        assertTrue(d < 1e-4, "relative difference " + d);
        FastAdam decaying = new FastAdam(new ExponentialSchedule(ScheduleType.EPOCH, 1e-2, 0.5));
        assertEquals(2.5e-3, decaying.getLearningRate(0, 2), 1e-12);
    }

    @Test
    void aDifferentRateTrainsDifferently() {
        // the comparison above can tell optimizers apart
        double d = largestDifference(new Adam(1e-2), new FastAdam(2e-2), 10);
        assertTrue(d > 1e-3, "relative difference " + d);
    }

    @Test
    void survivesJsonSaveAndLoad() throws Exception {
        MultiLayerNetwork net = network(new FastAdam(3e-3));
        Random random = new Random(1);
        INDArray[] xy = batch(random);
        net.fit(xy[0], xy[1]);
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(net.getLayerWiseConfigurations().toJson());
        IUpdater u = ((BaseLayer) back.getConf(0).getLayer()).getIUpdater();
        assertInstanceOf(FastAdam.class, u);
        assertEquals(3e-3, u.getLearningRate(0, 0), 1e-12);
        assertEquals(new FastAdam(3e-3), u);
        assertNotEquals(new Adam(3e-3), u);
        assertInstanceOf(FastAdam.class, u.clone());

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(net, bytes, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes.toByteArray()), true);
        assertEquals(net.params(), restored.params());
        assertEquals(net.getUpdater().getStateViewArray(), restored.getUpdater().getStateViewArray());
        INDArray[] next = batch(random);
        net.fit(next[0], next[1]);
        restored.fit(next[0], next[1]);
        double diff = net.params().sub(restored.params()).amaxNumber().doubleValue();
        assertTrue(diff < 1e-6, "the restored model continues training identically: " + diff);
    }
}
