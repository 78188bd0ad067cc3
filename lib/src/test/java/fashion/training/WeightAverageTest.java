package fashion.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import fashion.data.FashionMnist;
import fashion.data.QuickMode;
import fashion.evaluation.Evaluation;
import fashion.models.Model;
import fashion.models.Models;
import fashion.models.SettingException;

class WeightAverageTest {
    @AfterEach
    void environmentQuickMode() {
        QuickMode.override(null);
    }

    private static Model small() {
        return Models.dense().width(24).learningRate(3e-3).seed(7).build();
    }

    @Test
    void theModelEndsWithTheMovingAverageOfTheWeightsOfEveryStep() {
        QuickMode.override(true);
        FashionMnist data = FashionMnist.load(FashionMnist.DEBIAN_FOLDER);
        // 2 x 63 steps: the warm-up (1 + t) / (10 + t) exceeds the momentum from step 81 on, so both parts are used
        TrainingOptions options = TrainingOptions.epochs(2).batchSize(32).progress(false);
        double momentum = 0.9;

        // the same training without averaging, the average computed beside it in double from the weights of every step
        Model plain = small();
        double[] expected = plain.network().params().dup().data().asDouble();
        long[] steps = {0};
        plain.network().addListeners(new BaseTrainingListener() {
            @Override
            public void iterationDone(org.deeplearning4j.nn.api.Model m, int iteration, int epoch) {
                steps[0]++;
                double d = Math.min(momentum, (1.0 + steps[0]) / (10.0 + steps[0]));
                double[] w = plain.network().params().dup().data().asDouble();
                for (int i = 0; i < w.length; i++) {
                    expected[i] = d * expected[i] + (1 - d) * w[i];
                }
            }
        });
        Training.fit(plain, data, options);
        assertTrue(steps[0] > 20, "steps " + steps[0]);

        Model averaged = small();
        History history = Training.fit(averaged, data, options.averageWeights(momentum));
        assertEquals(History.Status.COMPLETED, history.status());
        double[] got = averaged.network().params().dup().data().asDouble();
        double[] last = plain.network().params().dup().data().asDouble();
        double worst = 0;
        double moved = 0;
        for (int i = 0; i < got.length; i++) {
            worst = Math.max(worst, Math.abs(got[i] - expected[i]));
            moved = Math.max(moved, Math.abs(got[i] - last[i]));
        }
        assertTrue(worst < 1e-5, "largest difference from the average computed step by step: " + worst);
        assertTrue(moved > 1e-3, "the average should differ from the last step's weights; largest difference " + moved);
    }

    @Test
    void everyEpochMeasuresTheAveragedWeightsAndTrainingContinuesFromItsOwn() {
        QuickMode.override(true);
        FashionMnist data = FashionMnist.load(FashionMnist.DEBIAN_FOLDER);
        TrainingOptions options = TrainingOptions.epochs(2).batchSize(128).progress(false);
        Model plain = small();
        History plainHistory = Training.fit(plain, data, options);
        Model averaged = small();
        History history = Training.fit(averaged, data, options.averageWeights(0.99));
        // the model ends with the weights the last epoch measured
        Evaluation now = Evaluation.of(averaged, data.validation());
        assertEquals(history.last().validationLoss(), now.loss(), 1e-6);
        assertEquals(history.last().validationAccuracy(), now.accuracy(), 1e-12);
        // the first epoch's measurement swapped the average in and out: the steps trained on are the plain run's
        assertEquals(plainHistory.epochs().get(1).batchLoss(), history.epochs().get(1).batchLoss(), 1e-9);
        assertFalse(plainHistory.epochs().get(0).validationLoss() == history.epochs().get(0).validationLoss(),
                "epoch 1 should measure the averaged weights");
    }

    @Test
    void theMomentumIsCheckedAndRecordedOnlyWhenUsed() {
        SettingException e = assertThrows(SettingException.class, () -> TrainingOptions.epochs(1).averageWeights(0.5));
        assertTrue(e.getMessage().contains("averageWeights") && e.getMessage().contains("0.999"), e.getMessage());
        assertThrows(SettingException.class, () -> TrainingOptions.epochs(1).averageWeights(1.0));
        assertFalse(TrainingOptions.epochs(3).toString().contains("average"));
        assertTrue(TrainingOptions.epochs(3).averageWeights(0.999).toString().contains("averageWeights=0.999"));
        assertEquals(0.0, TrainingOptions.epochs(3).averageWeights(0.999).averageWeights(0).averageWeightsMomentum());
    }
}
