package fashion.training;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import fashion.data.FashionMnist;
import fashion.data.QuickMode;
import fashion.evaluation.Evaluation;
import fashion.models.Model;
import fashion.models.Models;

/** A null argument to a public entry point is an error naming the method, the parameter and what to pass. */
class ArgumentsTest {
    static FashionMnist data;
    static Model model;

    @BeforeAll
    static void quick() {
        QuickMode.override(true);
        data = FashionMnist.load();
        model = Models.dense().width(4).build();
    }

    @AfterAll
    static void back() {
        QuickMode.override(null);
    }

    static void named(String start, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith(start), e.getMessage());
        assertTrue(e.getMessage().length() > start.length() + 10, "says what to pass: " + e.getMessage());
    }

    @Test
    void trainingNamesTheMissingArgument() {
        named("Training.fit: the model is null", () -> Training.fit(null, data, 1));
        named("Training.fit: the data is null", () -> Training.fit(model, null, 1));
        named("Training.fit: the data is null", () -> Training.fit(model, (FashionMnist) null, TrainingOptions.epochs(1)));
        named("Training.fit: the training options is null", () -> Training.fit(model, data, (TrainingOptions) null));
        named("Training.fit: the training split is null", () -> Training.fit(model, null, data.validation(), TrainingOptions.epochs(1)));
        named("Training.fit: the validation split is null", () -> Training.fit(model, data.train(), null, TrainingOptions.epochs(1)));
    }

    @Test
    void evaluationAndModelFilesNameTheMissingArgument() {
        named("Evaluation.of: the model is null", () -> Evaluation.of(null, data.test()));
        named("Evaluation.of: the split is null", () -> Evaluation.of(model, null));
        named("ModelFiles.save: the file is null", () -> ModelFiles.save(model, null));
        named("ModelFiles.load: the file is null", () -> ModelFiles.load(null));
        named("ModelFiles.restore: the model is null", () -> ModelFiles.restore(null, Path.of("x.zip")));
    }

    @Test
    void aFolderNamedAsAModelFileIsCalledAFolder() throws Exception {
        Path folder = java.nio.file.Files.createTempDirectory("models");
        try {
            ModelFiles.ModelFileException e = assertThrows(ModelFiles.ModelFileException.class, () -> ModelFiles.load(folder));
            assertTrue(e.getMessage().contains("this is a folder, not a saved model file"), e.getMessage());
        } finally {
            java.nio.file.Files.deleteIfExists(folder);
        }
    }
}
