package fashion.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import fashion.models.Model;
import fashion.models.Models;

class ModelFilesTest {
    @TempDir
    Path dir;

    static Model trainedALittle() {
        Model model = Models.dense().width(16).learningRate(1e-2).build();
        model.network().fit(Nd4j.rand(8, 784), Nd4j.eye(10).getRows(0, 1, 2, 3, 4, 5, 6, 7));
        return model;
    }

    static ModelFiles.ModelFileException corrupted(Path file, String... phrases) {
        ModelFiles.ModelFileException e = assertThrows(ModelFiles.ModelFileException.class, () -> ModelFiles.load(file));
        assertTrue(e.getMessage().startsWith(file.toAbsolutePath().normalize().toString()), e.getMessage());
        assertTrue(e.getMessage().contains("How to fix:"), e.getMessage());
        for (String p : phrases) {
            assertTrue(e.getMessage().contains(p), "'" + p + "' in: " + e.getMessage());
        }
        return e;
    }

    @Test
    void savedModelLoadsBackWithWeightsAndUpdaterState() throws Exception {
        Model model = trainedALittle();
        Path file = ModelFiles.save(model, dir.resolve("models/m.zip"));
        assertTrue(Files.isRegularFile(file));
        MultiLayerNetwork loaded = ModelFiles.load(file);
        assertEquals(model.network().params(), loaded.params());
        assertEquals(model.network().getUpdater().getStateViewArray(), loaded.getUpdater().getStateViewArray());
        Model fresh = Models.dense().width(16).learningRate(1e-2).build();
        assertNotEquals(model.network().params(), fresh.network().params());
        ModelFiles.restore(fresh, file);
        assertEquals(model.network().params(), fresh.network().params());
        INDArray x = Nd4j.rand(3, 784);
        assertEquals(model.network().output(x), fresh.network().output(x));
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertEquals(List.of(file), files.toList(), "no temporary file left");
        }
    }

    @Test
    void corruptedTruncatedOrForeignFilesAreErrorsNamingThem() throws Exception {
        Path good = ModelFiles.save(trainedALittle(), dir.resolve("good.zip"));
        byte[] bytes = Files.readAllBytes(good);

        Path truncated = dir.resolve("truncated.zip");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 2));
        corrupted(truncated, "corrupted or truncated");

        Path flipped = dir.resolve("flipped.zip");
        byte[] changed = bytes.clone();
        for (int i = bytes.length / 3; i < bytes.length / 3 + 64; i++) {
            changed[i] ^= 0x33;
        }
        Files.write(flipped, changed);
        ModelFiles.ModelFileException e = assertThrows(ModelFiles.ModelFileException.class, () -> ModelFiles.load(flipped));
        assertTrue(e.getMessage().startsWith(flipped.toString()), e.getMessage());

        Path text = dir.resolve("notes.zip");
        Files.writeString(text, "not a model");
        corrupted(text, "not a saved model");

        corrupted(dir.resolve("absent.zip"), "no saved model here");

        Model other = Models.dense().width(32).build();
        ModelFiles.ModelFileException mismatch = assertThrows(ModelFiles.ModelFileException.class,
                () -> ModelFiles.restore(other, good));
        assertTrue(mismatch.getMessage().contains("does not match"), mismatch.getMessage());
    }

    @Test
    void concurrentSavesNeverLeaveATornFile() throws Exception {
        Model a = trainedALittle();
        Model b = Models.dense().width(16).learningRate(1e-2).seed(7).build();
        Path file = dir.resolve("shared.zip");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                Model m = i % 2 == 0 ? a : b;
                jobs.add(pool.submit(() -> ModelFiles.save(m, file)));
            }
            for (Future<?> job : jobs) {
                job.get();
            }
        } finally {
            pool.shutdown();
        }
        INDArray params = ModelFiles.load(file).params();
        assertTrue(params.equals(a.network().params()) || params.equals(b.network().params()), "one whole model");
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file left");
        }
    }
}
