package fashion.models.fastupdate;

import java.nio.FloatBuffer;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.AdamUpdater;
import org.nd4j.linalg.learning.config.Adam;

import fashion.models.fast.FloatBlocks;

/**
 * The update of {@link FastAdam}: libnd4j's Adam step in float arithmetic,
 * <pre>
 * m = beta1 m + (1 - beta1) g;   v = beta2 v + (1 - beta2) g^2;
 * g = alpha_t m / (sqrt(v) + epsilon),   alpha_t = rate sqrt(1 - beta2^t) / (1 - beta1^t),  t = iteration + 1
 * </pre>
 * as a Java loop over blocks of the three (contiguous, float) arrays; anything else falls back to DL4J's op.
 */
class FastAdamUpdater extends AdamUpdater {
    private static final int BLOCK = 4096;

    FastAdamUpdater(Adam config) {
        super(config);
    }

    @Override
    public void applyUpdater(INDArray gradient, int iteration, int epoch) {
        INDArray m = getM();
        INDArray v = getV();
        if (m == null || v == null) {
            throw new IllegalStateException("Updater has not been initialized with view state");
        }
        if (!FloatBlocks.contiguous(gradient) || !FloatBlocks.contiguous(m) || !FloatBlocks.contiguous(v)
                || !sameLayout(gradient, m) || !sameLayout(gradient, v)) {
            super.applyUpdater(gradient, iteration, epoch);
            return;
        }
        Adam c = getConfig();
        float beta1 = (float) c.getBeta1();
        float beta2 = (float) c.getBeta2();
        float epsilon = (float) c.getEpsilon();
        float alphaT = alpha(c, iteration, epoch);
        FloatBuffer g = gradient.data().asNioFloat();
        FloatBuffer mb = m.data().asNioFloat();
        FloatBuffer vb = v.data().asNioFloat();
        int go = (int) gradient.offset();
        int mo = (int) m.offset();
        int vo = (int) v.offset();
        FloatBlocks.forEach((int) gradient.length(), BLOCK, 3, (start, len, scratch) -> {
            float[] gs = scratch[0];
            float[] ms = scratch[1];
            float[] vs = scratch[2];
            g.get(go + start, gs, 0, len);
            mb.get(mo + start, ms, 0, len);
            vb.get(vo + start, vs, 0, len);
            step(gs, ms, vs, len, beta1, beta2, epsilon, alphaT);
            g.put(go + start, gs, 0, len);
            mb.put(mo + start, ms, 0, len);
            vb.put(vo + start, vs, 0, len);
        });
    }

    /** Adam's step size at this iteration, {@code rate sqrt(1 - beta2^t) / (1 - beta1^t)}, {@code t = iteration + 1}. */
    static float alpha(Adam c, int iteration, int epoch) {
        float beta1 = (float) c.getBeta1();
        float beta2 = (float) c.getBeta2();
        float rate = (float) c.getLearningRate(iteration, epoch);
        float beta1T = (float) Math.pow(beta1, iteration + 1);
        float beta2T = (float) Math.pow(beta2, iteration + 1);
        float alpha = rate * (float) Math.sqrt(1f - beta2T) / (1f - beta1T);
        if (Float.isNaN(alpha) || Float.isInfinite(alpha) || alpha == 0f) {
            alpha = (float) c.getEpsilon(); // as libnd4j
        }
        return alpha;
    }

    /** One Adam step on {@code len} elements: updates the moments and replaces the gradient by the update. */
    static void step(float[] g, float[] m, float[] v, int len, float beta1, float beta2, float epsilon, float alpha) {
        float oneMinusBeta1 = 1f - beta1;
        float oneMinusBeta2 = 1f - beta2;
        for (int i = 0; i < len; i++) {
            float gi = g[i];
            float mi = beta1 * m[i] + gi * oneMinusBeta1;
            float vi = beta2 * v[i] + gi * gi * oneMinusBeta2;
            m[i] = mi;
            v[i] = vi;
            g[i] = mi * alpha / ((float) Math.sqrt(vi) + epsilon);
        }
    }

    /** Element i of one is element i of the other when both are read in memory order. */
    private static boolean sameLayout(INDArray a, INDArray b) {
        if (a.length() != b.length()) {
            return false;
        }
        return (a.isVector() && b.isVector()) || (a.ordering() == b.ordering() && java.util.Arrays.equals(a.shape(), b.shape()));
    }
}
