package fashion.studies;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import fashion.data.FashionMnist;
import fashion.data.QuickMode;
import fashion.evaluation.Spread;
import fashion.models.Models;
import fashion.training.Epoch;
import fashion.training.History;
import tech.tablesaw.api.Table;

/** Repeated seeds: the statistics, the rule that names a best setting, and the runner's seeds and reuse. */
class SeedSpreadTest {
    static FashionMnist data;

    @TempDir
    Path folder;

    @BeforeAll
    static void quick() {
        QuickMode.override(true);
        data = FashionMnist.load();
    }

    @AfterAll
    static void back() {
        QuickMode.override(null);
    }

    /** A finished run of {@code label} with the given test accuracy, measured on 10,000 test images. */
    static Run run(String label, int seed, double test, double seconds) {
        Map<String, Object> configuration = new LinkedHashMap<>();
        configuration.put("label", label);
        configuration.put("modelSeed", 42 + seed);
        configuration.put("trainingSeed", 1 + seed);
        configuration.put("parameters", 1000);
        configuration.put("trainImages", 55000);
        configuration.put("testImages", 10000);
        configuration.put("quick", false);
        List<Epoch> epochs = List.of(new Epoch(1, 0.5, test - 0.02, 0.5, test - 0.01, 0.5, seconds / 2),
                new Epoch(2, 0.4, test + 0.02, 0.4, test + 0.01, 0.4, seconds / 2));
        return new Run("constructed", label, Map.of(), configuration, epochs, History.Status.COMPLETED, "", test, Double.NaN, 0.3,
                new int[10][10], null, seconds, "", Map.of());
    }

    static StudyResults results(Map<String, double[]> tests) {
        List<Run> runs = new ArrayList<>();
        tests.forEach((label, accs) -> {
            for (int i = 0; i < accs.length; i++) {
                runs.add(run(label, i, accs[i], 100 + 10 * i));
            }
        });
        return StudyResults.of("constructed", runs);
    }

    @Test
    void theRuleNeedsTheMarginBeyondBothSeedNoiseAndTestSamplingError() {
        // seeds 0.90, 0.91, 0.92 (mean 0.91, sd 0.01) against 0.88, 0.89, 0.90 (mean 0.89, sd 0.01): margin 0.02.
        // seed noise 2 sqrt(0.01^2/3 + 0.01^2/3) = 0.016330; test noise 2 sqrt(.91 .09/1e4 + .89 .11/1e4) = 0.008502
        StudyResults.Comparison c = StudyResults.compare(Spread.of(0.90, 0.91, 0.92), Spread.of(0.88, 0.89, 0.90), 10_000);
        assertEquals(0.02, c.margin(), 1e-12);
        assertEquals(2 * Math.sqrt(2 * 0.0001 / 3), c.seedNoise(), 1e-12);
        assertEquals(2 * Math.sqrt(0.91 * 0.09 / 1e4 + 0.89 * 0.11 / 1e4), c.testNoise(), 1e-12);
        assertTrue(c.clear());
        // the same means with a seed spread of 0.02: seed noise 0.0327 > 0.02, within noise
        assertFalse(StudyResults.compare(Spread.of(0.89, 0.91, 0.93), Spread.of(0.87, 0.89, 0.91), 10_000).clear());
        // no seed spread at all but a margin of 0.005 < test noise 0.0085: within noise
        StudyResults.Comparison tight = StudyResults.compare(Spread.of(0.915, 0.915, 0.915), Spread.of(0.91, 0.91, 0.91), 10_000);
        assertEquals(0, tight.seedNoise(), 1e-12);
        assertFalse(tight.clear());
        // one seed: the seed spread is unknown, never clear
        StudyResults.Comparison single = StudyResults.compare(Spread.of(0.95), Spread.of(0.85), 10_000);
        assertFalse(single.seedsKnown());
        assertFalse(single.clear());
    }

    @Test
    void theConclusionNamesAClearWinnerWithItsNumbers() {
        Map<String, double[]> tests = new LinkedHashMap<>();
        tests.put("adam", new double[] {0.90, 0.91, 0.92});
        tests.put("sgd", new double[] {0.80, 0.81, 0.82});
        tests.put("momentum", new double[] {0.88, 0.89, 0.90});
        String text = results(tests).conclusion();
        assertTrue(text.startsWith("Highest mean test accuracy: adam, 0.9100 (mean of 3 seeds, sd 0.0100, range 0.9000-0.9200); "
                + "runner-up momentum, 0.8900, sd 0.0100; margin 0.0200"), text);
        assertTrue(text.contains("lowest, sgd, 0.8100"), text);
        assertTrue(text.contains("adam is the best setting"), text);
        assertTrue(text.contains("0.0163") && text.contains("0.0085"), text);
    }

    @Test
    void theConclusionSaysWhichLeadersAreWithinNoise() {
        Map<String, double[]> tests = new LinkedHashMap<>();
        tests.put("momentum", new double[] {0.8750, 0.8731, 0.8769});
        tests.put("adam", new double[] {0.8746, 0.8760, 0.8730});
        tests.put("nadam", new double[] {0.8718, 0.8700, 0.8740});
        tests.put("sgd", new double[] {0.80, 0.81, 0.82});
        String text = results(tests).conclusion();
        assertFalse(text.contains("is the best setting"), text);
        assertTrue(text.contains("within noise of each other"), text);
        // momentum, adam and nadam are within noise of the best; sgd (0.06 below) is not
        assertTrue(text.contains("the leaders (momentum; adam; nadam)"), text);
    }

    @Test
    void theTableGivesMeanSdAndRangeOverSeeds() {
        Map<String, double[]> tests = new LinkedHashMap<>();
        tests.put("a", new double[] {0.87, 0.88, 0.89});
        tests.put("b", new double[] {0.80});
        StudyResults r = results(tests);
        Table t = r.table();
        assertEquals(2, t.rowCount());
        assertEquals(3, t.intColumn("seeds").get(0));
        assertEquals("0.8800 ± 0.0100 (0.8700-0.8900)", t.stringColumn("test accuracy").get(0));
        // validation is test + 0.01 in every constructed run; training seconds 100, 110, 120
        assertEquals("0.8900 ± 0.0100 (0.8800-0.9000)", t.stringColumn("validation accuracy").get(0));
        assertEquals("110 ± 10 (100-120)", t.stringColumn("training seconds").get(0));
        assertEquals("0.8000", t.stringColumn("test accuracy").get(1));
        assertEquals(4, r.runsTable().rowCount());
        assertEquals(3, r.runsOf("a").size());
        assertEquals(0.88, r.testAccuracy("a").mean(), 1e-12);
        assertEquals(0, r.unmirroredTestAccuracy("a").n(), "no mirroring, no separate plain accuracy");
        String bars = r.testAccuracyBars().javascript();
        assertTrue(bars.contains("error_y") && bars.contains("0.8800 ± 0.0100"), bars);
        String curves = r.validationCurves().javascript();
        assertTrue(curves.contains("tonexty") && curves.contains("a (mean of 3 seeds)"), curves);
        Table overview = StudyResults.overview(List.of(r));
        assertEquals("a", overview.stringColumn("best setting").get(0));
        assertEquals("no", overview.stringColumn("margin beyond noise").get(0), "b has a single seed");
        // a margin of 0.88 - 0.80, shown to 4 decimals like the accuracies (not 0.07999999999999996)
        assertEquals(0.08, overview.doubleColumn("margin").get(0));
    }

    private Study tiny(String name) {
        return Study.of(name).vary("width", 4, 8)
                .model(s -> Models.dense().width(s.integer("width")).dropout(0.2).learningRate(1e-3).seed(s.seed()).build())
                .epochs(1).trainingImages(200).progress(false).store(ResultStore.at(folder));
    }

    @Test
    void repeatsTrainEverySettingWithItsOwnSeedsAndReuseThem() {
        StudyResults single = tiny("seeds").run(data);
        StudyResults three = tiny("seeds").repeats(3).run(data);
        // quick mode trains at most 2 of the 3 seeds; all settings with the first seed, then the second
        assertEquals(4, three.runs().size());
        assertEquals(List.of("width 4", "width 8", "width 4", "width 8"), three.runs().stream().map(Run::label).toList());
        assertEquals(List.of(42L, 42L, 43L, 43L),
                three.runs().stream().map(r -> ((Number) r.configuration().get("modelSeed")).longValue()).toList());
        assertEquals(List.of(1L, 1L, 2L, 2L),
                three.runs().stream().map(r -> ((Number) r.configuration().get("trainingSeed")).longValue()).toList());
        // the single-seed runs are the first repeat, reused
        assertTrue(three.runs().get(0).loaded() && three.runs().get(1).loaded());
        assertEquals(single.runs().get(0).file(), three.runs().get(0).file());
        assertFalse(three.runs().get(2).loaded());
        // other seeds give other networks
        assertNotEquals(three.runs().get(0).testAccuracy() + " " + three.runs().get(0).validationAccuracy(),
                three.runs().get(2).testAccuracy() + " " + three.runs().get(2).validationAccuracy());
        StudyResults again = tiny("seeds").repeats(3).run(data);
        assertTrue(again.runs().stream().allMatch(Run::loaded));
        assertEquals(2, again.testAccuracy("width 8").n());
        assertEquals(2, again.table().intColumn("seeds").get(0));
    }

    @Test
    void aModelFactoryThatIgnoresTheSeedIsAnError() {
        Study study = Study.of("ignores").model(s -> Models.dense().width(4).build()).epochs(1).trainingImages(200)
                .progress(false).store(ResultStore.at(folder)).repeats(2);
        StudyException e = assertThrows(StudyException.class, () -> study.run(data));
        assertTrue(e.getMessage().contains(".seed(s.seed())"), e.getMessage());
        assertThrows(StudyException.class, () -> Study.of("x").repeats(0));
    }
}
