package fashion.models.fast;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Activations}' ReLU on whole vectors, read and written in place in ND4J's buffers: each lane does the scalar
 * code's comparison and choice ({@code z < 0 ? 0 : z} forward, {@code z > 0 ? epsilon : 0} backward; a NaN stays NaN
 * forward and gives 0 backward, -0.0 stays -0.0), so the same bits. The scalar loops compile to one element at a time;
 * these run 8 (AVX2) or 16 (AVX-512) at once. Only loaded when the JDK's vector API is present.
 */
final class VectorRelu {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private VectorRelu() {
    }

    /** {@code out[oo + i] = in[io + i] < 0 ? 0 : in[io + i]} for {@code i < len} (element offsets). */
    static void forward(ByteBuffer in, int io, ByteBuffer out, int oo, int len) {
        FloatVector zero = FloatVector.zero(SPECIES);
        int bound = SPECIES.loopBound(len);
        int i = 0;
        for (; i < bound; i += SPECIES.length()) {
            FloatVector v = FloatVector.fromByteBuffer(SPECIES, in, (io + i) * Float.BYTES, ORDER);
            v.blend(zero, v.compare(VectorOperators.LT, 0f)).intoByteBuffer(out, (oo + i) * Float.BYTES, ORDER);
        }
        for (; i < len; i++) {
            float v = in.getFloat((io + i) * Float.BYTES);
            out.putFloat((oo + i) * Float.BYTES, v < 0f ? 0f : v);
        }
    }

    /** {@code z[zo + i] = z[zo + i] > 0 ? epsilon[eo + i] : 0} for {@code i < len} (element offsets). */
    static void backward(ByteBuffer z, int zo, ByteBuffer epsilon, int eo, int len) {
        FloatVector zero = FloatVector.zero(SPECIES);
        int bound = SPECIES.loopBound(len);
        int i = 0;
        for (; i < bound; i += SPECIES.length()) {
            FloatVector zv = FloatVector.fromByteBuffer(SPECIES, z, (zo + i) * Float.BYTES, ORDER);
            FloatVector ev = FloatVector.fromByteBuffer(SPECIES, epsilon, (eo + i) * Float.BYTES, ORDER);
            zero.blend(ev, zv.compare(VectorOperators.GT, 0f)).intoByteBuffer(z, (zo + i) * Float.BYTES, ORDER);
        }
        for (; i < len; i++) {
            float zi = z.getFloat((zo + i) * Float.BYTES);
            z.putFloat((zo + i) * Float.BYTES, zi > 0f ? epsilon.getFloat((eo + i) * Float.BYTES) : 0f);
        }
    }

    /**
     * Runs both on a scratch block of 8,195 floats (whole vectors and a tail, as in training) until the JIT has compiled
     * them ({@link WarmUp#untilCompiled}), at most {@code maxSeconds}. Returns the seconds it took.
     */
    static double warmUp(double maxSeconds) {
        int len = 8195;
        org.nd4j.linalg.api.ndarray.INDArray[] arrays = WarmUp.scratch(3, len);
        ByteBuffer z = FloatBlocks.nativeBytes(arrays[0]);
        ByteBuffer out = FloatBlocks.nativeBytes(arrays[1]);
        ByteBuffer eps = FloatBlocks.nativeBytes(arrays[2]);
        for (int i = 0; i < len; i++) {
            z.putFloat(i * Float.BYTES, (i % 7 - 3) * 0.1f);
            eps.putFloat(i * Float.BYTES, (i % 5 - 2) * 0.01f);
        }
        double seconds = WarmUp.untilCompiled("relu", () -> {
            for (int c = 0; c < 20; c++) {
                forward(z, 0, out, 0, len);
                backward(out, 0, eps, 0, len);
            }
        }, 20L * len, WarmUp.scaledToVectorWidth(FAST_NANOS_PER_ELEMENT, SPECIES.vectorBitSize()), maxSeconds);
        java.lang.ref.Reference.reachabilityFence(arrays); // their memory stays allocated until here
        return seconds;
    }

    /**
     * Time per element of one forward plus one backward call below which both run as compiled code, with 512-bit
     * vectors (scaled for narrower ones): compiled, 0.4-0.5 ns on the 2026-12-01 AVX-512 host; fallback 80-100 ns.
     */
    static final double FAST_NANOS_PER_ELEMENT = 2.0;
}
