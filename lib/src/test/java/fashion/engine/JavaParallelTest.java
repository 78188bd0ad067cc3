package fashion.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicIntegerArray;

import org.junit.jupiter.api.Test;

class JavaParallelTest {

    @Test
    void everyItemRunsExactlyOnce() {
        for (int n : new int[] {1, 2, 3, 1000, 100_001}) {
            AtomicIntegerArray seen = new AtomicIntegerArray(n);
            JavaParallel.forRange(n, 1 << 16, (from, to) -> {
                for (int i = from; i < to; i++) {
                    seen.incrementAndGet(i);
                }
            });
            for (int i = 0; i < n; i++) {
                assertEquals(1, seen.get(i), "item " + i + " of " + n);
            }
        }
    }

    @Test
    void aFailureInAnyShareReachesTheCallerAfterAllSharesFinished() {
        int n = 64;
        AtomicIntegerArray done = new AtomicIntegerArray(n);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> JavaParallel.forRange(n, 1 << 16, (from, to) -> {
            for (int i = from; i < to; i++) {
                done.incrementAndGet(i);
            }
            if (to == n) {
                throw new IllegalStateException("last share failed");
            }
        }));
        assertEquals("last share failed", e.getMessage());
        for (int i = 0; i < n; i++) {
            assertEquals(1, done.get(i), "item " + i);
        }
    }

    @Test
    void splitRunsBothHalvesAndRethrowsTheFirstHalfsFailureFirst() {
        AtomicIntegerArray ran = new AtomicIntegerArray(2);
        Engine.split(() -> ran.incrementAndGet(0), () -> ran.incrementAndGet(1));
        assertEquals(1, ran.get(0));
        assertEquals(1, ran.get(1));
        RuntimeException e = assertThrows(RuntimeException.class, () -> Engine.split(() -> {
            throw new IllegalArgumentException("first");
        }, () -> {
            throw new IllegalStateException("second");
        }));
        assertTrue(e instanceof IllegalArgumentException, e.toString());
    }
}
