package fashion.models;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import fashion.engine.ChildJvm;
import fashion.models.fastconv.FastConvolutionLayer;
import fashion.models.fastupdate.FusedUpdate;

/**
 * The background JIT warm-up: a dense model's wait returns with the update's and the ReLU's kernels compiled and the
 * convolutions' part skipped for good; a convolutional model's wait returns with all compiled, whether the background
 * thread did them or not; a dense model built while the DFT part runs waits for it to end (so it never shares the
 * cores with training). Each case in a fresh JVM (the warm-up runs once per JVM).
 */
class KernelWarmUpTest {

    public static void main(String[] args) throws Exception {
        switch (args.length == 0 ? System.getProperty("case") : args[0]) {
            case "dense-then-cnn" -> {
                KernelWarmUp.await(false); // as when a dense model is built right after the data loaded
                print("after dense");
                warmUpThread().join(60_000);
                print("after the warm-up thread ended");
                KernelWarmUp.await(true);
                print("after cnn");
            }
            case "background" -> {
                KernelWarmUp.start(); // as FashionMnist.load does
                warmUpThread().join(60_000);
                print("background done");
                KernelWarmUp.await(true);
                print("after cnn");
            }
            case "dense-while-convolutions-run" -> {
                KernelWarmUp.start();
                Thread t = warmUpThread();
                long deadline = System.nanoTime() + 60_000_000_000L;
                while (!inConvolutionWarmUp(t) && t.isAlive() && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                System.out.println("seen in the convolutions' warm-up: " + inConvolutionWarmUp(t));
                KernelWarmUp.await(false); // a dense model built while the DFT warm-up runs
                System.out.println("after dense, still in the convolutions' warm-up: " + inConvolutionWarmUp(t));
            }
            default -> throw new IllegalArgumentException("no case " + args[0]);
        }
    }

    /** Whether {@code t} is running the DFT kernels' warm-up (read from its stack, without taking any lock). */
    private static boolean inConvolutionWarmUp(Thread t) {
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().endsWith("SpectralProducts")) {
                return true;
            }
        }
        return false;
    }

    private static Thread warmUpThread() {
        Thread t = KernelWarmUp.thread();
        if (t == null || !t.getName().equals("fashion-jit-warm-up") || !t.isDaemon()) {
            throw new AssertionError("no daemon warm-up thread: " + t);
        }
        return t;
    }

    private static void print(String when) {
        System.out.printf(java.util.Locale.ROOT, "%s: update=%s relu=%s convolutions=%s%n", when,
                FusedUpdate.kernelWarmUpSeconds() >= 0 ? "done" : "not-run",
                fashion.models.fast.Activations.kernelWarmUpSeconds() >= 0 ? "done" : "not-run",
                FastConvolutionLayer.kernelWarmUpSeconds() >= 0 ? "done" : "not-run");
    }

    private static String child(String which) throws Exception {
        return ChildJvm.run(KernelWarmUpTest.class, List.of("--add-modules", "jdk.incubator.vector", "-Dcase=" + which),
                Map.of());
    }

    @Test
    void aDenseModelWaitsForTheUpdateAndSkipsTheConvolutionsUntilACnnNeedsThem() throws Exception {
        String text = child("dense-then-cnn");
        assertTrue(text.contains("after dense: update=done relu=done convolutions=not-run"), ChildJvm.tail(text, 10));
        assertTrue(text.contains("after the warm-up thread ended: update=done relu=done convolutions=not-run"),
                ChildJvm.tail(text, 10));
        assertTrue(text.contains("after cnn: update=done relu=done convolutions=done"), ChildJvm.tail(text, 10));
    }

    @Test
    void aDenseModelBuiltWhileTheConvolutionsWarmUpWaitsForItToEnd() throws Exception {
        String text = child("dense-while-convolutions-run");
        assertTrue(text.contains("seen in the convolutions' warm-up: true"), ChildJvm.tail(text, 10));
        assertTrue(text.contains("after dense, still in the convolutions' warm-up: false"), ChildJvm.tail(text, 10));
    }

    @Test
    void theBackgroundThreadCompilesBothKernelsBeforeAnyModelIsBuilt() throws Exception {
        String text = child("background");
        assertTrue(text.contains("background done: update=done relu=done convolutions=done"), ChildJvm.tail(text, 10));
        assertTrue(text.contains("after cnn: update=done relu=done convolutions=done"), ChildJvm.tail(text, 10));
    }
}
