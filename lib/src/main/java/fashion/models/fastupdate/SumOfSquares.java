package fashion.models.fastupdate;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import fashion.engine.Engine;

/**
 * The float sum of squares of a block of a parameter array, the one summation used both for the L2 term of the loss
 * ({@link FastL2Regularization#score}) and inside the {@linkplain FusedUpdate fused update} (which reads the weights
 * anyway), so that the two give the same bits: with the JDK's vector API, one float accumulator per vector lane, the
 * lanes then added in lane order and the tail after them; without it, four scalar accumulators.
 */
final class SumOfSquares {
    private SumOfSquares() {
    }

    /** Whether the vector API's kernels run (else the scalar ones; the fused update follows the same choice). */
    static boolean vectorized() {
        return Engine.vectorApi();
    }

    /** Sum of squares of {@code len} floats of {@code data} from element {@code offset}. */
    static float block(ByteBuffer bytes, FloatBuffer data, int offset, int len) {
        return vectorized() ? Vectorized.block(bytes, offset, len) : scalar(data, offset, len);
    }

    private static float scalar(FloatBuffer data, int offset, int len) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 3 < len; i += 4) {
            float a = data.get(offset + i);
            float b = data.get(offset + i + 1);
            float c = data.get(offset + i + 2);
            float d = data.get(offset + i + 3);
            s0 += a * a;
            s1 += b * b;
            s2 += c * c;
            s3 += d * d;
        }
        for (; i < len; i++) {
            float a = data.get(offset + i);
            s0 += a * a;
        }
        return s0 + s1 + s2 + s3;
    }

    /** The vector-API version, in its own class so that nothing loads the incubator module when it is absent. */
    static final class Vectorized {
        static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
        private static final ByteOrder ORDER = ByteOrder.nativeOrder();

        private Vectorized() {
        }

        static float block(ByteBuffer bytes, int offset, int len) {
            FloatVector acc = FloatVector.zero(SPECIES);
            int bound = SPECIES.loopBound(len);
            int i = 0;
            for (; i < bound; i += SPECIES.length()) {
                FloatVector w = FloatVector.fromByteBuffer(SPECIES, bytes, (offset + i) * Float.BYTES, ORDER);
                acc = w.fma(w, acc);
            }
            return lanesThenTail(acc, bytes, offset, i, len);
        }

        /** The lanes of {@code acc} added in lane order, then the squares of elements {@code [from, len)}. */
        static float lanesThenTail(FloatVector acc, ByteBuffer bytes, int offset, int from, int len) {
            float s = 0f;
            for (int l = 0; l < SPECIES.length(); l++) {
                s += acc.lane(l);
            }
            for (int i = from; i < len; i++) {
                float w = bytes.getFloat((offset + i) * Float.BYTES);
                s = Math.fma(w, w, s);
            }
            return s;
        }
    }
}
