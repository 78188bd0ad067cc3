package fashion.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import fashion.data.FashionMnist;
import fashion.data.QuickMode;
import fashion.evaluation.Evaluation;
import fashion.models.Model;
import fashion.models.Models;

/** Re-running a notebook gives the same numbers: the same configuration trains to identical histories. */
class ReproducibilityTest {
    @AfterEach
    void environmentQuickMode() {
        QuickMode.override(null);
    }

    static History run(FashionMnist data, long trainingSeed) {
        Model model = Models.dense().width(32).learningRate(1e-3).build();
        return Training.fit(model, data, TrainingOptions.epochs(2).seed(trainingSeed).progress(false));
    }

    /** Every measurement of every epoch, without the timings. */
    static List<List<Double>> numbers(History h) {
        return h.epochs().stream()
                .map(e -> List.of((double) e.epoch(), e.trainLoss(), e.trainAccuracy(), e.validationLoss(),
                        e.validationAccuracy(), e.batchLoss()))
                .toList();
    }

    @Test
    void twoFitsOfTheSameConfigurationAreIdentical() {
        QuickMode.override(true);
        FashionMnist data = FashionMnist.load(FashionMnist.DEBIAN_FOLDER);
        History first = run(data, 1);
        History second = run(data, 1);
        assertEquals(History.Status.COMPLETED, first.status());
        assertEquals(2, first.epochs().size());
        assertEquals(numbers(first), numbers(second));
        // the data is reloaded from the cache unchanged, and a fresh model evaluates the same
        FashionMnist again = FashionMnist.load(FashionMnist.DEBIAN_FOLDER);
        assertEquals(data.validation().dense(), again.validation().dense());
        Model a = Models.dense().width(32).build();
        Model b = Models.dense().width(32).build();
        assertEquals(Evaluation.of(a, data.test()).loss(), Evaluation.of(b, data.test()).loss());
        // and the seed matters: another shuffling seed gives other numbers
        assertNotEquals(numbers(first), numbers(run(data, 2)));
    }
}
