package fashion.bench;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BenchmarkTest {
    private static final String RESULT = "model=fc batch=32 samples=55000 threads=2 seconds_per_epoch=5.539 test_accuracy=0.8519";

    @Test
    void aRatioOnlyAgainstATorchOnAnOptimizedBlasAndOtherwiseHowToFixIt() {
        assertNull(Benchmark.blasRefusal(RESULT + " blas=/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 blas_kind=optimized"));
        String reference = Benchmark.blasRefusal(RESULT + " blas=/usr/lib/x86_64-linux-gnu/blas/libblas.so.3 blas_kind=reference");
        assertTrue(reference.startsWith("NO RATIO") && reference.contains("reference BLAS")
                && reference.contains("apt-get install libopenblas0-pthread"), reference);
        // the peer printed no BLAS line (Peers.runPytorch then appends unknown): no ratio either
        String unknown = Benchmark.blasRefusal(RESULT + " blas=unknown blas_kind=unknown");
        assertTrue(unknown.startsWith("NO RATIO") && unknown.contains("could not tell")
                && unknown.contains("FASHION_PEERS=1 environment/setup"), unknown);
    }
}
