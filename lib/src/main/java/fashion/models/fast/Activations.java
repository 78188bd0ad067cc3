package fashion.models.fast;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;

import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import fashion.engine.Engine;
import fashion.engine.JavaParallel;

/**
 * Activation functions for the project's fast layers, which keep the pre-activation {@code z} of the forward pass
 * for back-propagation. ReLU, the activation of the seed and of most studies, runs as a Java loop split over the
 * cores: libnd4j's single-threaded {@code relu} and {@code relu_bp} took about 7 ms a step for the best-model
 * network's 1.1 million convolution outputs (a tenth of its step), and DL4J's in-place activation needed a copy of
 * {@code z} first. With the JDK's vector API the loops run on whole vectors ({@link VectorRelu}; the same bits): on a
 * half minibatch of the seed CNN's first layer (62,720 floats, one core, 2026-12-01) the backward pass went from 56-60
 * to 13-15 us, the forward pass into an existing array takes about 11 us. Any other activation uses DL4J's
 * implementation.
 */
public final class Activations {
    private static final int BLOCK = 8192;
    private static final IActivation PLAIN_RELU = new ActivationReLU();

    private Activations() {
    }

    /** {@code afn(z)} as a new array in the activations workspace; {@code z} is left unchanged. */
    public static INDArray activateCopy(IActivation afn, INDArray z, LayerWorkspaceMgr workspaceMgr) {
        if (PLAIN_RELU.equals(afn) && plain(z)) {
            INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, z.shape(), z.ordering());
            if (plain(out) && out.ordering() == z.ordering()) {
                if (vectorized(z, out)) {
                    ByteBuffer in = FloatBlocks.nativeBytes(z);
                    ByteBuffer o = FloatBlocks.nativeBytes(out);
                    int zo = (int) z.offset();
                    int oo = (int) out.offset();
                    forEachBlock((int) z.length(), (start, len) -> VectorRelu.forward(in, zo + start, o, oo + start, len));
                    java.lang.ref.Reference.reachabilityFence(z); // the bytes do not keep z's memory alive
                    return out;
                }
                FloatBuffer in = z.data().asNioFloat();
                FloatBuffer o = out.data().asNioFloat();
                int zo = (int) z.offset();
                int oo = (int) out.offset();
                FloatBlocks.forEach((int) z.length(), BLOCK, 1, (start, len, scratch) -> {
                    float[] v = scratch[0];
                    in.get(zo + start, v, 0, len);
                    for (int i = 0; i < len; i++) {
                        v[i] = v[i] < 0f ? 0f : v[i]; // NaN stays NaN, as in libnd4j (training then stops as diverged)
                    }
                    o.put(oo + start, v, 0, len);
                });
                return out;
            }
        }
        return afn.getActivation(workspaceMgr.dup(ArrayType.ACTIVATIONS, z), true);
    }

    /**
     * The gradient with respect to {@code z} given the gradient {@code epsilon} with respect to {@code afn(z)}; may
     * overwrite and return {@code z} (as DL4J's activation functions do).
     */
    public static INDArray backprop(IActivation afn, INDArray z, INDArray epsilon) {
        if (PLAIN_RELU.equals(afn) && plain(z) && plain(epsilon) && epsilon.ordering() == z.ordering()
                && Arrays.equals(z.shape(), epsilon.shape())) {
            if (vectorized(z, epsilon)) {
                ByteBuffer zb = FloatBlocks.nativeBytes(z);
                ByteBuffer eb = FloatBlocks.nativeBytes(epsilon);
                int zo = (int) z.offset();
                int eo = (int) epsilon.offset();
                forEachBlock((int) z.length(), (start, len) -> VectorRelu.backward(zb, zo + start, eb, eo + start, len));
                java.lang.ref.Reference.reachabilityFence(epsilon); // the bytes do not keep its memory alive
                return z;
            }
            FloatBuffer zb = z.data().asNioFloat();
            FloatBuffer eb = epsilon.data().asNioFloat();
            int zo = (int) z.offset();
            int eo = (int) epsilon.offset();
            FloatBlocks.forEach((int) z.length(), BLOCK, 2, (start, len, scratch) -> {
                float[] zv = scratch[0];
                float[] ev = scratch[1];
                zb.get(zo + start, zv, 0, len);
                eb.get(eo + start, ev, 0, len);
                for (int i = 0; i < len; i++) {
                    zv[i] = zv[i] > 0f ? ev[i] : 0f;
                }
                zb.put(zo + start, zv, 0, len);
            });
            return z;
        }
        return afn.backprop(z, epsilon).getFirst();
    }

    /** Both arrays addressable in bytes with an int, and the vector API present: the {@link VectorRelu} loops. */
    private static boolean vectorized(INDArray a, INDArray b) {
        return Engine.vectorApi() && FloatBlocks.byteAddressable(a) && FloatBlocks.byteAddressable(b);
    }

    private interface Span {
        void run(int start, int len);
    }

    /** {@code body} for consecutive blocks of {@link #BLOCK} elements covering {@code [0, n)}, split over the cores. */
    private static void forEachBlock(int n, Span body) {
        JavaParallel.forRange(FloatBlocks.count(n, BLOCK), BLOCK, (from, to) -> {
            int start = from * BLOCK;
            body.run(start, Math.min(n, to * BLOCK) - start);
        });
    }

    private static final WarmUp.Once WARM_UP = new WarmUp.Once();

    /**
     * Once per JVM ({@code fashion.models.KernelWarmUp} calls it): has the JIT compile the vector ReLU on a scratch
     * block (see {@link WarmUp}). Returns the seconds it took (0 without the vector API, and on later calls).
     */
    public static double compileKernels() {
        return WARM_UP.run(() -> Engine.vectorApi() ? VectorRelu.warmUp(3.0) : 0);
    }

    /** Seconds {@link #compileKernels} took in this JVM (-1: not run yet). */
    public static double kernelWarmUpSeconds() {
        return WARM_UP.seconds();
    }

    /** A non-empty float array the Java loops can read in place. */
    private static boolean plain(INDArray a) {
        return a.length() > 0 && FloatBlocks.contiguous(a);
    }
}
