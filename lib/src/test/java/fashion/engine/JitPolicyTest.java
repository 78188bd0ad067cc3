package fashion.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The JIT policy as the JVM carries it out: run in a child JVM with {@code -XX:+PrintCompilation}, which lists every
 * method HotSpot compiles and at which tier (4: the optimizing compiler C2).
 */
class JitPolicyTest {

    /** Child process: makes ND4J's Java code hot (element reads, array creation, a native op) and prints the policy. */
    public static void main(String[] args) {
        Engine.init();
        float[] values = new float[1000];
        for (int i = 0; i < values.length; i++) {
            values[i] = i * 0.001f;
        }
        INDArray a = Nd4j.createFromArray(values);
        double sum = 0;
        for (int round = 0; round < 400; round++) {
            for (int i = 0; i < 1000; i++) {
                sum += element(a, i);
            }
            INDArray b = Nd4j.create(DataType.FLOAT, 10, 10).addi(round);
            sum += b.sumNumber().doubleValue();
        }
        System.out.println("sum=" + sum);
        System.out.println("policy: " + JitPolicy.describe());
    }

    /** A method of the project's own (hot, so compiled by C2) that calls a small ND4J method C2 would inline. */
    private static float element(INDArray a, int i) {
        return a.getFloat(i);
    }

    /** The lines of {@code -XX:+PrintInlining} where C2 ("inline (hot)") inlined a library method into another. */
    private static List<String> inlinedLibraryMethods(String printed) {
        Pattern hot = Pattern.compile("@ \\d+\\s+((org\\.nd4j|org\\.deeplearning4j|org\\.bytedeco)\\.\\S+).*inline \\(hot\\)");
        List<String> found = new ArrayList<>();
        for (String line : printed.split("\n")) {
            Matcher m = hot.matcher(line);
            if (m.find()) {
                found.add(m.group(1));
            }
        }
        return found;
    }

    /** The lines of {@code -XX:+PrintCompilation} for methods C2 compiled (tier 4) in the given packages. */
    private static List<String> optimizedLibraryMethods(String printed) {
        Pattern tier4 = Pattern.compile("^\\s*\\d+\\s+\\d+\\s+[%sbn! ]*\\s4\\s+((org\\.nd4j|org\\.deeplearning4j|org\\.bytedeco)"
                + "\\.\\S+)");
        List<String> found = new ArrayList<>();
        for (String line : printed.split("\n")) {
            Matcher m = tier4.matcher(line);
            if (m.find() && !line.contains("made not")) {
                found.add(m.group(1));
            }
        }
        return found;
    }

    /**
     * Runs {@link #main} in a child JVM with {@code -XX:+PrintCompilation} and the given options (the environment's
     * {@code FASHION_JIT} removed: the options decide); returns its output. {@code -Xbatch} makes compilations
     * synchronous, so every compilation the run asks for is printed before it ends.
     */
    private static String runChild(String... jvmOptions) throws Exception {
        List<String> options = new ArrayList<>(List.of("-XX:+PrintCompilation", "-XX:+UnlockDiagnosticVMOptions",
                "-XX:+PrintInlining"));
        options.addAll(List.of(jvmOptions));
        Map<String, String> environment = new HashMap<>();
        environment.put("FASHION_JIT", null);
        return ChildJvm.run(JitPolicyTest.class, options, environment);
    }

    private static String tail(String text) {
        return ChildJvm.tail(text, 15);
    }

    @Test
    void theLibrariesJavaCodeIsNeitherCompiledNorInlinedByC2AndTurningThePolicyOffRestoresIt() throws Exception {
        String withPolicy = runChild("-Xbatch");
        assertTrue(withPolicy.contains("policy: C1 only, not inlined by C2, for ND4J, Deeplearning4j and JavaCPP code"), () -> tail(withPolicy));
        assertTrue(withPolicy.contains("excluded by CompileCommand"),
                () -> "HotSpot reports the methods it kept off C2: " + tail(withPolicy));
        assertEquals(List.of(), optimizedLibraryMethods(withPolicy));
        assertEquals(List.of(), inlinedLibraryMethods(withPolicy).stream().distinct().limit(10).toList());
        assertTrue(withPolicy.contains("getFloat (7 bytes)   disallowed by CompileCommand"),
                () -> "C2 compiled element(...) without inlining ND4J's getFloat: " + tail(withPolicy));

        // the same work with the policy off: the probe is hot enough for C2 to take library methods
        String without = runChild("-Xbatch", "-Dfashion.jit=default");
        assertTrue(without.contains("policy: the JVM's default (fashion.jit=default)"), () -> tail(without));
        assertFalse(optimizedLibraryMethods(without).isEmpty(), "with HotSpot's default policy C2 compiles ND4J code");
        assertTrue(inlinedLibraryMethods(without).contains("org.nd4j.linalg.api.ndarray.BaseNDArray::getFloat"),
                () -> "with HotSpot's default policy C2 inlines ND4J's getFloat: " + inlinedLibraryMethods(without));
    }

    @Test
    void withoutTieredCompilationThePolicyIsNotAppliedSinceC1CouldNotTakeTheLibraries() throws Exception {
        String text = runChild("-XX:-TieredCompilation");
        assertTrue(text.contains("policy: the JVM's default (no tiered compilation"), () -> tail(text));
        assertFalse(text.contains("excluded by CompileCommand"), () -> tail(text));
    }

    @Test
    void theEngineDescriptionNamesThePolicyInForce() {
        Engine.init();
        // this test runs in the build's own JVM: a developer may have turned the policy off (FASHION_JIT=default)
        String off = JitPolicy.offSetting();
        if (off != null) {
            assertFalse(JitPolicy.applied(), JitPolicy.describe());
            assertTrue(Engine.describe().contains("JIT: the JVM's default (fashion.jit=" + off + ")"),
                    Engine.describe());
            return;
        }
        assertTrue(JitPolicy.applied(), JitPolicy.describe());
        assertTrue(Engine.describe().contains("JIT: C1 only, not inlined by C2, for ND4J, Deeplearning4j and JavaCPP code"), Engine.describe());
    }
}
