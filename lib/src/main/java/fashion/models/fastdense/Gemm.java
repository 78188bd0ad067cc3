package fashion.models.fastdense;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Float matrix products {@code c = op(a) op(b)} straight through OpenBLAS's {@code cblas_sgemm}, with the arguments
 * libnd4j's {@code matmul} derives from the arrays' strides (its {@code MmulHelper::mmulMxM}), so the same kernel
 * runs on the same memory and the result is the same bits as {@code Nd4j.gemm} / {@code INDArray.mmuli} (tested),
 * without building an ND4J operation for each product (its Java path costs tens of microseconds per call and much
 * more before the JIT has compiled it). Arrays whose layout libnd4j would first copy go through {@code Nd4j.gemm}.
 */
final class Gemm {
    private static final int COL_MAJOR = 102;
    private static final int ROW_MAJOR = 101;
    private static final int NO_TRANS = 111;
    private static final int TRANS = 112;
    private static final boolean DIRECT = loadable();

    private Gemm() {
    }

    private static boolean loadable() {
        if (Boolean.getBoolean("fashion.gemm.nd4j")) {
            return false;
        }
        try {
            org.bytedeco.javacpp.Loader.load(openblas.class);
            return true;
        } catch (Throwable t) {
            return false;
        }
    }

    /** Whether products go straight to OpenBLAS (false: through {@code Nd4j.gemm}). */
    static boolean direct() {
        return DIRECT;
    }

    /** {@code c = op(a) op(b)}, {@code op} transposing when asked, as {@code Nd4j.gemm(a, b, c, transA, transB, 1, 0)}. */
    static void multiply(INDArray a, INDArray b, INDArray c, boolean transA, boolean transB) {
        if (!DIRECT || a.dataType() != DataType.FLOAT || b.dataType() != DataType.FLOAT || c.dataType() != DataType.FLOAT
                || a.rank() != 2 || b.rank() != 2 || c.rank() != 2) {
            Nd4j.gemm(a, b, c, transA, transB, 1.0, 0.0);
            return;
        }
        long m = c.size(0);
        long n = c.size(1);
        long k = transA ? a.size(0) : a.size(1);
        long sa0 = transA ? a.stride(1) : a.stride(0);
        long sa1 = transA ? a.stride(0) : a.stride(1);
        long sb0 = transB ? b.stride(1) : b.stride(0);
        long sb1 = transB ? b.stride(0) : b.stride(1);
        long sc0 = c.stride(0);
        long sc1 = c.stride(1);
        boolean aMcont = m == 1 || sa0 == 1;
        boolean aKcont = k == 1 || sa1 == 1;
        boolean bKcont = k == 1 || sb0 == 1;
        boolean bNcont = n == 1 || sb1 == 1;
        boolean cMcont = m == 1 || sc0 == 1;
        boolean cNcont = n == 1 || sc1 == 1;
        if ((!aMcont && !aKcont) || (!bKcont && !bNcont) || !cMcont || sa0 == 0 || sa1 == 0 || sb0 == 0 || sb1 == 0
                || sc0 == 0 || sc1 == 0) { // layouts libnd4j would copy first, and broadcast (stride 0) views
            Nd4j.gemm(a, b, c, transA, transB, 1.0, 0.0);
            return;
        }
        boolean opA = (!aMcont && cMcont) || (aMcont && !cMcont);
        boolean opB = (!bKcont && cMcont) || (bKcont && !cMcont);
        long lda = (aMcont && aKcont) ? m : !aMcont ? sa0 : sa1;
        long ldb = (bKcont && bNcont) ? k : !bKcont ? sb0 : sb1;
        long ldc = (cMcont && cNcont) ? m : !cMcont ? sc0 : sc1;
        openblas.cblas_sgemm(cMcont ? COL_MAJOR : ROW_MAJOR, opA ? TRANS : NO_TRANS, opB ? TRANS : NO_TRANS,
                (int) m, (int) n, (int) k, 1f, pointer(a), (int) lda, pointer(b), (int) ldb, 0f, pointer(c), (int) ldc);
    }

    /**
     * A pointer to the array's first element that owns nothing. {@code data().address()} is the whole buffer's start
     * and {@code offset()} counts from it (a view's {@code data().addressPointer()}, by contrast, may already point at
     * the view's start).
     */
    private static FloatPointer pointer(INDArray x) {
        long start = x.data().address() + x.offset() * Float.BYTES;
        return new FloatPointer() {
            {
                address = start;
            }
        };
    }
}
