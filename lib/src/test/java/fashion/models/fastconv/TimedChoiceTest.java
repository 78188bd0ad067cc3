package fashion.models.fastconv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class TimedChoiceTest {

    private static void withSettings(int warmup, int trials, Runnable test) {
        int w = TimedChoice.warmupSteps;
        int t = TimedChoice.trialsPerOption;
        TimedChoice.warmupSteps = warmup;
        TimedChoice.trialsPerOption = trials;
        try {
            test.run();
        } finally {
            TimedChoice.warmupSteps = w;
            TimedChoice.trialsPerOption = t;
        }
    }

    /** Runs a choice through its warm-up and trials with the given step times of each option; returns the decision. */
    private static Boolean decide(boolean guess, long firstNanos, long secondNanos) {
        TimedChoice c = new TimedChoice(guess);
        for (int i = 0; i < 3; i++) {
            assertEquals(guess, c.next(), "the estimate's choice during warm-up");
            assertFalse(c.measuring());
        }
        for (int i = 0; i < 8; i++) {
            boolean first = c.next();
            assertEquals(i % 2 == 0, first, "alternates during the trials");
            assertTrue(c.measuring());
            assertNull(c.decision());
            // one slow outlier each: the median ignores it
            c.record(first, (first ? firstNanos : secondNanos) * (i < 2 ? 50 : 1));
        }
        assertNotNull(c.decision());
        assertFalse(c.measuring());
        for (int i = 0; i < 5; i++) {
            assertEquals(c.decision(), c.next(), "keeps its decision");
        }
        return c.decision();
    }

    @Test
    void keepsTheFasterOptionAfterTheTrials() {
        withSettings(3, 4, () -> {
            assertEquals(Boolean.TRUE, decide(false, 1_000, 2_000));
            assertEquals(Boolean.FALSE, decide(true, 3_000, 2_000));
        });
    }

    /** A 1 -> 5 10x10 layer (estimate between the thresholds) under a 5 -> 4 3x3 one (native, decomposable). */
    private static MultiLayerNetwork twoLayers() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(5)
                .dataType(DataType.FLOAT).updater(new Adam(1e-3)).list()
                .layer(new FastConvolutionLayer.Builder(10, 10).nOut(5).convolutionMode(ConvolutionMode.Same).build())
                .layer(new FastConvolutionLayer.Builder(3, 3).nOut(4).convolutionMode(ConvolutionMode.Same).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(12, 12, 1)).build());
        net.init();
        return net;
    }

    @Test
    void reproducibleRunsChooseFromTheModelAloneAndRepeatBitForBit() {
        boolean before = fashion.engine.Engine.reproducible();
        fashion.engine.Engine.setReproducible(true);
        try {
            withSettings(2, 3, () -> {
                INDArray[] params = new INDArray[2];
                for (int run = 0; run < 2; run++) {
                    MultiLayerNetwork net = twoLayers();
                    DataSet d = FastConvolutionLayerTest.data(DataType.FLOAT, 8);
                    for (int i = 0; i < 2 + 2 * 3 + 4; i++) {
                        net.fit(d);
                    }
                    FastConvolutionLayerImpl first = (FastConvolutionLayerImpl) net.getLayer(0);
                    FastConvolutionLayerImpl second = (FastConvolutionLayerImpl) net.getLayer(1);
                    assertNull(first.fourierDecision(), "never timed");
                    assertTrue(first.usedFourier(), "an estimated saving of 1.25 takes the DFT");
                    assertFalse(second.usedFourier(), "a 3x3 layer stays native");
                    assertEquals("native", second.backwardMethod(), "libnd4j's conv2d_bp, never timed");
                    params[run] = net.params().dup();
                }
                org.junit.jupiter.api.Assertions.assertArrayEquals(params[0].data().asFloat(),
                        params[1].data().asFloat(), "two runs, the same weights bit for bit");
            });
        } finally {
            fashion.engine.Engine.setReproducible(before);
        }
        assertTrue(fashion.engine.Engine.describe().contains(before ? "(reproducible)" : "chosen by timing"));
    }

    @Test
    void aLayerWithAnUnclearEstimateDecidesWhileTraining() {
        // a first layer 1 -> 5, 10x10 on 12x12 images: estimated saving 1.25, between the two thresholds
        assertTrue(FourierConvolution.gain(1, 5, 12, 12, 12, 12, 10, 10, 4, 4, false)
                < FastConvolutionLayerImpl.fourierMinGain);
        withSettings(2, 3, () -> {
            MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(5)
                    .dataType(DataType.FLOAT).updater(new Adam(1e-3)).list()
                    .layer(new FastConvolutionLayer.Builder(10, 10).nOut(5).convolutionMode(ConvolutionMode.Same).build())
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                            .activation(Activation.SOFTMAX).build())
                    .setInputType(InputType.convolutionalFlat(12, 12, 1)).build());
            net.init();
            DataSet d = FastConvolutionLayerTest.data(DataType.FLOAT, 8);
            FastConvolutionLayerImpl layer = (FastConvolutionLayerImpl) net.getLayer(0);
            for (int i = 0; i < 2 + 2 * 3; i++) {
                assertNull(layer.fourierDecision());
                net.fit(d);
            }
            assertNotNull(layer.fourierDecision(), "decided after warm-up and 3 timed steps of each method");
            assertTrue(layer.usedFourier(), "the DFT was one of the two tried");
        });
    }
}
