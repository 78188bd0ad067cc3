package fashion.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class FashionMnistTest {
    static final Path DEBIAN = FashionMnist.DEBIAN_FOLDER;

    @AfterEach
    void environmentQuickMode() {
        QuickMode.override(null);
    }

    static FashionMnist full() {
        QuickMode.override(false);
        return FashionMnist.load(DEBIAN);
    }

    static byte[] raw(String name) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(DEBIAN.resolve(name + ".gz")))) {
            return in.readAllBytes();
        }
    }

    @Test
    void splitsLikeTheSeed() throws IOException {
        FashionMnist data = full();
        assertEquals(55000, data.train().size());
        assertEquals(5000, data.validation().size());
        assertEquals(10000, data.test().size());
        byte[] labels = raw("train-labels-idx1-ubyte");
        // validation is the first 5000 training images, training the next 55000, in file order
        assertEquals(labels[8] & 0xff, data.validation().label(0));
        assertEquals(labels[8 + 4999] & 0xff, data.validation().label(4999));
        assertEquals(labels[8 + 5000] & 0xff, data.train().label(0));
        assertEquals(labels[8 + 59999] & 0xff, data.train().label(54999));
        byte[] images = raw("train-images-idx3-ubyte");
        float[][] first = data.train().image(0);
        int offset = 16 + 5000 * 784;
        for (int r = 0; r < 28; r++) {
            for (int c = 0; c < 28; c++) {
                assertEquals((images[offset + r * 28 + c] & 0xff) / 255f, first[r][c], 1e-7);
            }
        }
    }

    @Test
    void pixelsAreScaledToUnitInterval() {
        FashionMnist data = full();
        INDArray pixels = data.test().dense();
        assertEquals(0.0, pixels.minNumber().doubleValue(), 1e-9);
        assertEquals(1.0, pixels.maxNumber().doubleValue(), 1e-9);
        double mean = pixels.meanNumber().doubleValue();
        assertTrue(mean > 0.2 && mean < 0.4, "mean pixel " + mean);
    }

    @Test
    void viewsHaveTheRightShapes() {
        FashionMnist data = full();
        assertArrayEquals(new long[] {10000, 784}, data.test().dense().shape());
        assertArrayEquals(new long[] {10000, 1, 28, 28}, data.test().images().shape());
        assertEquals(data.test().dense().getFloat(3, 28 * 5 + 7), data.test().images().getFloat(3, 0, 5, 7));
        assertArrayEquals(new long[] {10000, 10}, data.test().oneHot().shape());
        assertEquals(10000.0, data.test().oneHot().sumNumber().doubleValue(), 1e-6);
    }

    @Test
    void testSetIsBalancedAndTrainingAlmostSo() {
        FashionMnist data = full();
        for (int count : data.test().classCounts()) {
            assertEquals(1000, count);
        }
        int total = 0;
        for (int count : data.train().classCounts()) {
            assertTrue(count > 5300 && count < 5700, "class count " + count);
            total += count;
        }
        assertEquals(55000, total);
    }

    @Test
    void quickModeGivesAFixedBalancedSubset() {
        QuickMode.override(true);
        FashionMnist data = FashionMnist.load(DEBIAN);
        assertTrue(data.quick());
        assertEquals(2000, data.train().size());
        assertEquals(500, data.validation().size());
        assertEquals(1000, data.test().size());
        for (int count : data.train().classCounts()) {
            assertEquals(200, count);
        }
        for (int count : data.validation().classCounts()) {
            assertEquals(50, count);
        }
        FashionMnist again = FashionMnist.load(DEBIAN);
        assertArrayEquals(data.train().labels(), again.train().labels());
        assertEquals(2, QuickMode.epochs(10));
        QuickMode.override(false);
        assertEquals(10, QuickMode.epochs(10));
    }
}
