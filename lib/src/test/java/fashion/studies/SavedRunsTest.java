package fashion.studies;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import fashion.data.FashionMnist;
import fashion.data.Project;
import fashion.data.QuickMode;
import fashion.evaluation.Evaluation;
import fashion.models.Model;
import fashion.models.Models;
import fashion.training.History;
import fashion.training.Training;
import fashion.training.TrainingOptions;

/** Saved single runs (Runs): what the save line prints, and what loadOrTrain does with partial runs. */
class SavedRunsTest {
    static FashionMnist data;
    Path folder;
    PrintStream out;
    ByteArrayOutputStream printed;

    @BeforeAll
    static void quick() {
        QuickMode.override(true);
        data = FashionMnist.load();
    }

    @AfterAll
    static void back() {
        QuickMode.override(null);
        Runs.useStore(ResultStore.standard());
    }

    @BeforeEach
    void store() throws IOException {
        // inside the project (lib/target), as results/ is: printed paths must be relative to the project
        folder = Files.createDirectories(Project.root().resolve("lib/target/test-runs-" + System.nanoTime()));
        Runs.useStore(ResultStore.at(folder));
        out = System.out;
        printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void clean() throws IOException {
        System.setOut(out);
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    static Model tiny() {
        return Models.dense().width(4).learningRate(1e-3).name("tiny").build();
    }

    String printed() {
        return printed.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theSaveLineNamesTheFileRelativeToTheProject() {
        Model model = tiny();
        TrainingOptions options = TrainingOptions.epochs(1).progress(false);
        History history = Training.fit(model, data.train().select(new int[] {0, 1, 2, 3}), data.validation(), options);
        Runs.save("saved-line", model, data, options, history, null, Evaluation.of(model, data.test()));
        String line = printed();
        assertTrue(line.contains("lib/target/" + folder.getFileName() + "/saved-line/"), line);
        assertFalse(line.contains(Project.root().toString()), "no absolute path: " + line);
    }

    @Test
    void aSavedRunRecordsTheEngineThatTrainedItAndReadsItBack() throws IOException {
        Model model = tiny();
        TrainingOptions options = TrainingOptions.epochs(1).progress(false);
        History history = Training.fit(model, data.train().select(new int[] {0, 1, 2, 3}), data.validation(), options);
        boolean before = fashion.engine.Engine.reproducible();
        fashion.engine.Engine.setReproducible(true);
        try {
            Runs.save("engine-record", model, data, options, history, null, Evaluation.of(model, data.test()));
        } finally {
            fashion.engine.Engine.setReproducible(before);
        }
        Path file;
        try (Stream<Path> files = Files.walk(folder)) {
            file = files.filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow();
        }
        Run run = ResultStore.at(folder).read(file);
        Map<String, String> p = run.provenance();
        assertEquals("true", p.get("reproducible"), p.toString());
        assertTrue(p.get("engine").contains("ND4J") && p.get("engine").contains("(reproducible)"), p.get("engine"));
        assertTrue(p.get("cpu").contains("cores"), p.get("cpu"));
        assertEquals(System.getProperty("java.version"), p.get("java"));
        // written as a "provenance" object; a file from before it was recorded reads with none, not as an error
        String json = Files.readString(file);
        assertTrue(json.contains("\"provenance\""), json);
        String old = json.replaceAll("(?s),\\s*\"provenance\"\\s*:\\s*\\{[^}]*\\}", "");
        assertFalse(old.contains("provenance"), old);
        Files.writeString(file, old);
        assertTrue(ResultStore.at(folder).read(file).provenance().isEmpty());
        // a provenance that is not an object is a damaged file, named in the error
        Files.writeString(file, json.replaceFirst("\"provenance\"\\s*:\\s*\\{", "\"provenance\" : 3, \"x\" : {"));
        StudyException e = assertThrows(StudyException.class, () -> ResultStore.at(folder).read(file));
        assertTrue(e.getMessage().contains(file.getFileName().toString()) && e.getMessage().contains("provenance"), e.getMessage());
    }

    /** A real 2-epoch training of the tiny model on 200 images (quick mode caps epochs at 2). */
    static History trainTwoEpochs(Model model, TrainingOptions options) {
        return Training.fit(model, data.train().select(java.util.stream.IntStream.range(0, 200).toArray()), data.validation(), options);
    }

    @Test
    void anInterruptedRunIsSavedMarkedBesideTheFinishedOneAndNeverReused() throws IOException {
        TrainingOptions options = TrainingOptions.epochs(2).progress(false);
        Model model = tiny();
        History full = trainTwoEpochs(model, options);
        Evaluation test = Evaluation.of(model, data.test());
        Runs.save("partial", model, data, options, full, null, test);
        Path finished = Files.list(folder.resolve("partial")).filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow();
        String finishedText = Files.readString(finished);
        // the same configuration interrupted after its first epoch (as Run All after a press of the interrupt button)
        History partial = History.of(model.name(), 32, 200, full.epochs().subList(0, 1), History.Status.INTERRUPTED,
                "interrupted at epoch 2, batch 3/7");
        printed.reset();
        Runs.save("partial", model, data, options, partial, null, test);
        assertTrue(printed().contains("marked INTERRUPTED (1 of 2 epochs)"), printed());
        assertTrue(printed().contains("-interrupted.json"), printed());
        assertTrue(finishedText.equals(Files.readString(finished)), "the finished run is not replaced");
        Run marked = ResultStore.at(folder).partials("partial", model.name(), ResultStore.at(folder).read(finished).configuration()).get(0);
        assertTrue(marked.status() == History.Status.INTERRUPTED && marked.epochs().size() == 1, marked.toString());
        // loadOrTrain reads the finished one
        Run loaded = Runs.loadOrTrain("partial", SavedRunsTest::tiny, data, options);
        assertTrue(loaded.loaded() && loaded.status() == History.Status.COMPLETED && loaded.epochs().size() == 2, loaded.toString());
    }

    @Test
    void loadOrTrainNeverReusesAnUnfinishedRunAndSaysSo() throws IOException {
        TrainingOptions options = TrainingOptions.epochs(1).progress(false);
        Model model = tiny();
        History h = Training.fit(model, data, options);
        Evaluation test = Evaluation.of(model, data.test());
        // only an interrupted run of this configuration was saved (by Runs.save)
        Runs.save("only-partial", model, data, options, History.of(model.name(), 32, data.train().size(), List.of(),
                History.Status.INTERRUPTED, "interrupted at epoch 1, batch 2/63"), null, test);
        printed.reset();
        Run run = Runs.loadOrTrain("only-partial", SavedRunsTest::tiny, data, options);
        assertFalse(run.loaded(), "trained, not read from the interrupted run");
        assertTrue(run.status() == History.Status.COMPLETED && run.epochs().size() == 1, run.toString());
        assertTrue(printed().contains("holds an unfinished run (INTERRUPTED, 0 of 1 epochs): not used"), printed());
        // a run saved in the finished run's place but marked INTERRUPTED (as earlier versions saved it): not reused either
        Map<String, Object> configuration = run.configuration();
        ResultStore store = ResultStore.at(folder);
        store.save(Runner.of("only-partial", model.name(), Map.of(), configuration, History.of(model.name(), 32,
                data.train().size(), List.of(), History.Status.INTERRUPTED, "interrupted"), test, null));
        printed.reset();
        Run again = Runs.loadOrTrain("only-partial", SavedRunsTest::tiny, data, options);
        assertFalse(again.loaded());
        assertTrue(printed().contains("is INTERRUPTED (0 of 1 epochs): not reused; training again"), printed());
        assertTrue(store.find("only-partial", model.name(), configuration).status() == History.Status.COMPLETED,
                "the finished run replaces it");
        assertTrue(h.status() == History.Status.COMPLETED);
    }

    @Test
    void savingReturnsNothingSoTheCellShowsTheSaveLineOnly() throws NoSuchMethodException {
        // the kernel renders a cell's last value: a Run would draw the loss and accuracy curves a second time
        assertTrue(Runs.class.getMethod("save", String.class, Model.class, FashionMnist.class, TrainingOptions.class,
                History.class, Evaluation.class, Evaluation.class).getReturnType() == void.class);
    }

    // ---- kind 2: a result that cannot be saved is never thrown away

    @Test
    void anUnwritableResultsFolderIsReportedBeforeAnythingIsTrained() throws IOException {
        Path file = Files.writeString(folder.resolve("a-file"), "x");
        Path unwritable = file.resolve("results"); // a folder cannot be made under a file, for root too
        History before = Training.lastHistory();
        StudyException e = assertThrows(StudyException.class, () -> Study.of("unwritable").vary("width", 4, 8)
                .model(s -> Models.dense().width(s.integer("width")).build()).epochs(1).trainingImages(200).progress(false)
                .store(ResultStore.at(unwritable)).run(data));
        assertTrue(e.getMessage().contains("the results folder cannot be written"), e.getMessage());
        assertTrue(e.getMessage().contains("lib/target/" + folder.getFileName() + "/a-file/results"), "names the folder: " + e.getMessage());
        assertTrue(e.getMessage().contains("Not a directory") || e.getMessage().contains("a file is in the way"),
                "gives the OS's reason: " + e.getMessage());
        assertTrue(e.getMessage().contains("How to fix") && e.getMessage().contains("ResultStore.at"), e.getMessage());
        assertTrue(Training.lastHistory() == before, "nothing was trained");
    }

    @Test
    void aResultThatCannotBeSavedAfterTrainingIsKeptInMemory() throws IOException {
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        PrintStream err = System.err;
        System.setErr(new PrintStream(errors, true, StandardCharsets.UTF_8));
        try {
            Study study = Study.of("full-disk").vary("width", 4, 8).model(s -> Models.dense().width(s.integer("width")).build())
                    .epochs(1).trainingImages(200).progress(false).store(ResultStore.at(folder));
            // while the first setting's result is being saved, its place is taken by a non-empty folder (as when the
            // disk fills up or the folder changes under a running study): the rename into place fails
            Study probe = Study.of("full-disk").vary("width", 4).model(s -> Models.dense().width(4).build()).epochs(1)
                    .trainingImages(200).progress(false).store(ResultStore.at(folder));
            Model m = Models.dense().width(4).build();
            Path target = ResultStore.at(folder).pathFor("full-disk", "width 4", Runner.configuration("full-disk", "width 4", m,
                    probe.trainingSplit(data), data, TrainingOptions.epochs(1).progress(false)));
            ResultStore.beforeRename = () -> {
                try {
                    if (!Files.exists(target)) {
                        Files.createDirectories(target.resolve("blocker"));
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            };
            StudyResults results = study.run(data);
            assertTrue(results.runs().size() == 2, "both settings trained: " + results.runs());
            Run kept = results.runs().get(0);
            assertTrue(kept.file() == null && Double.isFinite(kept.testAccuracy()), "kept in memory: " + kept);
            assertTrue(results.runs().get(1).file() != null, "the next setting is saved");
            String warning = errors.toString(StandardCharsets.UTF_8);
            assertTrue(warning.contains("cannot save the result") && warning.contains("kept in memory")
                    && warning.contains("ResultStore.at("), warning);
            try (Stream<Path> files = Files.walk(folder)) {
                assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no partial files");
            }
            // and it can be saved elsewhere
            Path elsewhere = folder.resolve("elsewhere");
            Run saved = ResultStore.at(elsewhere).save(kept);
            assertTrue(Files.isRegularFile(saved.file()));
        } finally {
            System.setErr(err);
            ResultStore.beforeRename = () -> { };
        }
    }

    @Test
    void anInterruptedStudyKeepsItsFinishedSettingsAndSaysItWasInterrupted() throws Exception {
        Path studyFolder = folder.resolve("interrupted");
        Thread presser = new Thread(() -> {
            try {
                while (!Files.isDirectory(studyFolder) || Files.list(studyFolder).noneMatch(p -> p.toString().endsWith(".json"))) {
                    Thread.sleep(5);
                }
                fashion.training.Interrupts.request(); // what the interrupt button does during a study
            } catch (Exception e) {
                // the test ended
            }
        });
        presser.setDaemon(true);
        presser.start();
        StudyResults results = Study.of("interrupted").vary("width", 4, 8, 16, 32)
                .model(s -> Models.dense().width(s.integer("width")).learningRate(1e-3).build())
                .epochs(2).trainingImages(200).progress(false).store(ResultStore.at(folder)).run(data);
        presser.join(10_000);
        assertTrue(results.runs().size() >= 1 && results.runs().size() < 4, results.runs().toString());
        assertTrue(results.runs().stream().allMatch(r -> r.status() == History.Status.COMPLETED && r.file() != null));
        String note = ResultStore.at(folder).latestNote("interrupted", true);
        assertTrue(note.startsWith("interrupted"), "the study index says it was interrupted: " + note);
        assertTrue(results.conclusion().contains(note), results.conclusion());
    }
}
