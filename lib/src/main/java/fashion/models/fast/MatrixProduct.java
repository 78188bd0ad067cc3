package fashion.models.fast;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A matrix product {@code c = a b} computed by libnd4j's {@code matmul} operation, as {@code Nd4j.gemm(a, b, c, false,
 * false, 1, 0)} computes it (the same kernel, so the same bits: oneDNN's matmul for a row-major {@code c}, OpenBLAS
 * for a column-major one), through one operation and one operation context made once and reused at every call.
 * {@code Nd4j.gemm} builds both for each call: a new {@code Mmul} (whose constructor draws a {@code SecureRandom} UUID
 * for its name), a native context, its arguments; 20-60 microseconds per call here, against a product of the DFT
 * convolutions' sizes that takes 40-150 (2026-12-01, AVX-512 host, MatrixProductTest checks the bits).
 *
 * <p>Not thread-safe: one instance per thread that uses it (a layer's scratch object). The native context is freed
 * with the object (ND4J registers it with its deallocator; its {@code close()} does nothing in 1.0.0-M2.1).
 */
public final class MatrixProduct {
    private final Mmul operation = new Mmul();
    private OpContext context;

    /**
     * {@code c = a b}: {@code a} {@code [m, k]}, {@code b} {@code [k, n]}, {@code c} {@code [m, n]}, float, rank 2, any
     * strides ({@code Nd4j.gemm}'s rules). The context keeps no array after the call.
     */
    public void multiply(INDArray a, INDArray b, INDArray c) {
        if (a.rank() != 2 || b.rank() != 2 || c.rank() != 2 || a.size(1) != b.size(0) || c.size(0) != a.size(0)
                || c.size(1) != b.size(1)) {
            throw new IllegalArgumentException("MatrixProduct: need a [m, k], b [k, n] and c [m, n], got "
                    + java.util.Arrays.toString(a.shape()) + ", " + java.util.Arrays.toString(b.shape()) + " and "
                    + java.util.Arrays.toString(c.shape()));
        }
        if (context == null) {
            context = Nd4j.getExecutioner().buildContext();
        }
        OpContext ctx = context;
        ctx.setInputArray(0, a);
        ctx.setInputArray(1, b);
        ctx.setOutputArray(0, c);
        ctx.setTArguments(1.0, 0.0); // alpha, beta
        ctx.setIArguments(0, 0, 0); // no transposition of a, b or the result
        try {
            Nd4j.exec(operation, ctx);
        } finally {
            ctx.purge();
        }
    }
}
