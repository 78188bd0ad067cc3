package fashion.models.fastdense;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import fashion.models.Model;
import fashion.models.Models;
import fashion.models.SplitBatchNetwork;

/**
 * The multilayer-perceptron step must train exactly as Deeplearning4j's fit does: the same weights, Adam moments,
 * losses and iteration counts, bit for bit, step after step; and it must stay out of the way of networks it does not
 * cover.
 */
class DenseTrainingStepTest {

    @AfterEach
    void reset() {
        System.clearProperty("fashion.denseStep");
    }

    /** Fashion-MNIST-like minibatches: half the pixels 0, the rest in [0, 1); the last one partial. */
    private static INDArray[][] batches(int count, int size, int last) {
        Random random = new Random(5);
        INDArray[][] out = new INDArray[count][];
        for (int b = 0; b < count; b++) {
            int n = b == count - 1 ? last : size;
            float[] x = new float[n * 784];
            float[] y = new float[n * 10];
            for (int i = 0; i < x.length; i++) {
                x[i] = random.nextFloat() < 0.5f ? 0f : random.nextFloat();
            }
            for (int i = 0; i < n; i++) {
                y[i * 10 + random.nextInt(10)] = 1f;
            }
            out[b] = new INDArray[] {Nd4j.create(x, new long[] {n, 784}, 'c'), Nd4j.create(y, new long[] {n, 10}, 'c')};
        }
        return out;
    }

    private record Trained(SplitBatchNetwork network, double[] scores) {
    }

    private static Trained train(Model model, boolean fast, INDArray[][] data) {
        System.setProperty("fashion.denseStep", String.valueOf(fast));
        SplitBatchNetwork net = (SplitBatchNetwork) model.network();
        double[] scores = new double[data.length];
        for (int b = 0; b < data.length; b++) {
            net.fit(data[b][0], data[b][1]);
            scores[b] = net.score();
        }
        return new Trained(net, scores);
    }

    private static void assertSameTraining(Trained expected, Trained actual) {
        assertArrayEquals(expected.network().params().toFloatVector(), actual.network().params().toFloatVector(),
                "weights differ from Deeplearning4j's");
        INDArray expectedState = expected.network().getUpdater().getStateViewArray();
        INDArray actualState = actual.network().getUpdater().getStateViewArray();
        assertEquals(expectedState == null, actualState == null);
        if (expectedState != null) {
            assertArrayEquals(expectedState.toFloatVector(), actualState.toFloatVector(), "the optimizer's state differs");
        }
        for (int i = 0; i < expected.scores().length; i++) { // the loss from the same probabilities, summed in double
            assertEquals(expected.scores()[i], actual.scores()[i], 1e-6 * Math.abs(expected.scores()[i]), "loss " + i);
        }
        assertEquals(expected.network().getIterationCount(), actual.network().getIterationCount());
    }

    @Test
    void seedDenseModelTrainsBitForBitAsDeeplearning4j() {
        INDArray[][] data = batches(9, 32, 7);
        Trained dl4j = train(Models.seedDense(), false, data);
        Trained fast = train(Models.seedDense(), true, data);
        assertNull(dl4j.network().denseTrainingStep(), "switched off");
        assertNotNull(fast.network().denseTrainingStep());
        assertTrue(Gemm.direct(), "the products go straight to OpenBLAS");
        // every step is the fast one, the first too (its optimizer is set up as Deeplearning4j's first fit would)
        assertEquals(data.length, fast.network().denseTrainingStep().steps());
        assertTrue(Math.abs(dl4j.scores()[0] - dl4j.scores()[8]) > 1e-3, "training changed the loss");
        assertSameTraining(dl4j, fast);
    }

    @Test
    void deeperNetworksAndOtherActivationsToo() {
        INDArray[][] data = batches(6, 16, 16);
        for (String activation : new String[] {"relu", "tanh", "sigmoid"}) {
            Trained dl4j = train(Models.dense().depth(3).width(144).activation(activation).learningRate(1e-3).build(), false, data);
            Trained fast = train(Models.dense().depth(3).width(144).activation(activation).learningRate(1e-3).build(), true, data);
            assertEquals(data.length, fast.network().denseTrainingStep().steps(), activation);
            assertSameTraining(dl4j, fast);
        }
    }

    @Test
    void networksItDoesNotCoverTrainThroughDeeplearning4j() {
        INDArray[][] data = batches(3, 8, 8);
        System.setProperty("fashion.denseStep", "true");
        assertNull(((SplitBatchNetwork) Models.dense().dropout(0.2).build().network()).denseTrainingStep(), "dropout");
        assertNull(((SplitBatchNetwork) Models.seedCnn().network()).denseTrainingStep(), "convolutions");
        // plain SGD: the fused update does not apply, so every step is Deeplearning4j's, with its result
        Trained fast = train(Models.dense().width(32).optimizer("sgd").build(), true, data);
        assertEquals(0, fast.network().denseTrainingStep().steps());
        Trained dl4j = train(Models.dense().width(32).optimizer("sgd").build(), false, data);
        assertSameTraining(dl4j, fast);
    }

    @Test
    void labelsThatAreNotOneHotGiveDeeplearning4jsGradientToo() {
        INDArray[][] data = batches(4, 16, 16);
        for (INDArray[] batch : data) { // smoothed labels, 0.9 and 0.1 / 9, as label smoothing makes them
            batch[1].muli(0.9f - 0.1f / 9).addi(0.1f / 9);
        }
        Trained dl4j = train(Models.seedDense(), false, data);
        Trained fast = train(Models.seedDense(), true, data);
        assertSameTraining(dl4j, fast);
    }
}
