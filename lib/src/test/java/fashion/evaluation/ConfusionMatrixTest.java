package fashion.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
