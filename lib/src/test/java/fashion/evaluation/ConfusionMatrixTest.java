package fashion.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import fashion.data.FashionMnist;
import fashion.data.QuickMode;
import fashion.models.Models;

class ConfusionMatrixTest {
    @AfterEach
    void environmentQuickMode() {
        QuickMode.override(null);
    }

    @Test
    void countsPairsOfTrueAndPredictedClasses() {
        ConfusionMatrix m = ConfusionMatrix.of("t", new int[] {0, 0, 1, 2, 2, 2}, new int[] {0, 1, 1, 2, 0, 2}, List.of("a", "b", "c"));
        assertEquals(6, m.total());
        assertEquals(4, m.correct());
        assertEquals(1, m.count(0, 1));
        assertEquals(1, m.count(2, 0));
        assertEquals(2.0 / 3, m.classAccuracy(2), 1e-12);
        assertEquals(4, m.table().columnCount() - 1); // class name column + 3 classes + total
        assertEquals(3, m.table().intColumn("total").get(2));
        assertThrows(IllegalArgumentException.class, () -> ConfusionMatrix.of("t", new int[] {0}, new int[] {}, List.of("a")));
    }

    @Test
    void perClassMetricsComeFromTheMatrix() {
        // rows true, columns predicted:   a  b  c
        //                             a [ 5  1  0 ]  support 6
        //                             b [ 2  3  1 ]  support 6
        //                             c [ 0  0  4 ]  support 4
        // column sums 7, 4, 5.  precision a 5/7, b 3/4, c 4/5; recall a 5/6, b 3/6, c 4/4
        int[] truth = {0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2};
        int[] predicted = {0, 0, 0, 0, 0, 1, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2};
        ConfusionMatrix m = ConfusionMatrix.of("t", truth, predicted, List.of("a", "b", "c"));
        assertEquals(5.0 / 7, m.precision(0), 1e-12);
        assertEquals(3.0 / 4, m.precision(1), 1e-12);
        assertEquals(4.0 / 5, m.precision(2), 1e-12);
        assertEquals(5.0 / 6, m.recall(0), 1e-12);
        assertEquals(0.5, m.recall(1), 1e-12);
        assertEquals(1.0, m.recall(2), 1e-12);
        // F1 a = 2 (5/7)(5/6) / (5/7 + 5/6) = 10/13; b = 2 (3/4)(1/2) / (5/4) = 3/5; c = 2 (4/5)(1) / (9/5) = 8/9
        assertEquals(10.0 / 13, m.f1(0), 1e-12);
        assertEquals(0.6, m.f1(1), 1e-12);
        assertEquals(8.0 / 9, m.f1(2), 1e-12);
        assertEquals((5.0 / 7 + 3.0 / 4 + 4.0 / 5) / 3, m.macroPrecision(), 1e-12);
        assertEquals((5.0 / 6 + 0.5 + 1.0) / 3, m.macroRecall(), 1e-12);
        assertEquals((10.0 / 13 + 0.6 + 8.0 / 9) / 3, m.macroF1(), 1e-12);
        var t = m.classMetrics();
        assertEquals(List.of("class", "support", "precision", "recall", "F1"), t.columnNames());
        assertEquals(4, t.rowCount());
        assertEquals(List.of(6, 6, 4, 16), t.intColumn("support").asList());
        assertEquals("macro average", t.stringColumn("class").get(3));
        assertEquals(0.7143, t.doubleColumn("precision").get(0));
        assertEquals(0.6, t.doubleColumn("F1").get(1));
        assertEquals(Math.round(m.macroF1() * 10000) / 10000.0, t.doubleColumn("F1").get(3));
        // macro P = (5/7 + 3/4 + 4/5) / 3 = 0.75476, R = (5/6 + 1/2 + 1) / 3 = 0.77778, F1 = (10/13 + 3/5 + 8/9) / 3 = 0.75271
        assertEquals("macro averages over the classes: precision 0.7548, recall 0.7778, F1 0.7527", m.describeMacroAverages());
        // a class never predicted has no precision (NaN), and is left out of the macro average
        ConfusionMatrix never = ConfusionMatrix.of("t", new int[] {0, 1}, new int[] {0, 0}, List.of("a", "b"));
        assertTrue(Double.isNaN(never.precision(1)));
        assertEquals(0.0, never.recall(1));
        assertTrue(Double.isNaN(never.f1(1)));
        assertEquals(0.5, never.macroPrecision(), 1e-12);
    }

    @Test
    void evaluationTotalsEqualTheSampleCounts() {
        QuickMode.override(true);
        FashionMnist data = FashionMnist.load(FashionMnist.DEBIAN_FOLDER);
        Evaluation e = Evaluation.of(Models.seedDense(), data.test());
        assertEquals(data.test().size(), e.confusion().total());
        int[] counts = data.test().classCounts();
        for (int c = 0; c < counts.length; c++) {
            int row = 0;
            for (int p = 0; p < counts.length; p++) {
                row += e.confusion().count(c, p);
            }
            assertEquals(counts[c], row, "row " + c);
        }
        assertEquals((double) e.confusion().correct() / data.test().size(), e.accuracy(), 1e-12);
    }
}
