package fashion.studies;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
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
}
