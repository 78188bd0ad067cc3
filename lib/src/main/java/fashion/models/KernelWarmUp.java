package fashion.models;

import fashion.engine.Engine;
import fashion.models.fast.Activations;
import fashion.models.fastconv.FastConvolutionLayer;
import fashion.models.fastupdate.FusedUpdate;

/**
 * The JIT warm-up of the training kernels written with the JDK's vector API (the fused Adam update, {@code
 * FusedUpdate.compileKernels}, and the ReLU, {@code Activations.compileKernels}; then the DFT convolutions' spectral
 * products, {@code FastConvolutionLayer.compileKernels}),
 * run once per JVM on a background thread while the student looks at the data, instead of during the first training
 * steps. Until the JIT has compiled them these kernels run as the vector API's slow Java fallback: 3 to 6 times slower
 * steps for the first hundred or so steps of a network (2026-12-01).
 *
 * <p>{@code FashionMnist.load} {@linkplain #start() starts} it when the data is in memory; the model factories
 * {@linkplain #await(boolean) wait} for what is left of it before returning a network, so that the first epoch neither
 * runs the fallback nor shares the cores with the warm-up; it took 0.5-1.7 s of one core on the 2026-12-01 AVX-512
 * host. A network without convolutions does not wait for the convolutions' part, which is then skipped unless it is
 * already under way. Nothing it computes is kept (scratch buffers).
 */
public final class KernelWarmUp {
    private static Thread thread;
    /** Guards the convolutions' part: taken by the warm-up thread for it, and by a dense model's wait to skip it. */
    private static final Object CONVOLUTIONS = new Object();
    private static boolean skipConvolutions;
    private static volatile double lastWaitSeconds = -1;

    private KernelWarmUp() {
    }

    /** Starts the warm-up on a daemon thread, once per JVM (later calls do nothing). */
    public static synchronized void start() {
        if (thread != null) {
            return;
        }
        thread = new Thread(() -> {
            Engine.init();
            FusedUpdate.compileKernels();
            Activations.compileKernels();
            synchronized (CONVOLUTIONS) {
                if (!skipConvolutions) {
                    FastConvolutionLayer.compileKernels();
                }
            }
        }, "fashion-jit-warm-up");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Starts the warm-up if it has not started, and returns once the update's and the ReLU's kernels (and, with {@code convolutions},
     * the DFT convolutions' kernels too) are compiled: waits for the background thread's work or does what it has not
     * begun on the calling thread. Without {@code convolutions}, also waits for a convolutions' warm-up already under
     * way (it would otherwise share the cores with training) and skips one not begun. Returns the seconds it took. A
     * failure of the warm-up is thrown (here or in the background thread's log).
     */
    public static double await(boolean convolutions) {
        start();
        long t0 = System.nanoTime();
        if (!convolutions) {
            synchronized (CONVOLUTIONS) {
                skipConvolutions = true;
            }
        }
        FusedUpdate.compileKernels(); // synchronized: waits for the background thread's, else does it
        Activations.compileKernels();
        if (convolutions) {
            FastConvolutionLayer.compileKernels();
        }
        double waited = (System.nanoTime() - t0) / 1e9;
        lastWaitSeconds = waited;
        return waited;
    }

    /** The warm-up thread (null before {@link #start}), for tests. */
    static synchronized Thread thread() {
        return thread;
    }

    /** Seconds the last {@link #await} took (-1: none yet), for the benchmark's report. */
    public static double lastWaitSeconds() {
        return lastWaitSeconds;
    }
}
