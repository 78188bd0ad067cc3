package fashion.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SpreadTest {
    @Test
    void meanSampleStandardDeviationAndRange() {
        // 0.87, 0.88, 0.89: mean 0.88, deviations -0.01, 0, 0.01, sum of squares 2e-4, sd sqrt(2e-4 / 2) = 0.01
        Spread s = Spread.of(0.87, 0.88, 0.89);
        assertEquals(3, s.n());
        assertEquals(0.88, s.mean(), 1e-12);
        assertEquals(0.01, s.sd(), 1e-12);
        assertEquals(0.01 / Math.sqrt(3), s.standardError(), 1e-12);
        assertEquals(0.87, s.min());
        assertEquals(0.89, s.max());
        assertEquals("0.8800 ± 0.0100 (0.8700-0.8900)", s.format(4));
        // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sum of squares 32, sample sd sqrt(32 / 7)
        assertEquals(Math.sqrt(32.0 / 7), Spread.of(2, 4, 4, 4, 5, 5, 7, 9).sd(), 1e-12);
    }

    @Test
    void oneValueHasNoSpreadAndNonFiniteValuesAreLeftOut() {
        Spread one = Spread.of(0.9);
        assertEquals(0.9, one.mean());
        assertTrue(Double.isNaN(one.sd()));
        assertEquals("0.9000", one.format(4));
        Spread withNaN = Spread.of(0.5, Double.NaN, 0.7);
        assertEquals(2, withNaN.n());
        assertEquals(1, withNaN.missing());
        assertEquals(0.6, withNaN.mean(), 1e-12);
        assertEquals("n/a", Spread.of().format(4));
        assertTrue(Double.isNaN(Spread.of().mean()));
    }

    @Test
    void binomialStandardErrorOnTheTestSet() {
        // p = 0.9 on 10,000 images: sqrt(0.09 / 10000) = 0.003
        assertEquals(0.003, Spread.binomialStandardError(0.9, 10_000), 1e-12);
        assertEquals(0.005, Spread.binomialStandardError(0.5, 10_000), 1e-12);
        assertEquals(0, Spread.binomialStandardError(1, 10_000));
        assertThrows(IllegalArgumentException.class, () -> Spread.binomialStandardError(0.9, 0));
        assertThrows(IllegalArgumentException.class, () -> Spread.binomialStandardError(1.2, 100));
    }
}
