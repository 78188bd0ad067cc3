package fashion.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.nd4j.linalg.api.ndarray.INDArray;

import fashion.data.FashionMnist;
import fashion.data.QuickMode;
import fashion.training.Training;
import fashion.training.TrainingOptions;

/** Settings outside their range are rejected before any training, with a message naming the setting and its range. */
class SettingsTest {
    @AfterEach
    void environmentQuickMode() {
        QuickMode.override(null);
    }

    static void rejected(Executable action, String... phrases) {
        SettingException e = assertThrows(SettingException.class, action);
        for (String phrase : phrases) {
            assertTrue(e.getMessage().contains(phrase), "'" + phrase + "' in: " + e.getMessage());
        }
    }

    @Test
    void nonPositiveSizesAreRejected() {
        rejected(() -> Models.dense().width(0).build(), "width", "at least 1", "got 0");
        rejected(() -> Models.dense().depth(-2).build(), "depth", "at least 1", "got -2");
        rejected(() -> Models.cnn().filters(0).build(), "filters", "at least 1");
        rejected(() -> Models.cnn().convLayers(0).build(), "convLayers", "at least 1");
        rejected(() -> Models.cnn().denseWidth(0).build(), "denseWidth", "at least 1");
        rejected(() -> Models.cnn().kernelSize(0).build(), "kernelSize", "at least 1");
    }

    @Test
    void badLearningRatesAreRejected() {
        rejected(() -> Models.dense().learningRate(0).build(), "learningRate", "greater than 0", "got 0.0");
        rejected(() -> Models.dense().learningRate(-1e-3).build(), "learningRate", "greater than 0");
        rejected(() -> Models.cnn().learningRate(Double.NaN).build(), "learningRate", "greater than 0", "NaN");
        rejected(() -> Models.dense().learningRate(Double.POSITIVE_INFINITY).build(), "learningRate", "finite");
    }

    @Test
    void negativeL2IsRejectedAndZeroAllowed() {
        rejected(() -> Models.dense().l2(-1e-4).build(), "l2", "at least 0", "got -1.0E-4");
        rejected(() -> Models.cnn().l2(-1).build(), "l2", "at least 0");
        assertEquals(0.0, Models.dense().width(8).l2(0).build().settings().get("l2"));
    }

    @Test
    void learningRateDecayOutsideItsRangeIsRejected() {
        rejected(() -> Models.dense().learningRateDecay(0).build(), "learningRateDecay", "(0, 1]", "not 0.0");
        rejected(() -> Models.cnn().learningRateDecay(1.5).build(), "learningRateDecay", "(0, 1]");
        assertEquals(0.5, Models.dense().width(8).learningRateDecay(0.5).build().settings().get("learningRateDecay"));
    }

    @Test
    void dropoutOutsideItsRangeIsRejected() {
        rejected(() -> Models.dense().dropout(1).build(), "dropout", "at least 0 and below 1");
        rejected(() -> Models.cnn().dropout(-0.1).build(), "dropout", "at least 0 and below 1");
    }

    @Test
    void unknownNamesListTheChoices() {
        rejected(() -> Models.dense().activation("swishy").build(), "unknown activation 'swishy'", "relu", "tanh", "sigmoid");
        rejected(() -> Models.dense().optimizer("adamw2").build(), "unknown optimizer 'adamw2'", "adam", "sgd", "rmsprop");
        rejected(() -> Models.cnn().pooling("median").build(), "unknown pooling 'median'", "avg", "max");
        rejected(() -> Models.cnn().padding("reflect").build(), "unknown padding 'reflect'", "same", "valid");
        rejected(() -> Models.dense().activation(null).build(), "unknown activation");
        // names are case- and dash-insensitive
        assertEquals("ReLU", Models.dense().width(8).activation("ReLU").build().settings().get("activation"));
        Models.dense().width(8).activation("leaky-relu").optimizer(" SGD ").build();
    }

    @Test
    void kernelsLargerThanTheirInputAreRejected() {
        rejected(() -> Models.cnn().kernelSize(29).build(), "kernelSize 29", "28x28", "at most 28");
        // valid padding shrinks the input: 3 x 10x10 valid leaves 1x1 for the third convolution
        rejected(() -> Models.cnn().padding("valid").kernelSize(12).build(), "kernelSize 12", "convolution 3", "padding \"same\"");
        rejected(() -> Models.cnn().secondKernelSize(15).build(), "secondKernelSize 15", "14x14", "at most 14");
        // the seed's second block leaves 5x5 maps for a third convolution
        rejected(() -> Models.cnn().thirdFilters(8).thirdKernelSize(6).build(), "thirdKernelSize 6", "5x5", "at most 5");
        rejected(() -> Models.cnn().thirdFilters(-1).build(), "thirdFilters", "-1");
    }

    @Test
    void aThirdConvolutionSitsAfterTheSecondPooling() {
        Model m = Models.cnn().convLayers(1).filters(8).kernelSize(3).pooling("max").secondFilters(16).secondKernelSize(3)
                .thirdFilters(24).batchNorm(true).build();
        var layers = m.network().getLayerWiseConfigurations().getConfs();
        var names = layers.stream().map(c -> c.getLayer().getLayerName()).toList();
        assertEquals(java.util.List.of("conv1", "bn1", "pool1", "conv2", "bn2", "pool2", "conv3", "bn3", "dense", "output"), names);
        // 28 -> 14 -> 12 -> 6 -> 4: 24 x 4 x 4 features into the dense layer
        assertEquals(24 * 4 * 4, ((org.deeplearning4j.nn.conf.layers.FeedForwardLayer) layers.get(8).getLayer()).getNIn());
        assertEquals(24, m.settings().get("thirdFilters"));
        assertTrue(!Models.cnn().build().settings().containsKey("thirdFilters"), "the seed's settings are unchanged");
        m.network().output(org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 2, 1, 28, 28));
    }

    @Test
    void badTrainingOptionsAreRejectedBeforeAnyTraining() {
        QuickMode.override(true);
        FashionMnist data = FashionMnist.load(FashionMnist.DEBIAN_FOLDER);
        Model model = Models.dense().width(16).build();
        INDArray before = model.network().params().dup();
        rejected(() -> Training.fit(model, data, 0), "epochs", "at least 1", "got 0");
        rejected(() -> Training.fit(model, data, TrainingOptions.epochs(1).batchSize(0)), "batchSize", "at least 1");
        rejected(() -> Training.fit(model, data, TrainingOptions.epochs(1).batchSize(-32)), "batchSize", "got -32");
        rejected(() -> Training.fit(model, data, TrainingOptions.epochs(1).trainingSample(0)), "trainingSample", "at least 1");
        rejected(() -> TrainingOptions.epochs(-1).validate(), "epochs", "at least 1");
        assertEquals(before, model.network().params(), "no training happened");
        assertEquals(0, model.network().getIterationCount());
    }
}
