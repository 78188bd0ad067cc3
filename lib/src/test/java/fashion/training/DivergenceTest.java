package fashion.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import fashion.data.FashionMnist;
import fashion.data.QuickMode;
import fashion.data.Split;
import fashion.models.Model;
import fashion.models.Models;
import fashion.plots.Chart;
import fashion.plots.Plots;

/** A loss that becomes NaN or infinite stops training at once with a message; the history so far is kept and plots. */
class DivergenceTest {
    @AfterEach
    void environmentQuickMode() {
        QuickMode.override(null);
    }

    static FashionMnist quickData() {
        QuickMode.override(true);
        return FashionMnist.load(FashionMnist.DEBIAN_FOLDER);
    }

    @Test
    void hugeLearningRateStopsWithAHint() {
        FashionMnist data = quickData();
        Model model = Models.dense().width(64).optimizer("sgd").learningRate(1e6).build();
        History history = Training.fit(model, data, TrainingOptions.epochs(2).progress(false));
        assertEquals(History.Status.DIVERGED, history.status(), history.summary());
        String message = history.message();
        assertTrue(message.startsWith("training diverged"), message);
        assertTrue(message.contains("epoch 1") || message.contains("after epoch"), message);
        assertTrue(message.contains("lower learning rate"), message);
        assertTrue(message.contains("1000000") || message.contains("1.0E6"), "names the learning rate: " + message);
        assertTrue(history.summary().contains("DIVERGED"), history.summary());
        assertRendersAsFigure(history);
    }

    @Test
    void nanInputStopsAtTheBatchWhereTheLossBecameNaN() {
        FashionMnist data = quickData();
        Split train = data.train().select(new int[] {0, 1, 2, 3, 4, 5, 6, 7});
        train.dense().putScalar(5, 100, Float.NaN); // a copy: the cached data stays clean
        Model model = Models.dense().width(16).build();
        History history = Training.fit(model, train, data.validation(), TrainingOptions.epochs(2).batchSize(8).progress(false));
        assertEquals(History.Status.DIVERGED, history.status());
        assertTrue(history.message().contains("at epoch 1, batch 1/1"), history.message());
        assertTrue(history.message().contains("the history up to epoch 0 is kept"), history.message());
        assertEquals(0, history.epochs().size());
        assertEquals(History.Status.DIVERGED, Training.lastHistory().status());
        assertFalse(Double.isNaN(data.train().dense().sumNumber().doubleValue()), "the shared data was not poisoned");
        assertRendersAsFigure(history);
    }

    @Test
    void divergenceAfterGoodEpochsKeepsThem() {
        FashionMnist data = quickData();
        Model model = Models.dense().width(16).learningRate(1e-3).build();
        History first = Training.fit(model, data, TrainingOptions.epochs(1).progress(false));
        assertEquals(History.Status.COMPLETED, first.status());
        Split poisoned = data.train().select(new int[] {0, 1, 2, 3});
        poisoned.dense().putScalar(0, 0, Float.POSITIVE_INFINITY);
        History second = Training.fit(model, poisoned, data.validation(), TrainingOptions.epochs(1).progress(false));
        assertEquals(History.Status.DIVERGED, second.status(), second.summary());
        assertEquals(1, first.epochs().size(), "the earlier history is untouched");
        assertRendersAsFigure(first);
    }

    static void assertRendersAsFigure(History history) {
        Chart chart = Plots.history(history);
        String html = chart.html();
        assertTrue(html.contains("Loss and accuracy"), "a figure for " + history.summary());
        assertTrue(history.table().rowCount() == history.epochs().size());
    }
}
