package fashion.training;

import java.util.Random;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import fashion.data.Images;

/**
 * Data augmentation of a minibatch of flattened square images ({@code [n, side * side]}): new training images in
 * every epoch from the same data. Used by {@link Training} as {@link TrainingOptions} ask.
 * <ul>
 * <li><b>mirroring</b>: a random half of the images is flipped left to right (a mirrored coat is still a coat);</li>
 * <li><b>shifting</b>: every image is moved by a random whole number of pixels, between {@code -shift} and
 * {@code +shift} in each direction independently, and the uncovered border filled with 0 (background);</li>
 * <li><b>random erasing</b> (Zhong, Zheng, Kang, Li and Yang, "Random Erasing Data Augmentation", AAAI 2020): with
 * probability {@code erasing}, a rectangle covering 2-40% of the image, of aspect ratio between 0.3 and 1/0.3, is
 * filled with uniform random values in [0, 1], so that the network cannot rely on any one part of a garment. The
 * paper's settings for Fashion-MNIST (p = 0.5, area 0.02-0.4, ratio 0.3-3.33, random values).</li>
 * </ul>
 * Mirroring and shifting draw from one random generator, erasing from a second one, so that a run without erasing
 * sees exactly the images it saw before erasing existed.
 */
final class Augmentation {
    private final boolean mirror;
    private final int shift;
    private final Random random;
    private final double erasing;
    private final Random erasingRandom;

    Augmentation(boolean mirror, int shift, Random random) {
        this(mirror, shift, random, 0, null);
    }

    /** {@code erasing}: probability in [0, 1] that an image gets a random rectangle erased ({@code erasingRandom}). */
    Augmentation(boolean mirror, int shift, Random random, double erasing, Random erasingRandom) {
        if (shift < 0) {
            throw new IllegalArgumentException("shift must be 0 or more pixels, not " + shift);
        }
        if (!(erasing >= 0 && erasing <= 1)) {
            throw new IllegalArgumentException("erasing must be a probability in [0, 1], not " + erasing);
        }
        this.mirror = mirror;
        this.shift = shift;
        this.random = random;
        this.erasing = erasing;
        this.erasingRandom = erasing > 0 ? java.util.Objects.requireNonNull(erasingRandom, "erasingRandom") : null;
    }

    /** True when {@link #apply(INDArray)} changes anything. */
    boolean active() {
        return mirror || shift > 0 || erasing > 0;
    }

    /** A new array with the augmented images; {@code rows} is not modified. */
    INDArray apply(INDArray rows) {
        int n = (int) rows.rows();
        int pixels = (int) rows.columns();
        int side = Images.side(rows, "augmentation");
        if (shift >= side) {
            throw new IllegalArgumentException("a shift of " + shift + " pixels would move a " + side + " x " + side
                    + " image out of its frame: use at most " + (side - 1));
        }
        float[] in = rows.dup('c').data().asFloat();
        float[] out = new float[in.length];
        for (int r = 0; r < n; r++) {
            boolean flip = mirror && random.nextBoolean();
            int dx = shift > 0 ? random.nextInt(2 * shift + 1) - shift : 0;
            int dy = shift > 0 ? random.nextInt(2 * shift + 1) - shift : 0;
            transform(in, out, r * pixels, side, flip, dx, dy); // a plain copy when neither mirrored nor shifted
            if (erasing > 0 && erasingRandom.nextDouble() < erasing) {
                erase(out, r * pixels, side, erasingRandom);
            }
        }
        return Nd4j.create(out, new long[] {n, pixels}, 'c').castTo(rows.dataType());
    }

    /**
     * Writes into {@code out} the image at {@code offset} of {@code in}, mirrored if {@code flip}, then moved right by
     * {@code dx} and down by {@code dy} pixels (negative: left / up); pixels moved in from outside are 0.
     */
    static void transform(float[] in, float[] out, int offset, int side, boolean flip, int dx, int dy) {
        for (int y = 0; y < side; y++) {
            int sy = y - dy;
            int row = offset + y * side;
            if (sy < 0 || sy >= side) {
                java.util.Arrays.fill(out, row, row + side, 0f);
                continue;
            }
            int src = offset + sy * side;
            for (int x = 0; x < side; x++) {
                int sx = x - dx;
                out[row + x] = sx < 0 || sx >= side ? 0f : in[src + (flip ? side - 1 - sx : sx)];
            }
        }
    }

    /** Smallest and largest erased area, as fractions of the image, and the smallest aspect ratio (height / width). */
    static final double ERASE_MIN_AREA = 0.02, ERASE_MAX_AREA = 0.4, ERASE_MIN_RATIO = 0.3;

    /**
     * Fills one random rectangle of the image at {@code offset} with uniform random values in [0, 1): area a uniform
     * fraction of the image in [{@link #ERASE_MIN_AREA}, {@link #ERASE_MAX_AREA}], aspect ratio uniform in
     * [{@link #ERASE_MIN_RATIO}, 1 / {@link #ERASE_MIN_RATIO}], position uniform among those that fit; a drawn rectangle
     * that does not fit is drawn again (as in the paper's algorithm), at most 100 times. Returns the rectangle as
     * {top, left, height, width}, or null when none fitted.
     */
    static int[] erase(float[] image, int offset, int side, Random random) {
        double area = side * side;
        for (int attempt = 0; attempt < 100; attempt++) {
            double target = area * (ERASE_MIN_AREA + (ERASE_MAX_AREA - ERASE_MIN_AREA) * random.nextDouble());
            double ratio = ERASE_MIN_RATIO + (1 / ERASE_MIN_RATIO - ERASE_MIN_RATIO) * random.nextDouble();
            int h = (int) Math.round(Math.sqrt(target * ratio));
            int w = (int) Math.round(Math.sqrt(target / ratio));
            if (h < 1 || w < 1 || h >= side || w >= side) {
                continue;
            }
            int top = random.nextInt(side - h + 1);
            int left = random.nextInt(side - w + 1);
            for (int y = top; y < top + h; y++) {
                for (int x = left; x < left + w; x++) {
                    image[offset + y * side + x] = random.nextFloat();
                }
            }
            return new int[] {top, left, h, w};
        }
        return null;
    }
}
