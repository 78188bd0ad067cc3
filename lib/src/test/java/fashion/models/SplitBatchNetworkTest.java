package fashion.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import fashion.engine.Engine;

class SplitBatchNetworkTest {

    private static INDArray images(int n, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.FLOAT, n, 1, 28, 28);
    }

    private static INDArray oneHot(int n) {
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, 10);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, (i * 7) % 10, 1f);
        }
        return y;
    }

    /** Trains a split and an unsplit copy of the same model on the same minibatches; returns the largest difference. */
    private static double[] trainBoth(int batch, int steps) {
        Model split = Models.cnn().filters(3).kernelSize(5).denseWidth(16).build();
        Model whole = Models.cnn().filters(3).kernelSize(5).denseWidth(16).build();
        ((SplitBatchNetwork) split.network()).forceSplitting(true);
        ((SplitBatchNetwork) whole.network()).forceSplitting(false);
        assertEquals(0.0, split.network().params().sub(whole.network().params()).amaxNumber().doubleValue(), "same seed, same start");
        double scoreDiff = 0;
        for (int s = 0; s < steps; s++) {
            INDArray x = images(batch, 100 + s);
            INDArray y = oneHot(batch);
            split.network().fit(x, y);
            whole.network().fit(x, y);
            scoreDiff = Math.max(scoreDiff, Math.abs(split.network().score() - whole.network().score()));
        }
        double paramDiff = split.network().params().sub(whole.network().params()).amaxNumber().doubleValue();
        double moved = split.network().params().sub(Models.cnn().filters(3).kernelSize(5).denseWidth(16).build().network().params())
                .amaxNumber().doubleValue();
        return new double[] {paramDiff, scoreDiff, moved, split.network().getIterationCount()};
    }

    @Test
    void twoHalvesGiveTheSameTrainingAsOneWholeMinibatch() {
        double[] r = trainBoth(32, 4);
        assertTrue(r[2] > 1e-5, "training moved the weights (" + r[2] + ")");
        assertTrue(r[0] < 1e-6, "weights after 4 steps differ by " + r[0]);
        assertTrue(r[1] < 1e-5, "loss differs by " + r[1]);
        assertEquals(4, (int) r[3], "one iteration per minibatch, as in plain fit");
    }

    @Test
    void oddAndTinyMinibatchesToo() {
        double[] odd = trainBoth(7, 2);
        assertTrue(odd[0] < 1e-6, "odd minibatch: weights differ by " + odd[0]);
        double[] one = trainBoth(1, 2);
        assertTrue(one[0] < 1e-6, "minibatch of one (not split): weights differ by " + one[0]);
    }

    @Test
    void onlyPlainConvolutionalNetworksAreSplit() {
        assumeTrue(Engine.threads() >= 2, "needs two cores");
        assertTrue(((SplitBatchNetwork) Models.seedCnn().network()).splitsBatches());
        assertFalse(((SplitBatchNetwork) Models.seedDense().network()).splitsBatches(), "dense: bound by the weights");
        assertFalse(((SplitBatchNetwork) Models.cnn().batchNorm(true).build().network()).splitsBatches(), "running statistics");
        assertFalse(((SplitBatchNetwork) Models.cnn().dropout(0.2).build().network()).splitsBatches(), "random masks");
    }
}
