package fashion.baselines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import fashion.data.FashionMnist;
import fashion.data.QuickMode;

/** Every baseline learns on a small subset: well above chance (0.1) on the quick-mode test set of 1,000 images. */
class BaselinesTest {
    static Baselines baselines;

    @BeforeAll
    static void load() {
        QuickMode.override(true);
        baselines = Baselines.on(FashionMnist.load());
    }

    @AfterAll
    static void reset() {
        QuickMode.override(null);
    }

    private static void aboveChance(Baseline b, int trainImages) {
        assertEquals(trainImages, b.trainImages());
        assertEquals(1000, b.testImages());
        assertTrue(b.quick());
        assertTrue(b.testAccuracy() > 0.5, b + ": not well above chance (0.1)");
        assertTrue(b.trainSeconds() >= 0 && b.testSeconds() > 0);
    }

    @Test
    void logisticRegression() {
        aboveChance(baselines.logisticRegression(500), 500);
    }

    @Test
    void linearSvm() {
        aboveChance(baselines.linearSvm(500), 500);
    }

    @Test
    void nearestNeighboursByProductsAgreeWithTribuos() {
        // k = 1: no tied votes, so the same classifier must give the same accuracy (for k > 1 each breaks ties its own way)
        Baseline tribuo = baselines.nearestNeighbours(1, 500);
        Baseline products = baselines.nearestNeighboursByProducts(1, 500);
        aboveChance(tribuo, 500);
        aboveChance(products, 500);
        assertEquals(tribuo.testAccuracy(), products.testAccuracy(), 0.0015);
        aboveChance(baselines.nearestNeighboursByProducts(5, 500), 500);
    }

    @Test
    void nearestNeighboursOfKnownPoints() {
        var train = org.nd4j.linalg.factory.Nd4j.create(new float[][] {{0, 0}, {0, 1}, {10, 10}, {10, 11}, {11, 10}});
        var knn = new NearestNeighbours(train, new int[] {0, 0, 1, 1, 1}, 3);
        int[] p = knn.predict(org.nd4j.linalg.factory.Nd4j.create(new float[][] {{0.2f, 0.3f}, {9, 9}, {6, 6}}));
        assertEquals(0, p[0]); // nearest three: two of class 0, one of class 1
        assertEquals(1, p[1]);
        assertEquals(1, p[2]); // all three of class 1 are nearer than (0, 1)
        // a tie (k = 2, one vote each) goes to the class of the nearest: (0, 1) at distance^2 42.64 vs (10, 10) at 48
        var two = new NearestNeighbours(train, new int[] {0, 0, 1, 1, 1}, 2);
        assertEquals(0, two.predict(org.nd4j.linalg.factory.Nd4j.create(new float[][] {{5, 5.2f}}))[0]);
    }

    @Test
    void randomForest() {
        aboveChance(baselines.randomForest(5, 500), 500);
    }

    @Test
    void badArgumentsAreClearErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> baselines.logisticRegression(5));
        assertTrue(e.getMessage().contains("trainImages must be 10..2000"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> baselines.nearestNeighbours(0, 1000));
        assertThrows(IllegalArgumentException.class, () -> baselines.randomForest(0, 1000));
    }

    @Test
    void tableHasOneRowPerResult() {
        Baseline a = new Baseline("a", "s", 10, 20, 0.5, 1.0, 2.0, true);
        var t = Baseline.table("t", java.util.List.of(a, a));
        assertEquals(2, t.rowCount());
        assertEquals(0.5, t.doubleColumn("test accuracy").get(0), 1e-12);
    }
}
