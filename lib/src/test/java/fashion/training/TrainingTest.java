package fashion.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;


import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

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
}
