package fashion.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

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

    @Test
    void onOffSettingsTakeTheUsualWordsAndAMisspeltOneIsAnErrorSayingWhatToWrite() {
        for (String on : new String[] {"1", "true", "TRUE", " on ", "Yes"}) {
            assertTrue(Engine.parseFlag("FASHION_X", on, false), on);
        }
        for (String off : new String[] {"0", "false", "False", "off ", "NO"}) {
            assertFalse(Engine.parseFlag("FASHION_X", off, true), off);
        }
        assertTrue(Engine.parseFlag("FASHION_X", null, true));
        assertFalse(Engine.parseFlag("FASHION_X", "  ", false));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Engine.parseFlag("FASHION_X", "flase", true));
        assertTrue(e.getMessage().startsWith("FASHION_X=flase is not an on/off setting"), e.getMessage());
        assertTrue(e.getMessage().contains("FASHION_X=1") && e.getMessage().contains("FASHION_X=0")
                && e.getMessage().contains("default (on)"), e.getMessage());
    }

    @Test
    void aSystemPropertyOverridesTheEnvironmentAndABlankOneDoesNot() {
        String name = "fashion.engineTest.flag";
        try {
            assertTrue(Engine.flag(name, null, true), "unset: the fallback");
            System.setProperty(name, "off");
            assertFalse(Engine.flag(name, "PATH", true), "the property, not the variable (PATH is no switch)");
            System.setProperty(name, " ");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Engine.flag(name, "PATH", true));
            assertTrue(e.getMessage().startsWith("PATH="), "a blank property falls through to the variable: " + e.getMessage());
            System.setProperty(name, "maybe");
            e = assertThrows(IllegalArgumentException.class, () -> Engine.flag(name, "PATH", true));
            assertTrue(e.getMessage().startsWith("-D" + name + "=maybe is not an on/off setting"), e.getMessage());
        } finally {
            System.clearProperty(name);
        }
    }

    /** The project's switches as a fresh JVM reads them from its environment. */
    public static final class ReadSwitches {
        public static void main(String[] args) {
            System.out.println("init=" + attempt(() -> {
                Engine.init();
                return true;
            }));
            System.out.println("provenance.reproducible=" + Engine.provenance().get("reproducible"));
            System.out.println("quick=" + attempt(fashion.data.QuickMode::enabled));
            System.out.println("denseStep=" + attempt(fashion.models.fastdense.DenseTrainingStep::enabled));
            System.out.println("reproducible=" + attempt(Engine::reproducible));
        }

        private static String attempt(java.util.function.BooleanSupplier s) {
            try {
                return String.valueOf(s.getAsBoolean());
            } catch (IllegalArgumentException e) {
                return "error: " + e.getMessage();
            }
        }
    }

    @Test
    void theEnvironmentsSwitchesAreReadTheSameWayEverywhere() throws Exception {
        String out = ChildJvm.run(ReadSwitches.class, List.of("-Dfashion.denseStep=on"),
                Map.of("FASHION_QUICK", "Yes", "FASHION_DENSE_STEP", "0", "FASHION_REPRODUCIBLE", "ture"));
        assertTrue(out.contains("quick=true"), out);
        assertTrue(out.contains("denseStep=true"), "the property wins over the variable: " + out);
        assertTrue(out.contains("reproducible=error: FASHION_REPRODUCIBLE=ture is not an on/off setting"), out);
        // found when the engine starts (the data's load, the first model), before anything is trained, with what to do
        assertTrue(out.contains("init=error: FASHION_REPRODUCIBLE=ture is not an on/off setting")
                && out.contains("restart the kernel"), out);
        // and a run trained anyway (Engine.setReproducible, say) still records its provenance instead of failing
        assertTrue(out.contains("provenance.reproducible=invalid setting (FASHION_REPRODUCIBLE=ture"), out);
        out = ChildJvm.run(ReadSwitches.class, List.of(), Map.of("FASHION_QUICK", "typo", "FASHION_DENSE_STEP", "off",
                "FASHION_REPRODUCIBLE", "1"));
        assertTrue(out.contains("quick=error: FASHION_QUICK=typo is not an on/off setting"), out);
        assertTrue(out.contains("init=error: FASHION_QUICK=typo"), out);
        assertTrue(out.contains("denseStep=false") && out.contains("reproducible=true"), out);
    }
}
