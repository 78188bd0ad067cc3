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
 * {@code +shift} in each direction independently, and the uncovered border filled with 0 (background).</li>
 * </ul>
 */
final class Augmentation {
    private final boolean mirror;
    private final int shift;
    private final Random random;

    Augmentation(boolean mirror, int shift, Random random) {
        if (shift < 0) {
            throw new IllegalArgumentException("shift must be 0 or more pixels, not " + shift);
        }
        this.mirror = mirror;
        this.shift = shift;
        this.random = random;
    }

    /** True when {@link #apply(INDArray)} changes anything. */
    boolean active() {
        return mirror || shift > 0;
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
            transform(in, out, r * pixels, side, flip, dx, dy);
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
}
