package fashion.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import fashion.models.Model;
import fashion.models.Models;

/**
 * Model files written by plain Deeplearning4j (issue 15, kind 3): a network of the seed's architecture with stock
 * layers and updater loads faithfully into {@code Models.seedDense()}; one that computes something else is refused
 * with the real differences.
 */
class ForeignModelFilesTest {
    @TempDir
    Path dir;

    /** Plain DL4J: Dense(hidden, activation), softmax output, Adam(learningRate), trained a few steps; saved. */
    Path plainDl4j(int hidden, Activation activation, double learningRate, String name) throws Exception {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(7).updater(new Adam(learningRate))
                .l2(1e-4).list()
                .layer(new DenseLayer.Builder().nIn(784).nOut(hidden).activation(activation).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(hidden).nOut(10).activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        for (int i = 0; i < 3; i++) {
            net.fit(Nd4j.rand(16, 784), Nd4j.eye(10).getRows(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5));
        }
        Path file = dir.resolve(name);
        ModelSerializer.writeModel(net, file.toFile(), true);
        return file;
    }

    static String printed(Runnable r) {
        PrintStream out = System.out;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        System.setOut(new PrintStream(b, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setOut(out);
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aPlainDl4jNetworkOfTheSameArchitectureLoadsFaithfully() throws Exception {
        Path file = plainDl4j(700, Activation.RELU, 1e-4, "plain.zip");
        MultiLayerNetwork plain = ModelSerializer.restoreMultiLayerNetwork(file.toFile(), true);
        Model model = Models.seedDense();
        String said = printed(() -> ModelFiles.restore(model, file));
        INDArray x = Nd4j.rand(5, 784);
        INDArray expected = plain.output(x);
        INDArray actual = model.network().output(x);
        assertTrue(expected.equalsWithEps(actual, 1e-5), "same predictions:\n" + expected + "\n" + actual);
        assertEquals(plain.params(), model.network().params());
        // same Adam settings as the seed model (1e-4): the moments are loaded too
        assertEquals(plain.getUpdater().getStateViewArray(), model.network().getUpdater().getStateViewArray());
        assertTrue(said.contains("DenseLayer in the file, FastDenseLayer in the model (same computation)"), said);
    }

    @Test
    void anotherUpdaterIsSaidAndItsStateLeftOut() throws Exception {
        Path file = plainDl4j(700, Activation.RELU, 1e-3, "adam-1e-3.zip");
        Model model = Models.seedDense();
        INDArray before = model.network().getUpdater().getStateViewArray().dup();
        String said = printed(() -> ModelFiles.restore(model, file));
        assertTrue(said.contains("updater: Adam(lr 0.001") && said.contains("in the model, so the updater state"), said);
        assertEquals(before, model.network().getUpdater().getStateViewArray());
        MultiLayerNetwork plain = ModelSerializer.restoreMultiLayerNetwork(file.toFile(), false);
        assertEquals(plain.params(), model.network().params());
    }

    @Test
    void aNetworkThatComputesSomethingElseIsRefusedWithTheRealDifferences() throws Exception {
        Model model = Models.seedDense();
        INDArray before = model.network().params().dup();
        Path wider = plainDl4j(512, Activation.RELU, 1e-4, "512.zip");
        ModelFiles.ModelFileException e = assertThrows(ModelFiles.ModelFileException.class, () -> ModelFiles.restore(model, wider));
        assertTrue(e.getMessage().contains("layer 0: the file's is DenseLayer(784 -> 512, relu), the model's DenseLayer(784 -> 700, relu)"),
                e.getMessage());
        Path sigmoid = plainDl4j(700, Activation.SIGMOID, 1e-4, "sigmoid.zip");
        e = assertThrows(ModelFiles.ModelFileException.class, () -> ModelFiles.restore(model, sigmoid));
        assertTrue(e.getMessage().contains("DenseLayer(784 -> 700, sigmoid)") && e.getMessage().contains("How to fix"), e.getMessage());
        assertEquals(before, model.network().params(), "nothing of the model changed");
    }

    @Test
    void aFileThisVersionCannotReadSaysSo() throws Exception {
        Path file = plainDl4j(700, Activation.RELU, 1e-4, "plain.zip");
        Path future = dir.resolve("future.zip");
        // as a later Deeplearning4j might write it: a layer class this version does not have
        try (var in = new java.util.zip.ZipInputStream(java.nio.file.Files.newInputStream(file));
                var out = new java.util.zip.ZipOutputStream(java.nio.file.Files.newOutputStream(future))) {
            java.util.zip.ZipEntry entry;
            while ((entry = in.getNextEntry()) != null) {
                byte[] bytes = in.readAllBytes();
                if (entry.getName().equals("configuration.json")) {
                    bytes = new String(bytes, StandardCharsets.UTF_8).replace("layers.DenseLayer", "layers.FutureDenseLayer")
                            .getBytes(StandardCharsets.UTF_8);
                }
                out.putNextEntry(new java.util.zip.ZipEntry(entry.getName()));
                out.write(bytes);
                out.closeEntry();
            }
        }
        ModelFiles.ModelFileException e = assertThrows(ModelFiles.ModelFileException.class,
                () -> ModelFiles.restore(Models.seedDense(), future));
        assertTrue(e.getMessage().contains("cannot read them") && e.getMessage().contains("another version of Deeplearning4j"),
                e.getMessage());
    }
}
