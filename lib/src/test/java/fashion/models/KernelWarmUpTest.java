package fashion.models;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import fashion.engine.ChildJvm;
import fashion.models.fastconv.FastConvolutionLayer;
import fashion.models.fastupdate.FusedUpdate;

/**
 * The background JIT warm-up: a dense model waits for the update's kernels and skips the convolutions' part; a
 * convolutional model gets both; a warm-up finished in the background is not done again. Each case in a fresh JVM
 * (the warm-up runs once per JVM).
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
            default -> throw new IllegalArgumentException("no case " + args[0]);
        }
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
    void theBackgroundThreadCompilesBothKernelsBeforeAnyModelIsBuilt() throws Exception {
        String text = child("background");
        assertTrue(text.contains("background done: update=done relu=done convolutions=done"), ChildJvm.tail(text, 10));
        assertTrue(text.contains("after cnn: update=done relu=done convolutions=done"), ChildJvm.tail(text, 10));
    }
}
