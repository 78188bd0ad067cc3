package fashion.models.fast;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class MatrixProductTest {

    private static int[] bits(INDArray x) {
        float[] f = x.dup('c').data().asFloat();
        int[] b = new int[f.length];
        for (int i = 0; i < f.length; i++) {
            b[i] = Float.floatToRawIntBits(f[i]);
        }
        return b;
    }

    /** The DFT's layouts: row-major and column-major results, a result that is a view at an offset of a flat buffer. */
    @Test
    void theSameBitsAsNd4jGemmForEveryLayoutAndCallAfterCall() {
        Nd4j.getRandom().setSeed(7);
        MatrixProduct product = new MatrixProduct();
        int[][] shapes = {{13, 7, 5}, {64, 28, 60}, {448, 28, 30}, {1, 9, 4}};
        for (int[] s : shapes) {
            for (char order : new char[] {'c', 'f'}) {
                INDArray a = Nd4j.rand(DataType.FLOAT, s[0], s[1]);
                INDArray b = Nd4j.rand(DataType.FLOAT, s[1], s[2]).dup(order);
                INDArray expected = Nd4j.create(DataType.FLOAT, new long[] {s[0], s[2]}, order);
                Nd4j.gemm(a, b, expected, false, false, 1.0, 0.0);
                INDArray c = Nd4j.create(DataType.FLOAT, new long[] {s[0], s[2]}, order);
                product.multiply(a, b, c);
                assertArrayEquals(bits(expected), bits(c), order + " " + java.util.Arrays.toString(s));
                // a result inside a larger scratch buffer, as the DFT's views are (at an offset, which may take
                // another kernel than a whole array: compared with Nd4j.gemm into the same view); the rest untouched
                INDArray expectedFlat = Nd4j.valueArrayOf(new long[] {s[0] * s[2] + 10}, -1f, DataType.FLOAT);
                INDArray expectedView = expectedFlat.get(NDArrayIndex.interval(3, 3 + s[0] * s[2])).reshape('c', s[0], s[2]);
                Nd4j.gemm(a, b, expectedView, false, false, 1.0, 0.0);
                INDArray flat = Nd4j.valueArrayOf(new long[] {s[0] * s[2] + 10}, -1f, DataType.FLOAT);
                INDArray view = flat.get(NDArrayIndex.interval(3, 3 + s[0] * s[2])).reshape('c', s[0], s[2]);
                product.multiply(a, b, view);
                assertArrayEquals(bits(expectedView), bits(view), "view " + java.util.Arrays.toString(s));
                assertTrue(flat.getFloat(0) == -1f && flat.getFloat(2) == -1f && flat.getFloat(3 + s[0] * s[2]) == -1f);
            }
        }
    }

    @Test
    void mismatchedShapesAreAnErrorNamingThem() {
        MatrixProduct product = new MatrixProduct();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> product.multiply(
                Nd4j.zeros(DataType.FLOAT, 3, 4), Nd4j.zeros(DataType.FLOAT, 5, 2), Nd4j.zeros(DataType.FLOAT, 3, 2)));
        assertTrue(e.getMessage().contains("[3, 4]") && e.getMessage().contains("[5, 2]"), e.getMessage());
    }
}
