package fashion.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.junit.jupiter.api.AfterEach;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.junit.jupiter.api.Test;

import fashion.data.FashionMnist;
import fashion.data.QuickMode;
import fashion.evaluation.Evaluation;
import fashion.models.Model;
import fashion.models.Models;

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
    void flipsMirrorAboutHalfTheImagesLeftToRight() {
        int n = 200;
        float[] pixels = new float[n * 784];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = i % 28; // every image row is 0, 1, ..., 27
        }
        INDArray rows = Nd4j.create(pixels, new long[] {n, 784}, 'c');
        INDArray flipped = Training.flipRandomHalf(rows, new Random(3));
        assertArrayEquals(new long[] {n, 784}, flipped.shape());
        float[] out = flipped.dup('c').data().asFloat();
        int mirrored = 0;
        for (int r = 0; r < n; r++) {
            boolean same = true;
            boolean mirror = true;
            for (int p = 0; p < 784; p++) {
                same &= out[r * 784 + p] == p % 28;
                mirror &= out[r * 784 + p] == 27 - p % 28;
            }
            assertTrue(same ^ mirror, "image " + r + " is neither itself nor its mirror image");
            mirrored += mirror ? 1 : 0;
        }
        assertTrue(mirrored > 70 && mirrored < 130, mirrored + " of " + n + " mirrored");
        assertEquals(rows, Nd4j.create(pixels, new long[] {n, 784}, 'c'), "the input is left unchanged");
    }
}
