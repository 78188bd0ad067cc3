package fashion.data;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Whole-image operations on rows of flattened square images ({@code [n, side * side]}). */
public final class Images {
    private Images() {
    }

    /** The side of the square images in {@code rows}; {@code operation} names what needs them in the error. */
    public static int side(INDArray rows, String operation) {
        int pixels = (int) rows.columns();
        int side = (int) Math.round(Math.sqrt(pixels));
        if (side * side != pixels) {
            throw new IllegalArgumentException(operation + " needs square images; rows have " + pixels + " pixels");
        }
        return side;
    }

    /** A new array with every image mirrored left to right; {@code rows} is not modified. */
    public static INDArray mirrored(INDArray rows) {
        int n = (int) rows.rows();
        int pixels = (int) rows.columns();
        int side = side(rows, "mirroring");
        float[] v = rows.dup('c').data().asFloat();
        for (int row = 0; row < n * side; row++) {
            for (int i = row * side, j = i + side - 1; i < j; i++, j--) {
                float t = v[i];
                v[i] = v[j];
                v[j] = t;
            }
        }
        return Nd4j.create(v, new long[] {n, pixels}, 'c').castTo(rows.dataType());
    }
}
