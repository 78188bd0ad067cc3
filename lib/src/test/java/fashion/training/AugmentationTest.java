package fashion.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import fashion.models.SettingException;

class AugmentationTest {
    /** n images whose pixel (y, x) is 100 * y + x + 1 (no pixel is 0, so a filled border is visible). */
    private static INDArray coordinates(int n) {
        float[] pixels = new float[n * 784];
        for (int i = 0; i < pixels.length; i++) {
            int p = i % 784;
            pixels[i] = 100 * (p / 28) + p % 28 + 1;
        }
        return Nd4j.create(pixels, new long[] {n, 784}, 'c');
    }

    @Test
    void flipsMirrorAboutHalfTheImagesLeftToRight() {
        int n = 200;
        INDArray rows = coordinates(n);
        INDArray before = rows.dup();
        float[] out = new Augmentation(true, 0, new Random(3)).apply(rows).dup('c').data().asFloat();
        int mirrored = 0;
        for (int r = 0; r < n; r++) {
            boolean same = true;
            boolean mirror = true;
            for (int p = 0; p < 784; p++) {
                int y = p / 28, x = p % 28;
                same &= out[r * 784 + p] == 100 * y + x + 1;
                mirror &= out[r * 784 + p] == 100 * y + (27 - x) + 1;
            }
            assertTrue(same ^ mirror, "image " + r + " is neither itself nor its mirror image");
            mirrored += mirror ? 1 : 0;
        }
        assertTrue(mirrored > 70 && mirrored < 130, mirrored + " of " + n + " mirrored");
        assertEquals(before, rows, "the input is left unchanged");
    }

    @Test
    void shiftsMoveEachImageByAtMostTheGivenPixelsAndFillTheBorderWithZeros() {
        int n = 300;
        int shift = 2;
        float[] out = new Augmentation(false, shift, new Random(5)).apply(coordinates(n)).dup('c').data().asFloat();
        Set<String> seen = new HashSet<>();
        for (int r = 0; r < n; r++) {
            // the pixel at (14, 14) comes from (14 - dy, 14 - dx): recover the shift from its value
            float centre = out[r * 784 + 14 * 28 + 14] - 1;
            int dy = 14 - (int) centre / 100;
            int dx = 14 - (int) centre % 100;
            assertTrue(Math.abs(dx) <= shift && Math.abs(dy) <= shift, "image " + r + " moved by " + dx + ", " + dy);
            seen.add(dx + "," + dy);
            for (int y = 0; y < 28; y++) {
                for (int x = 0; x < 28; x++) {
                    int sy = y - dy, sx = x - dx;
                    float expected = sy < 0 || sy > 27 || sx < 0 || sx > 27 ? 0 : 100 * sy + sx + 1;
                    assertEquals(expected, out[r * 784 + y * 28 + x], "image " + r + " pixel (" + y + ", " + x + ")");
                }
            }
        }
        assertEquals(25, seen.size(), "all 5 x 5 shifts occur: " + seen);
    }

    @Test
    void shiftAndMirrorCombine() {
        float[] in = coordinates(1).data().asFloat();
        float[] out = new float[784];
        Augmentation.transform(in, out, 0, 28, true, 1, -1);
        // mirrored first, then moved one pixel right and one up
        assertEquals(100 * 1 + 27 + 1, out[0 * 28 + 1]);
        assertEquals(0f, out[0 * 28 + 0]);
        assertEquals(0f, out[27 * 28 + 5]);
    }

    @Test
    void noAugmentationIsInactive() {
        assertFalse(new Augmentation(false, 0, new Random(1)).active());
        assertTrue(new Augmentation(false, 1, new Random(1)).active());
    }

    @Test
    void badShiftsAreRefusedWithTheRange() {
        SettingException e = assertThrows(SettingException.class, () -> TrainingOptions.epochs(1).shiftRandomly(-1));
        assertTrue(e.getMessage().contains("between 0 and 27"), e.getMessage());
        assertThrows(SettingException.class, () -> TrainingOptions.epochs(1).shiftRandomly(28));
        assertEquals(2, TrainingOptions.epochs(1).shiftRandomly(2).shift());
        assertArrayEquals(new long[] {1, 784}, new Augmentation(false, 1, new Random(1)).apply(coordinates(1)).shape());
    }

    @Test
    void randomErasingFillsOneRectangleOfTheGivenAreaAndRatioWithValuesInZeroOne() {
        Random random = new Random(11);
        int drawn = 0;
        for (int i = 0; i < 500; i++) {
            float[] image = new float[784];
            java.util.Arrays.fill(image, 5f); // outside [0, 1]: every erased pixel is visible
            int[] box = Augmentation.erase(image, 0, 28, random);
            if (box == null) {
                continue;
            }
            drawn++;
            int top = box[0], left = box[1], h = box[2], w = box[3];
            assertTrue(top >= 0 && left >= 0 && top + h <= 28 && left + w <= 28, "inside the frame: " + java.util.Arrays.toString(box));
            double area = h * w / 784.0;
            // rounding each side to whole pixels moves the area a little beyond the drawn 2-40%
            assertTrue(area >= 0.01 && area <= 0.45, "area " + area);
            double ratio = (double) h / w;
            assertTrue(ratio >= 0.2 && ratio <= 5, "ratio " + ratio);
            for (int y = 0; y < 28; y++) {
                for (int x = 0; x < 28; x++) {
                    float v = image[y * 28 + x];
                    boolean inside = y >= top && y < top + h && x >= left && x < left + w;
                    if (inside) {
                        assertTrue(v >= 0 && v < 1, "erased pixel " + v);
                    } else {
                        assertEquals(5f, v, "pixel (" + y + ", " + x + ") outside the rectangle is kept");
                    }
                }
            }
        }
        assertTrue(drawn > 450, "almost every draw fits after retries: " + drawn);
    }

    @Test
    void randomErasingTouchesAboutTheGivenShareOfImagesAndNotTheInput() {
        int n = 400;
        INDArray rows = coordinates(n);
        INDArray before = rows.dup();
        float[] out = new Augmentation(false, 0, new Random(1), 0.5, new Random(2)).apply(rows).dup('c').data().asFloat();
        int erased = 0;
        for (int r = 0; r < n; r++) {
            boolean changed = false;
            for (int p = 0; p < 784; p++) {
                changed |= out[r * 784 + p] != 100 * (p / 28) + p % 28 + 1;
            }
            erased += changed ? 1 : 0;
        }
        assertTrue(erased > 160 && erased < 240, erased + " of " + n + " erased at p = 0.5");
        assertEquals(before, rows, "the input is left unchanged");
        assertTrue(new Augmentation(false, 0, new Random(1), 0.5, new Random(2)).active());
    }

    @Test
    void erasingDoesNotChangeWhatMirroringAndShiftingDraw() {
        // a run without erasing sees the same images as before erasing existed; with erasing, the pixels outside the
        // erased rectangle are still those of the same mirror and shift
        INDArray rows = coordinates(50);
        float[] plain = new Augmentation(true, 2, new Random(9)).apply(rows).dup('c').data().asFloat();
        float[] none = new Augmentation(true, 2, new Random(9), 0, null).apply(rows).dup('c').data().asFloat();
        assertArrayEquals(plain, none);
        float[] erased = new Augmentation(true, 2, new Random(9), 1, new Random(4)).apply(rows).dup('c').data().asFloat();
        int same = 0;
        for (int i = 0; i < plain.length; i++) {
            same += plain[i] == erased[i] ? 1 : 0;
        }
        assertTrue(same > plain.length * 0.55 && same < plain.length, same + " of " + plain.length + " pixels kept");
    }

    @Test
    void badErasingProbabilitiesAreRefusedWithTheRange() {
        SettingException e = assertThrows(SettingException.class, () -> TrainingOptions.epochs(1).eraseRandomly(1.5));
        assertTrue(e.getMessage().contains("between 0 and 1"), e.getMessage());
        assertThrows(SettingException.class, () -> TrainingOptions.epochs(1).eraseRandomly(Double.NaN));
        assertEquals(0.5, TrainingOptions.epochs(1).eraseRandomly(0.5).erasing());
        assertTrue(TrainingOptions.epochs(1).eraseRandomly(0.5).toString().contains("eraseRandomly=0.5"));
    }
}
