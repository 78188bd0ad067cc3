package fashion.evaluation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import fashion.data.FashionMnist;
import fashion.data.Images;
import fashion.data.QuickMode;
import fashion.data.Split;
import fashion.models.Model;
import fashion.models.Models;
import fashion.training.Training;
import fashion.training.TrainingOptions;

class EvaluationTest {

    @AfterEach
    void normalMode() {
        QuickMode.override(null);
    }

    @Test
    void mirroredImagesAreReversedRowByRow() {
        float[] pixels = new float[2 * 784];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = i;
        }
        INDArray rows = Nd4j.create(pixels, new long[] {2, 784}, 'c');
        float[] m = Images.mirrored(rows).data().asFloat();
        for (int r = 0; r < 2; r++) {
            for (int y = 0; y < 28; y++) {
                for (int x = 0; x < 28; x++) {
                    assertEquals(pixels[r * 784 + y * 28 + 27 - x], m[r * 784 + y * 28 + x]);
                }
            }
        }
        assertArrayEquals(rows.data().asFloat(), Images.mirrored(Images.mirrored(rows)).data().asFloat(), 0f);
    }

    @Test
    void withMirroringAveragesTheProbabilitiesOfEachImageAndItsMirror() {
        QuickMode.override(true);
        FashionMnist data = FashionMnist.load(FashionMnist.DEBIAN_FOLDER);
        Model model = Models.dense().width(32).learningRate(1e-3).build();
        Training.fit(model, data, TrainingOptions.epochs(1).progress(false));
        Split test = data.test();
        Evaluation plain = Evaluation.of(model, test);
        Evaluation mirrored = Evaluation.withMirroring(model, test);
        INDArray p = model.network().output(test.dense(), false);
        INDArray q = model.network().output(Images.mirrored(test.dense()), false);
        INDArray mean = p.add(q).muli(0.5);
        int differ = 0;
        for (int i = 0; i < test.size(); i++) {
            int best = mean.getRow(i).argMax().getInt(0);
            assertEquals(best, mirrored.predicted(i), "image " + i);
            assertEquals(mean.getFloat(i, best), mirrored.confidence(i), 1e-6f, "image " + i);
            differ += plain.predicted(i) != mirrored.predicted(i) ? 1 : 0;
        }
        assertTrue(differ > 0, "mirroring changed some predictions of an untrained-for-it network");
        assertNotEquals(plain.crossEntropy(), mirrored.crossEntropy());
        assertEquals(plain.accuracy(), Evaluation.of(model, test, false).accuracy());
        assertEquals(plain.accuracy(), mirrored.unmirroredAccuracy(), "the first pass of the mirrored evaluation is the plain one");
        assertTrue(Double.isNaN(plain.unmirroredAccuracy()));
    }
}
