package fashion.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ChoicesTest {
    private static final List<String> OPTIMIZERS = List.of("adam", "sgd", "momentum", "rmsprop", "adagrad", "nadam");

    /** Three steps on random data; the network's layers must keep the configured rate and finite parameters. */
    private static void trainsWithItsRate(Model model, String optimizer, double rate) {
        MultiLayerNetwork net = model.network();
        for (int i = 0; i < net.getnLayers(); i++) {
            var updater = ((BaseLayer) net.getLayerWiseConfigurations().getConf(i).getLayer()).getIUpdater();
            assertEquals(rate, updater.getLearningRate(0, 0), rate * 1e-9, optimizer + ", layer " + i);
        }
        Nd4j.getRandom().setSeed(7);
        INDArray x = Nd4j.rand(DataType.FLOAT, 16, 784);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 16, 10);
        for (int i = 0; i < 16; i++) {
            y.putScalar(i, i % 10, 1);
        }
        INDArray before = net.params().dup();
        for (int step = 0; step < 3; step++) {
            net.fit(x, y);
        }
        assertFalse(net.params().isNaN().any(), optimizer + ": parameters became NaN");
        assertTrue(Double.isFinite(net.score()), optimizer + ": loss " + net.score());
        assertTrue(net.params().sub(before).amaxNumber().doubleValue() > 0, optimizer + ": no parameter moved");
    }

    @Test
    void everyOptimizerTrainsWithTheGivenLearningRate() {
        for (String o : OPTIMIZERS) {
            trainsWithItsRate(Models.dense().width(8).optimizer(o).learningRate(1e-3).build(), o, 1e-3);
        }
    }

    @Test
    void everyOptimizerThatAcceptsADecayTrainsWithIt() {
        for (String o : OPTIMIZERS) {
            if (o.equals("adagrad")) {
                SettingException e = assertThrows(SettingException.class,
                        () -> Models.dense().width(8).optimizer(o).learningRateDecay(0.9).build());
                assertTrue(e.getMessage().contains("learningRateDecay(1)"), e.getMessage());
                continue;
            }
            trainsWithItsRate(Models.dense().width(8).optimizer(o).learningRate(1e-3).learningRateDecay(0.9).build(), o, 1e-3);
        }
    }
}
