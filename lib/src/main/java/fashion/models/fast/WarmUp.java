package fashion.models.fast;

import java.util.Locale;

/**
 * Runs a vector-API kernel on scratch data until the JIT has compiled it for calls. Until then the vector API's
 * operations run as its Java fallback, which allocates an object per operation: 50-100 ns per float element against
 * well under 1 ns compiled (2026-12-01, AVX-512 host). A fixed number of calls does not ensure it: HotSpot soon compiles
 * a hot loop alone (on-stack replacement) and compiles the method for calls only thousands of calls later, when its
 * queue of other compilations allows, which could then fall in the first training steps.
 */
public final class WarmUp {
    private WarmUp() {
    }

    /**
     * A warm-up run at most once per JVM, which remembers how long it took. Both methods are synchronized: a thread
     * that asks while another runs the warm-up waits for it to end (what {@code fashion.models.KernelWarmUp} relies on).
     */
    public static final class Once {
        private double seconds = -1;

        /** Runs {@code warmUp} (which returns its seconds) unless it ran before; returns its seconds, 0 on later calls. */
        public synchronized double run(java.util.function.DoubleSupplier warmUp) {
            if (seconds >= 0) {
                return 0;
            }
            seconds = warmUp.getAsDouble();
            return seconds;
        }

        /** Seconds the warm-up took (-1: not run yet); waits while it runs. */
        public synchronized double seconds() {
            return seconds;
        }
    }

    /**
     * A time per element measured with 512-bit vectors (the 2026-12-01 AVX-512 host) scaled to a host whose vectors
     * have {@code vectorBits} bits: twice as long with AVX2's 256, and so on.
     */
    public static double scaledToVectorWidth(double nanosAt512Bits, int vectorBits) {
        return nanosAt512Bits * 512.0 / Math.max(64, vectorBits);
    }

    /**
     * {@code count} zero-filled float arrays of {@code len} elements in ND4J's own buffers, as in training (a different
     * buffer class would make the JIT compile the kernels again). Their {@linkplain FloatBlocks#nativeBytes bytes} do
     * not keep them alive: keep the arrays reachable (see {@link java.lang.ref.Reference#reachabilityFence}) while the
     * bytes are used.
     */
    public static org.nd4j.linalg.api.ndarray.INDArray[] scratch(int count, int len) {
        org.nd4j.linalg.api.ndarray.INDArray[] arrays = new org.nd4j.linalg.api.ndarray.INDArray[count];
        for (int a = 0; a < count; a++) {
            arrays[a] = org.nd4j.linalg.factory.Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, len);
        }
        return arrays;
    }

    /**
     * Calls {@code batch} (which processes {@code elementsPerBatch} float elements) until it runs faster than {@code
     * fastNanosPerElement} five times in a row, or {@code maxSeconds} have passed. Returns the seconds it took. With
     * {@code -Dfashion.warmUp.trace=true} prints each batch's time per element, labelled {@code what}. (A threshold
     * relative to the slowest batch does not work: the first, interpreted batch is about 10 times slower than the
     * rest of the fallback, and a tenth of it is already the speed of the loop compiled alone, 4-7 ns per element.)
     */
    public static double untilCompiled(String what, Runnable batch, long elementsPerBatch, double fastNanosPerElement,
            double maxSeconds) {
        long t0 = System.nanoTime();
        long deadline = t0 + (long) (maxSeconds * 1e9);
        boolean trace = Boolean.getBoolean("fashion.warmUp.trace");
        int fastBatches = 0;
        while (fastBatches < 5 && System.nanoTime() < deadline) {
            long b0 = System.nanoTime();
            batch.run();
            double perElement = (System.nanoTime() - b0) / (double) elementsPerBatch;
            fastBatches = perElement < fastNanosPerElement ? fastBatches + 1 : 0;
            if (trace) {
                System.out.printf(Locale.ROOT, "%s warm-up %.3f s: %.2f ns per element%n", what,
                        (System.nanoTime() - t0) / 1e9, perElement);
            }
        }
        return (System.nanoTime() - t0) / 1e9;
    }
}
