package fashion.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class EngineTest {

    @Test
    void openBlasUsesAllCoresOnlyInsideParallelAndNestedCallsKeepThemUntilTheOutermostEnds() {
        int all = Engine.threads();
        assertEquals(1, Engine.blasThreads(), "outside parallel: one OpenBLAS thread (no spinning workers)");
        int[] seen = new int[3];
        Engine.parallel(() -> {
            seen[0] = Engine.blasThreads();
            Engine.parallel(() -> seen[1] = Engine.blasThreads());
            seen[2] = Engine.blasThreads();
        });
        assertEquals(all, seen[0]);
        assertEquals(all, seen[1]);
        assertEquals(all, seen[2], "the inner call must not drop the outer call's cores");
        assertEquals(1, Engine.blasThreads());
    }

    @Test
    void aFailingParallelBlockStillRestoresOneThread() {
        assertThrows(IllegalStateException.class, () -> Engine.parallel(() -> {
            throw new IllegalStateException("boom");
        }));
        assertEquals(1, Engine.blasThreads());
        int[] seen = new int[1];
        Engine.parallel(() -> seen[0] = Engine.blasThreads());
        assertEquals(Engine.threads(), seen[0], "the depth counter must be back at zero after a failure");
    }
}
