package fashion.models.fast;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import fashion.engine.JavaParallel;

/**
 * Plain-Java loops over the float data of ND4J arrays (read and written through {@code data().asNioFloat()} from the
 * array's offset), in blocks copied to Java arrays and split over the cores. Shared by the Java activation, Adam and
 * L2 loops.
 */
public final class FloatBlocks {
    /** The work on one block: elements {@code [start, start + len)}, with this share's scratch arrays. */
    public interface Body {
        void run(int start, int len, float[][] scratch);
    }

    private FloatBlocks() {
    }

    /** A float array whose elements lie consecutively in memory from its offset, addressable with an int. */
    public static boolean contiguous(INDArray a) {
        return a.dataType() == DataType.FLOAT && (a.length() <= 1 || a.elementWiseStride() == 1)
                && a.offset() + a.length() <= Integer.MAX_VALUE;
    }

    /**
     * The array's whole data buffer as bytes in native order (element {@code i} of the buffer, not of the array, at byte
     * {@code 4 i}; the array's first element is at its {@code offset()}). The buffer does not keep the array's memory
     * alive: the array must stay reachable while the buffer is used.
     */
    public static java.nio.ByteBuffer nativeBytes(INDArray a) {
        return a.data().asNio().order(java.nio.ByteOrder.nativeOrder());
    }

    /** Whether every element's byte offset in its buffer fits an int (as the vector kernels address them). */
    public static boolean byteAddressable(INDArray a) {
        return (a.offset() + a.length()) * Float.BYTES <= Integer.MAX_VALUE;
    }

    /** Number of blocks of {@code block} elements that cover {@code n}. */
    public static int count(int n, int block) {
        return (n + block - 1) / block;
    }

    /**
     * Calls {@code body} for consecutive blocks covering {@code [0, n)}, {@code block} elements each (the last one
     * shorter), the blocks split over the cores; each share of blocks gets its own {@code arrays} scratch arrays of
     * {@code block} floats.
     */
    public static void forEach(int n, int block, int arrays, Body body) {
        JavaParallel.forRange(count(n, block), block, (from, to) -> {
            float[][] scratch = new float[arrays][block];
            for (int b = from; b < to; b++) {
                int start = b * block;
                body.run(start, Math.min(block, n - start), scratch);
            }
        });
    }
}
