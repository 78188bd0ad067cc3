package fashion.engine;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * The just-in-time compilation policy this library sets for its JVM: the Java code of ND4J, Deeplearning4j and
 * JavaCPP (the glue around each native operation of a training step) is compiled by HotSpot's quick compiler (C1)
 * only, never by its optimizing compiler (C2), and C2 does not inline it into the methods it does compile (the
 * project's own layers and kernels, and the JDK), which call it instead.
 *
 * <p>Why: on a 2-core machine the single C2 compiler thread takes a core away from training while it works, and
 * training waits for it: a network's first epoch was 15-40% slower than its second while the JIT compiled. Compiled by
 * C2 the glue runs no faster per step, yet it was most of C2's work: first as methods of its own (hundreds, each called
 * a few times per step), then inlined into the project's layer methods, each of whose C2 compilations took in 5-9 KB of
 * library bytecode (array shapes, data buffers, workspaces, and through them hash maps and secure random numbers) and
 * took 0.1-0.6 s. Measured 2026-12-01 (AMD EPYC, avx512f/avx2/fma, 2 cores), the seed CNN alone for 2 epochs: C2
 * compiled for 8.4 s during the first epoch with library methods kept out of C2 but inlined, 2.9 s with neither, and
 * the second epoch took the same (18.1 s). Earlier the same day, the seed CNN trained after the seed dense model in one
 * JVM (as {@code environment/bench} does), seconds per epoch for epochs 1, 2, 3: 20.0, 16.0, 15.6 with HotSpot's
 * default policy; 17.6, 15.9, 15.9 with the first half of this one (identical runs on that host differ by up to 2 s).
 * See {@code docs/performance.md}. The JDK's internal copy of ASM (which writes the classes of lambdas and proxies) is
 * kept to C1 too: its {@code Frame.execute}, made hot by start-up's class generation, took 0.33 s of C2 during the
 * seed dense model's first 100 steps (2026-12-01).
 *
 * <p>Applied once per JVM, by {@link Engine#init()}, through HotSpot's diagnostic command
 * {@code Compiler.directives_add} (what {@code jcmd PID Compiler.directives_add FILE} does, so no JVM option is needed).
 * It applies only to methods compiled afterwards. Turned off with {@code -Dfashion.jit=default} (or {@code off},
 * {@code false}, {@code 0}) or the environment variable {@code FASHION_JIT}. Not applied, and the JVM's own policy kept,
 * when C1 cannot take over (HotSpot run with {@code -XX:-TieredCompilation} or {@code -XX:CompilationMode=high-only}:
 * the libraries would then stay interpreted) and on a JVM without that command (not HotSpot); {@link #describe()} says
 * which.
 */
public final class JitPolicy {
    /**
     * HotSpot compiler directives (JSON with unquoted keys): packages whose methods C2 must not compile, and (for every
     * other method C2 compiles) must not inline.
     */
    static final String DIRECTIVES = "[{ match: [\"org/nd4j/*.*\", \"org/deeplearning4j/*.*\", \"org/bytedeco/*.*\","
            + " \"jdk/internal/org/objectweb/asm/*.*\"],"
            + " c2: { Exclude: true } },"
            + " { match: \"*.*\", c2: { inline: [\"-org/nd4j/*.*\", \"-org/deeplearning4j/*.*\", \"-org/bytedeco/*.*\"] } }]";

    private static String status = "the JVM's default (not applied yet)";
    private static boolean applied;
    private static boolean attempted;

    private JitPolicy() {
    }

    /**
     * Adds the directives to this JVM's compiler, once (later calls do nothing). Returns true when they are in force.
     * Throws no exception: on any failure the JVM keeps its default policy and {@link #describe()} gives the reason.
     */
    static synchronized boolean apply() {
        if (attempted) {
            return applied;
        }
        attempted = true;
        String off = offSetting();
        if (off != null) {
            status = "the JVM's default (fashion.jit=" + off + ")";
            return false;
        }
        String mode = vmOption("CompilationMode");
        if ("false".equals(vmOption("TieredCompilation")) || (mode != null && mode.startsWith("high-only"))) {
            status = "the JVM's default (no tiered compilation, so C1 could not take the libraries' code)";
            return false;
        }
        Path file = null;
        try {
            file = Files.createTempFile("fashion-jit-", ".json");
            Files.writeString(file, DIRECTIVES, StandardCharsets.UTF_8);
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName command = new ObjectName("com.sun.management:type=DiagnosticCommand");
            // the command's arguments are joined by spaces and parsed again: quote a path that has spaces
            String path = file.toString().indexOf(' ') >= 0 ? "\"" + file + "\"" : file.toString();
            Object out = server.invoke(command, "compilerDirectivesAdd", new Object[] {new String[] {path}},
                    new String[] {String[].class.getName()});
            String text = String.valueOf(out).trim();
            applied = text.contains("added") && !text.startsWith("0 ");
            status = applied ? "C1 only, not inlined by C2, for ND4J, Deeplearning4j and JavaCPP code"
                    : "the JVM's default (the compiler refused the directives: " + text + ")";
        } catch (IOException | JMException | RuntimeException | LinkageError e) {
            status = "the JVM's default (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")";
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    // a leftover temporary file of 150 bytes; nothing to do
                }
            }
        }
        return applied;
    }

    /**
     * The value of {@code -Dfashion.jit} (or else {@code FASHION_JIT}), trimmed, when it turns the policy off
     * ({@code default}, {@code off}, {@code false} or {@code 0}, in any case); null when the policy applies.
     */
    static String offSetting() {
        String setting = System.getProperty("fashion.jit", System.getenv("FASHION_JIT"));
        if (setting != null && java.util.Set.of("default", "off", "false", "0")
                .contains(setting.trim().toLowerCase(Locale.ROOT))) {
            return setting.trim();
        }
        return null;
    }

    /** A HotSpot option's value as text, or null when this JVM has no such option (or is not HotSpot). */
    private static String vmOption(String name) {
        try {
            return ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
                    .getVMOption(name).getValue();
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }

    /** True when the directives are in force in this JVM. */
    public static synchronized boolean applied() {
        return applied;
    }

    /** One phrase for {@link Engine#describe()}: the policy in force, or why the default one is. */
    public static synchronized String describe() {
        return status;
    }
}
