package fashion.models.fastupdate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.MultiLayerUpdater;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import fashion.models.Models;

/**
 * The seed's dense model trained with the fused update (one pass for minibatch division, L2, Adam and the step) and
 * the output-half split of its dense layer must give the weights and Adam moments Deeplearning4j's own update and
 * single products give, within float rounding, step after step.
 */
class FusedUpdateTest {

    @AfterEach
    void reset() {
        System.clearProperty("fashion.fusedUpdate");
        System.clearProperty("fashion.denseSplit");
    }

    private static DataSet[] batches(int count, int size) {
        Random random = new Random(3);
        DataSet[] out = new DataSet[count];
        for (int b = 0; b < count; b++) {
            INDArray x = Nd4j.create(DataType.FLOAT, size, 784);
            INDArray y = Nd4j.zeros(DataType.FLOAT, size, 10);
            for (int i = 0; i < size; i++) {
                for (int j = 0; j < 784; j++) {
                    x.putScalar(i, j, random.nextFloat() < 0.5 ? 0f : random.nextFloat());
                }
                y.putScalar(i, random.nextInt(10), 1);
            }
            out[b] = new DataSet(x, y);
        }
        return out;
    }

    /** Trains a fresh seed dense model on {@code data} with the two switches set; returns it. */
    private static MultiLayerNetwork train(boolean fused, boolean split, DataSet[] data) {
        System.setProperty("fashion.fusedUpdate", String.valueOf(fused));
        System.setProperty("fashion.denseSplit", String.valueOf(split));
        MultiLayerNetwork net = Models.seedDense().network();
        for (DataSet d : data) {
            net.fit(d);
        }
        return net;
    }

    private static double maxDifference(INDArray a, INDArray b) {
        return a.sub(b).amaxNumber().doubleValue();
    }

    @Test
    void fusedUpdateAndSplitLayerTrainAsDeeplearning4jDoes() {
        DataSet[] data = batches(6, 32);
        MultiLayerNetwork plain = train(false, false, data);
        MultiLayerNetwork fused = train(true, false, data);
        MultiLayerNetwork both = train(true, true, data);
        assertInstanceOf(FusedUpdate.FusedUpdater.class, fused.getUpdater(), "the fused update must be in place");
        assertEquals(data.length, ((FusedUpdate.FusedUpdater) fused.getUpdater()).fusedSteps(),
                "every step must take the fused path, not fall back to Deeplearning4j's update");
        assertEquals(data.length, ((FusedUpdate.FusedUpdater) both.getUpdater()).fusedSteps());
        assertTrue(plain.getUpdater().getClass() == MultiLayerUpdater.class, "switched off: Deeplearning4j's updater");
        MultiLayerNetwork initial = Models.seedDense().network();
        assertTrue(maxDifference(initial.params(), plain.params()) > 1e-5, "training moved the weights");
        // Adam moves a weight by at most about the learning rate (1e-4) per step; rounding must stay far below that
        double fusedDiff = maxDifference(plain.params(), fused.params());
        assertEquals(0.0, fusedDiff, "the fused update must give Deeplearning4j's weights bit for bit");
        double bothDiff = maxDifference(plain.params(), both.params());
        assertTrue(fusedDiff < 1e-6, "fused update differs from DL4J's by " + fusedDiff);
        assertTrue(bothDiff < 1e-6, "split dense layer differs from DL4J's by " + bothDiff);
        double stateDiff = maxDifference(plain.getUpdater().getStateViewArray(), both.getUpdater().getStateViewArray());
        assertTrue(stateDiff < 1e-6, "Adam moments differ by " + stateDiff);
        assertNotEquals(0.0, plain.score());
    }

    @Test
    void oddMinibatchSizesAndTheLastPartialBatchToo() {
        DataSet[] data = batches(3, 7);
        MultiLayerNetwork plain = train(false, false, data);
        MultiLayerNetwork both = train(true, true, data);
        assertEquals(data.length, ((FusedUpdate.FusedUpdater) both.getUpdater()).fusedSteps());
        double diff = maxDifference(plain.params(), both.params());
        assertTrue(diff < 1e-6, "differs by " + diff);
    }

    @Test
    void anUpdaterReplacedDuringTrainingIsNotAppliedTwice() {
        // Deeplearning4j's setLearningRate replaces the updater; the step function must then ask the new one
        DataSet[] data = batches(6, 16);
        MultiLayerNetwork[] nets = new MultiLayerNetwork[2];
        for (int k = 0; k < 2; k++) {
            System.setProperty("fashion.fusedUpdate", String.valueOf(k == 1));
            System.setProperty("fashion.denseStep", "false"); // Deeplearning4j's fit, where the step function runs
            nets[k] = Models.seedDense().network();
            for (int b = 0; b < data.length; b++) {
                if (b == 3) {
                    nets[k].setLearningRate(1e-3);
                }
                nets[k].fit(data[b]);
            }
        }
        System.clearProperty("fashion.denseStep");
        assertEquals(0.0, maxDifference(nets[0].params(), nets[1].params()),
                "a learning-rate change must not make the fused update apply twice");
    }
}
