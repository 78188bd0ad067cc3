package fashion.models.fastupdate;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import fashion.models.fast.FloatBlocks;
import fashion.models.fast.WarmUp;

/**
 * The arithmetic of {@link FusedUpdate#step} on whole vectors, read and written in place in the parameter, gradient
 * and moment arrays (no copies to Java arrays): each lane does the scalar code's float operations in the same order
 * (division, fused L2 term, the moments' products and sums, square root, division, subtraction; all IEEE-exact per
 * lane), so the same bits. Also returns the block's sum of squares of the weights before the update, summed exactly as
 * {@link SumOfSquares#block} sums them. Only loaded when the JDK's vector API is present.
 */
final class VectorAdam {
    private static final VectorSpecies<Float> SPECIES = SumOfSquares.Vectorized.SPECIES;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private VectorAdam() {
    }

    /**
     * Runs {@link #block} and {@link SumOfSquares#block} on a scratch block of 1,027 weights (as in training: ND4J's
     * buffers, whole vectors plus a scalar tail) until the JIT has compiled both for calls ({@link
     * fashion.models.fast.WarmUp#untilCompiled}), at most {@code maxSeconds}. Without it the first hundred training steps
     * of a dense network were 3 to 6 times slower than the later ones; with a fixed 3,000 calls, HotSpot still compiled
     * the method for calls during the first training steps (2026-12-01: 0.5-0.6 s of C2 compiling in the seed dense
     * model's first 100 steps, 12.6 ms per step against 3.2 later). Returns the seconds it took.
     */
    static double warmUp(double maxSeconds) {
        int len = 1027;
        org.nd4j.linalg.api.ndarray.INDArray[] arrays = WarmUp.scratch(4, len);
        ByteBuffer w = FloatBlocks.nativeBytes(arrays[0]);
        ByteBuffer g = FloatBlocks.nativeBytes(arrays[1]);
        ByteBuffer m = FloatBlocks.nativeBytes(arrays[2]);
        ByteBuffer v = FloatBlocks.nativeBytes(arrays[3]);
        for (int i = 0; i < len; i++) {
            w.putFloat(i * Float.BYTES, (i % 7 - 3) * 0.01f);
            g.putFloat(i * Float.BYTES, (i % 5 - 2) * 0.001f);
        }
        float[] sink = new float[1];
        double seconds = WarmUp.untilCompiled("adam", () -> {
            for (int c = 0; c < 100; c++) {
                sink[0] += block(w, 0, g, 0, m, 0, v, 0, 0, len, 32f, 1e-4f, 0.9f, 0.999f, 1e-7f, 1e-4f);
                sink[0] += SumOfSquares.Vectorized.block(w, 0, len);
            }
        }, 100L * len, WarmUp.scaledToVectorWidth(FAST_NANOS_PER_ELEMENT, SPECIES.vectorBitSize()), maxSeconds);
        java.lang.ref.Reference.reachabilityFence(arrays); // their memory stays allocated until here
        if (sink[0] == 42f) {
            System.out.print(""); // keeps the result alive
        }
        return seconds;
    }

    /**
     * Time per weight of one {@link #block} plus {@link SumOfSquares#block} call below which both run as compiled
     * code, with 512-bit vectors (scaled for narrower ones): compiled, about 1.3 ns on the 2026-12-01 AVX-512 host
     * (calls included); with only the loop compiled, 4-7 ns; as the vector API's Java fallback, 70-1000 ns.
     */
    static final double FAST_NANOS_PER_ELEMENT = 3.0;

    /**
     * Elements {@code [start, start + len)} of one parameter array whose weights begin at element {@code wo} of
     * {@code w}, its gradient at {@code go} of {@code g}, its moments at {@code mo} and {@code vo}: updated in place;
     * returns the sum of squares of the block's weights before the update.
     */
    static float block(ByteBuffer w, int wo, ByteBuffer g, int go, ByteBuffer m, int mo, ByteBuffer v, int vo, int start,
            int len, float batch, float l2, float beta1, float beta2, float epsilon, float alpha) {
        boolean divide = batch > 0f;
        float oneMinusBeta1 = 1f - beta1;
        float oneMinusBeta2 = 1f - beta2;
        FloatVector acc = FloatVector.zero(SPECIES);
        int bound = SPECIES.loopBound(len);
        int i = 0;
        for (; i < bound; i += SPECIES.length()) {
            int wi = (wo + start + i) * Float.BYTES;
            int gi = (go + start + i) * Float.BYTES;
            int mi = (mo + start + i) * Float.BYTES;
            int vi = (vo + start + i) * Float.BYTES;
            FloatVector wv = FloatVector.fromByteBuffer(SPECIES, w, wi, ORDER);
            FloatVector gv = FloatVector.fromByteBuffer(SPECIES, g, gi, ORDER);
            acc = wv.fma(wv, acc);
            if (divide) {
                gv = gv.div(batch);
            }
            gv = wv.fma(FloatVector.broadcast(SPECIES, l2), gv); // l2 * w + g, one rounding, as Math.fma(l2, w, g)
            FloatVector mv = FloatVector.fromByteBuffer(SPECIES, m, mi, ORDER).mul(beta1).add(gv.mul(oneMinusBeta1));
            FloatVector vv = FloatVector.fromByteBuffer(SPECIES, v, vi, ORDER).mul(beta2)
                    .add(gv.mul(gv).mul(oneMinusBeta2));
            mv.intoByteBuffer(m, mi, ORDER);
            vv.intoByteBuffer(v, vi, ORDER);
            FloatVector u = mv.mul(alpha).div(vv.sqrt().add(epsilon));
            u.intoByteBuffer(g, gi, ORDER);
            wv.sub(u).intoByteBuffer(w, wi, ORDER);
        }
        float[] ws = new float[len - i];
        float[] gs = new float[len - i];
        float[] ms = new float[len - i];
        float[] vs = new float[len - i];
        for (int k = 0; k < ws.length; k++) {
            ws[k] = w.getFloat((wo + start + i + k) * Float.BYTES);
            gs[k] = g.getFloat((go + start + i + k) * Float.BYTES);
            ms[k] = m.getFloat((mo + start + i + k) * Float.BYTES);
            vs[k] = v.getFloat((vo + start + i + k) * Float.BYTES);
        }
        float sum = SumOfSquares.Vectorized.lanesThenTail(acc, w, wo + start, i, len);
        FusedUpdate.step(ws, gs, ms, vs, ws.length, batch, l2, beta1, beta2, epsilon, alpha);
        for (int k = 0; k < ws.length; k++) {
            w.putFloat((wo + start + i + k) * Float.BYTES, ws[k]);
            g.putFloat((go + start + i + k) * Float.BYTES, gs[k]);
            m.putFloat((mo + start + i + k) * Float.BYTES, ms[k]);
            v.putFloat((vo + start + i + k) * Float.BYTES, vs[k]);
        }
        return sum;
    }
}
