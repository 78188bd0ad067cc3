package fashion.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;


import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import fashion.data.FashionMnist;
import fashion.data.QuickMode;
import fashion.evaluation.Evaluation;
import fashion.models.Model;
import fashion.models.Models;
import fashion.models.SettingException;

class TrainingTest {
    @AfterEach
    void environmentQuickMode() {
        QuickMode.override(null);
    }

    @Test
    void trainingOnASmallSubsetLowersTheLoss() {
        QuickMode.override(true);
        FashionMnist data = FashionMnist.load(FashionMnist.DEBIAN_FOLDER);
        Model model = Models.dense().width(64).learningRate(1e-3).build();
        double before = Evaluation.of(model, data.validation()).loss();
        History history = Training.fit(model, data, TrainingOptions.epochs(2).progress(false));
        assertEquals(History.Status.COMPLETED, history.status());
        assertEquals(2, history.epochs().size());
        double after = history.last().validationLoss();
        assertTrue(after < before * 0.8, "validation loss " + before + " -> " + after);
        assertTrue(history.last().validationAccuracy() > 0.6, "accuracy " + history.last().validationAccuracy());
        assertTrue(history.epochs().get(1).trainLoss() < history.epochs().get(0).trainLoss());
        assertEquals(after, Evaluation.of(model, data.validation()).loss(), 1e-6);
    }

    @Test
    void quickModeCapsTheEpochs() {
        QuickMode.override(true);
        FashionMnist data = FashionMnist.load(FashionMnist.DEBIAN_FOLDER);
        History history = Training.fit(Models.dense().width(16).build(), data, TrainingOptions.epochs(7).batchSize(256).progress(false));
        assertEquals(QuickMode.MAX_EPOCHS, history.epochs().size());
        assertEquals(QuickMode.MAX_EPOCHS, history.plannedEpochs());
    }

    @Test
    void learningRateDecaysAfterEveryEpoch() {
        QuickMode.override(true);
        FashionMnist data = FashionMnist.load(FashionMnist.DEBIAN_FOLDER);
        Model model = Models.dense().width(16).learningRate(1e-3).learningRateDecay(0.5).build();
        Training.fit(model, data, TrainingOptions.epochs(2).batchSize(256).progress(false));
        assertEquals(2, model.network().getEpochCount());
        var updater = ((BaseLayer) model.network().getLayerWiseConfigurations().getConf(0).getLayer()).getIUpdater();
        assertEquals(1e-3, updater.getLearningRate(0, 0), 1e-12);
        assertEquals(2.5e-4, updater.getLearningRate(0, model.network().getEpochCount()), 1e-12);
    }

    @Test
    void smoothedLabelsAreWhatTheNetworkIsTrainedTowards() {
        QuickMode.override(true);
        FashionMnist data = FashionMnist.load(FashionMnist.DEBIAN_FOLDER);
        // cross-entropy against targets 0.55 / 0.05 cannot fall below their entropy, about 1.68; against one-hot
        // labels it falls well below that within two epochs
        double floor = -(0.55 * Math.log(0.55) + 9 * 0.05 * Math.log(0.05));
        History plain = Training.fit(Models.dense().width(32).learningRate(3e-3).build(), data,
                TrainingOptions.epochs(2).batchSize(64).progress(false));
        Model model = Models.dense().width(32).learningRate(3e-3).build();
        History smoothed = Training.fit(model, data, TrainingOptions.epochs(2).batchSize(64).smoothLabels(0.5).progress(false));
        assertTrue(plain.last().batchLoss() < floor - 0.5, "plain training loss " + plain.last().batchLoss());
        for (Epoch e : smoothed.epochs()) {
            assertTrue(e.batchLoss() >= floor - 1e-6, "smoothed training loss " + e.batchLoss() + " below the floor " + floor);
        }
        // evaluations score the true labels: the network still learns the classes
        assertTrue(smoothed.last().validationAccuracy() > 0.6, "accuracy " + smoothed.last().validationAccuracy());
        assertTrue(smoothed.last().validationLoss() < floor, "validation loss " + smoothed.last().validationLoss());
        assertTrue(TrainingOptions.epochs(1).smoothLabels(0.1).toString().contains("smoothLabels=0.1"));
        assertTrue(assertThrows(SettingException.class, () -> TrainingOptions.epochs(1).smoothLabels(1.0)).getMessage()
                .contains("smoothLabels"));
    }

    @Test
    void aMinibatchIsGatheredIntoOneReusedArrayAsANewViewEachTime() {
        INDArray source = Nd4j.rand(
                DataType.FLOAT, 50, 6);
        Training.MinibatchRows rows = new Training.MinibatchRows(source, 4);
        INDArray first = rows.pull(new int[] {3, 1, 4, 1});
        assertEquals(Nd4j.pullRows(source, 1, new int[] {3, 1, 4, 1}), first);
        long address = first.data().address();
        INDArray second = rows.pull(new int[] {49, 0, 7, 7});
        assertEquals(Nd4j.pullRows(source, 1, new int[] {49, 0, 7, 7}), second);
        assertNotSame(first, second, "a new view object each step");
        assertEquals(address, second.data().address(), "over the same memory");
        // a smaller last minibatch gets its own array
        INDArray last = rows.pull(new int[] {2, 5});
        assertEquals(Nd4j.pullRows(source, 1, new int[] {2, 5}), last);
        assertNotEquals(address, last.data().address());
        assertEquals(Nd4j.pullRows(source, 1, new int[] {49, 0, 7, 7}), second,
                "the last minibatch did not overwrite the full one");
    }
}
