package fashion.studies;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import fashion.data.FashionMnist;
import fashion.data.QuickMode;
import fashion.models.Models;
import fashion.plots.Chart;
import fashion.training.TrainingOptions;
import tech.tablesaw.api.Table;

class StudyTest {
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

    @AfterEach
    void resetHook() {
        ResultStore.beforeRename = () -> { };
    }

    private Study tiny(String name) {
        return Study.of(name).vary("width", 4, 8)
                .model(s -> Models.dense().width(s.integer("width")).learningRate(1e-3).build())
                .epochs(1).trainingImages(200).progress(false).store(ResultStore.at(folder));
    }

    @Test
    void mirroredRunsKeepTheirUnmirroredTestAccuracyToo() {
        Study study = Study.of("mirror").model(s -> Models.dense().width(8).learningRate(1e-3).build())
                .training(s -> TrainingOptions.epochs(1).mirrorWhenEvaluating(true)).trainingImages(200).progress(false)
                .store(ResultStore.at(folder));
        StudyResults trained = study.run(data);
        Run run = trained.runs().get(0);
        assertEquals(Boolean.TRUE, run.configuration().get("mirrorWhenEvaluating"));
        assertTrue(Double.isFinite(run.unmirroredTestAccuracy()), "measured without mirroring too");
        Run reloaded = study.run(data).runs().get(0);
        assertTrue(reloaded.loaded());
        assertEquals(run.unmirroredTestAccuracy(), reloaded.unmirroredTestAccuracy());
        assertEquals(run.testAccuracy(), reloaded.testAccuracy());
        Table t = trained.table();
        assertTrue(t.columnNames().contains("test accuracy without mirroring"), t.columnNames().toString());
        assertTrue(trained.conclusion().contains("on the images alone"), trained.conclusion());
        // plain runs have neither
        Run plain = tiny("plain").run(data).runs().get(0);
        assertTrue(Double.isNaN(plain.unmirroredTestAccuracy()));
        assertFalse(tiny("plain").run(data).table().columnNames().contains("test accuracy without mirroring"));
    }

    @Test
    void savedRunsAreReusedUnlessRetrained() throws Exception {
        StudyResults first = tiny("reuse").run(data);
        assertEquals(2, first.runs().size());
        for (Run r : first.runs()) {
            assertFalse(r.loaded());
            assertTrue(Files.isRegularFile(r.file()), "saved: " + r.file());
        }
        Path file = first.runs().get(0).file();
        long modified = Files.getLastModifiedTime(file).toMillis();
        String text = Files.readString(file);

        StudyResults second = tiny("reuse").run(data);
        for (int i = 0; i < 2; i++) {
            Run r = second.runs().get(i);
            assertTrue(r.loaded(), "second run reads the saved result");
            assertEquals(first.runs().get(i).testAccuracy(), r.testAccuracy());
            assertEquals(first.runs().get(i).epochs(), r.epochs());
            assertEquals(first.runs().get(i).file(), r.file());
        }
        assertEquals(modified, Files.getLastModifiedTime(file).toMillis());
        assertEquals(text, Files.readString(file));

        StudyResults third = tiny("reuse").retrain().run(data);
        assertFalse(third.runs().get(0).loaded(), "retrain() trains again");
        assertNotEquals(text, Files.readString(file), "and replaces the saved file (new time stamp)");
    }

    @Test
    void aDifferentConfigurationIsNotReused() {
        Run one = tiny("config").run(data).runs().get(0);
        Run two = tiny("config").epochs(2).run(data).runs().get(0);
        assertFalse(two.loaded(), "2 epochs is another configuration");
        assertNotEquals(one.file(), two.file());
        assertEquals(2, two.epochs().size());
        Run moreImages = tiny("config").trainingImages(400).run(data).runs().get(0);
        assertFalse(moreImages.loaded(), "another training subset is another configuration");
        assertEquals(400, moreImages.trainImages());
        assertEquals(true, moreImages.configuration().get("quick"));
    }

    @Test
    void aCorruptedFileIsAnErrorNamingIt() throws Exception {
        Path file = tiny("corrupt").run(data).runs().get(1).file();
        String good = Files.readString(file);
        Files.writeString(file, good.substring(0, good.length() / 2));
        StudyException e = assertThrows(StudyException.class, () -> tiny("corrupt").run(data));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("corrupted"), e.getMessage());
        assertEquals(file, e.file());

        Files.writeString(file, good.replace("\"validationAccuracy\"", "\"validationAcc\""));
        StudyException missing = assertThrows(StudyException.class, () -> tiny("corrupt").run(data));
        assertTrue(missing.getMessage().contains("validationAccuracy"), missing.getMessage());

        // retrain() replaces the damaged file with a good one
        Run again = tiny("corrupt").retrain().run(data).runs().get(1);
        assertEquals(file, again.file());
        assertTrue(ResultStore.at(folder).read(file).testAccuracy() >= 0);
    }

    @Test
    void writesAreAtomic() throws Exception {
        Path target = folder.resolve("x").resolve("run.json");
        ResultStore.writeAtomically(target, "{\"old\": true}");
        ResultStore.beforeRename = () -> {
            throw new IllegalStateException("crash before rename");
        };
        assertThrows(IllegalStateException.class, () -> ResultStore.writeAtomically(target, "{\"new\": true}"));
        assertEquals("{\"old\": true}", Files.readString(target), "the old file is intact");
        try (var files = Files.list(target.getParent())) {
            assertEquals(List.of(target), files.toList(), "no temporary file is left behind");
        }
        ResultStore.beforeRename = () -> { };
        ResultStore.writeAtomically(target, "{\"new\": true}");
        assertEquals("{\"new\": true}", Files.readString(target));
    }

    @Test
    void tableChartsAndConclusionDescribeTheRuns() {
        StudyResults results = tiny("table").run(data);
        Table t = results.table();
        assertEquals(List.of("setting", "parameters", "seeds", "training accuracy", "validation accuracy", "test accuracy",
                "training seconds", "epochs", "status"), t.columnNames());
        assertEquals(2, t.rowCount());
        assertEquals("width 4", t.stringColumn("setting").get(0));
        assertEquals("width 8", t.stringColumn("setting").get(1));
        for (int i = 0; i < 2; i++) {
            Run r = results.runs().get(i);
            assertEquals(String.format(java.util.Locale.ROOT, "%.4f", r.testAccuracy()), t.stringColumn("test accuracy").get(i));
            assertEquals(String.format(java.util.Locale.ROOT, "%.4f", r.validationAccuracy()), t.stringColumn("validation accuracy").get(i));
            assertEquals(1, t.intColumn("seeds").get(i));
            assertEquals(1, t.intColumn("epochs").get(i));
            long width = ((Number) r.setting().get("width")).longValue();
            assertEquals((784 + 1) * width + (width + 1) * 10, t.longColumn("parameters").get(i));
            assertTrue(r.testAccuracy() > 0 && r.testAccuracy() <= 1);
            assertEquals(1000, r.testImages());
        }
        Run best = results.best();
        assertTrue(results.conclusion().startsWith("Highest mean test accuracy: " + best.label()), results.conclusion());
        assertTrue(results.conclusion().contains(String.format(java.util.Locale.ROOT, "%.4f", best.testAccuracy())));
        assertTrue(results.conclusion().contains("With a single seed"), results.conclusion());
        assertTrue(results.conclusion().contains("Quick mode"));
        Chart curves = results.validationCurves();
        assertTrue(curves.javascript().contains("width 4") && curves.javascript().contains("width 8"));
        assertTrue(results.testAccuracyBars().javascript().contains("bar"));
        List<Run> latest = ResultStore.at(folder).latest("table", true);
        assertEquals(2, latest.size(), "the study index lists the latest runs");
        assertEquals(results.runs().get(1).file(), latest.get(1).file());
        assertNull(ResultStore.at(folder).latest("table", false), "no full-size run yet");
    }

    @Test
    void savedRunsKeepTheirTrainedNetwork() {
        Runs.useStore(ResultStore.at(folder));
        try {
            java.util.function.Supplier<fashion.models.Model> small = () -> Models.cnn().convLayers(1).filters(2).kernelSize(3)
                    .secondFilters(2).secondKernelSize(3).denseWidth(8).learningRate(1e-3).build();
            TrainingOptions options = TrainingOptions.epochs(1).trainingSample(200).progress(false);
            var trained = Runs.trainedModel("net-test", small, data, options);
            Run run = Runs.saved("net-test", true);
            assertNotNull(run);
            assertTrue(run.hasNetwork(), "network saved beside " + run.file());
            var restored = Runs.trainedModel("net-test", small, data, options); // loaded, not trained again
            assertEquals(trained.network().params(), restored.network().params());
            assertTrue(java.nio.file.Files.getLastModifiedTime(run.networkFile()).equals(
                    java.nio.file.Files.getLastModifiedTime(Runs.saved("net-test", true).networkFile())));

            // a study's best setting: from its network file, and rebuilt from its saved settings when the file is gone
            StudyResults results = Study.of("best-test").vary("denseWidth", 4, 8)
                    .model(s -> Models.cnn().convLayers(1).filters(2).kernelSize(3).secondFilters(2).secondKernelSize(3)
                            .denseWidth(s.integer("denseWidth")).learningRate(1e-3).build())
                    .epochs(1).trainingImages(200).progress(false).store(ResultStore.at(folder)).run(data);
            Run best = results.best();
            var loaded = Runs.bestModel("best-test", data);
            assertEquals(best.configuration().get("parameters"), loaded.parameterCount());
            var probe = data.test().images().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 5));
            var before = loaded.network().output(probe, false);
            java.nio.file.Files.delete(best.networkFile());
            var rebuilt = Runs.bestModel("best-test", data); // trained again from the saved configuration
            assertTrue(Runs.saved("best-test", true).hasNetwork());
            assertEquals(before.shape()[1], rebuilt.network().output(probe, false).shape()[1]);
            StudyException e = assertThrows(StudyException.class, () -> Runs.bestModel("never-run", data));
            assertTrue(e.getMessage().contains("notebooks/studies/never-run.ipynb"), e.getMessage());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            Runs.useStore(ResultStore.standard());
        }
    }

    @Test
    void namedRunsRoundTripWithConfusionMatrices() {
        Runs.useStore(ResultStore.at(folder));
        try {
            Run trained = Runs.loadOrTrain("part-test", () -> Models.dense().width(4).build(), data, TrainingOptions.epochs(1).progress(false));
            assertFalse(trained.loaded());
            assertNotNull(trained.trainingConfusion());
            assertEquals(1000, trained.testConfusion().total());
            assertEquals(data.train().size(), trained.trainingConfusion().total());
            Run loaded = Runs.loadOrTrain("part-test", () -> Models.dense().width(4).build(), data, TrainingOptions.epochs(1).progress(false));
            assertTrue(loaded.loaded());
            assertEquals(trained.testConfusion().accuracy(), loaded.testConfusion().accuracy());
            assertEquals(trained.testAccuracy(), loaded.testConfusion().accuracy(), 1e-9);
        } finally {
            Runs.useStore(ResultStore.standard());
        }
    }

    @Test
    void settingsFormGridsAndReadableLabels() {
        Study s = Study.of("grid").vary("depth", 1, 2).vary("width", 100, 500).setting("depth", 10, "width", 500);
        List<Setting> settings = s.settings();
        assertEquals(5, settings.size());
        assertEquals("depth 1, width 100", settings.get(0).label());
        assertEquals("depth 1, width 500", settings.get(1).label());
        assertEquals("depth 10, width 500", settings.get(4).label());
        assertEquals("learningRate 1e-4", Setting.of("learningRate", 1e-4).label());
        assertEquals("learningRate 0.01", Setting.of("learningRate", 1e-2).label());
        assertEquals("l2 0", Setting.of("l2", 0.0).label());
        assertThrows(StudyException.class, () -> Setting.of("a", 1).integer("b"));
        assertNull(ResultStore.at(folder).find("none", "x", Map.of("a", 1)));
        assertEquals(ResultStore.hash(Map.of("a", 1, "b", 2.5)), ResultStore.hash(Map.of("b", 2.5, "a", 1L)));
    }
}
