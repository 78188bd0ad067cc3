package fashion.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Environment;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * One-time native set-up of ND4J for this JVM: data types and threading.
 * Every entry point of the library (data loading, model factories, training) calls {@link #init()}.
 *
 * <p>What it sets, and why (measured on the project's 2-core machine, batch 32; see
 * the Performance section of {@code README.md}):
 * <ul>
 * <li>float32 everywhere (the oneDNN kernels are float only).</li>
 * <li>OpenMP runs 1 thread for the many small operations of a training step (element-wise ops, reductions,
 * libnd4j's own loops): at batch 32, starting and
 * synchronising a second thread costs more than it saves, and much more when another process holds a core
 * (the seed's dense model: 31 s per epoch with 2 OpenMP threads, 14 s with 1).</li>
 * <li>OpenBLAS runs 1 thread too outside {@link #parallel(Runnable)}. OpenBLAS's own worker threads (pthreads, not
 * OpenMP) keep spinning in {@code sched_yield} for a while after every multi-threaded product; in a convolutional
 * training step that spinner took half of the second core away from oneDNN's OpenMP thread (perf: 27% of all CPU
 * samples in its yield loop; the seed CNN's step went from a median of 42.6 to 38.0 ms with OpenBLAS at 1 thread,
 * alternating A/B on real batches; the dense model's step did not change, 6.0 vs 6.3 ms, within noise).</li>
 * <li>Work that scales with cores runs inside {@link #parallel(Runnable)} with all {@link #threads()} cores (OpenMP
 * and OpenBLAS): the oneDNN convolutions of {@code FastConvolutionLayer} and the inference passes of evaluation.</li>
 * </ul>
 *
 * <p>Settings can be overridden (for experiments) with system properties or environment variables:
 * {@code fashion.threads} / {@code FASHION_THREADS} (cores for convolutions, default: available processors),
 * {@code fashion.smallOpThreads} / {@code FASHION_SMALL_OP_THREADS} (OpenMP threads for everything else, default
 * 1), {@code fashion.elementwiseThreshold} (elements below which an element-wise op stays on one thread),
 * {@code fashion.tadThreshold}. The JVM options the kernel and scripts should use are listed in
 * {@link #RECOMMENDED_JVM_OPTIONS}. {@link JitPolicy} (applied here too) keeps the libraries' Java glue on the JIT's quick
 * compiler, so the optimizing one spends the first epoch on the project's kernels.
 */
public final class Engine {
    /**
     * JVM options recommended for notebooks, scripts and the benchmark: heap and off-heap limits, and the JDK's vector
     * API, without which convolutions with large kernels run natively instead of through the DFT (slower).
     */
    public static final String RECOMMENDED_JVM_OPTIONS =
            "-Xms512m -Xmx2g -Dorg.bytedeco.javacpp.maxbytes=3G -Dorg.bytedeco.javacpp.maxphysicalbytes=5G"
                    + " --add-modules jdk.incubator.vector";

    private static final boolean VECTOR_API = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    /** Whether the JDK's vector API is there (the JVM was started with {@code --add-modules jdk.incubator.vector}). */
    public static boolean vectorApi() {
        return VECTOR_API;
    }

    private static volatile Boolean reproducible;

    /**
     * Whether training chooses how to compute each layer from the model alone, never by timing, so that two runs with
     * the same seed on the same machine give the same numbers bit for bit. Off by default: then a convolution layer
     * whose two exact methods (DFT or oneDNN; for back-propagation, forward convolutions or libnd4j's {@code
     * conv2d_bp}) cost about the same times both during its first steps and keeps the faster, and as the two round
     * differently, a run's losses and accuracies can differ from another run's in their last digits (the seed CNN's
     * first-epoch loss in the recorded bench runs: 0.6680 in most, 0.6677, 0.6679 and 0.6695 in others). On with {@code FASHION_REPRODUCIBLE=1},
     * {@code -Dfashion.reproducible=true} or {@link #setReproducible}; training may then be a little slower.
     */
    public static boolean reproducible() {
        Boolean r = reproducible;
        if (r == null) {
            r = Switch.REPRODUCIBLE.on();
            reproducible = r;
        }
        return r;
    }

    /**
     * Turns {@linkplain #reproducible() reproducible method choices} on or off for layers that have not yet trained a
     * step: each layer keeps the mode it had at its first training step, so call this before training starts (for
     * instance in a cell before building the model).
     */
    public static void setReproducible(boolean on) {
        reproducible = on;
    }

    private static final int DEFAULT_ELEMENTWISE_THRESHOLD = 1 << 20;
    private static final int DEFAULT_TAD_THRESHOLD = 1 << 14;

    private static volatile boolean initialized;
    private static int threads;
    private static int elementwiseThreshold;
    private static int tadThreshold;
    private static int smallOpThreads;
    private static NativeOps nativeOps;
    private static volatile boolean blasSettable;
    /** Depth of {@link #parallel(Runnable)} calls on this thread (nested calls keep all cores until the outermost ends). */
    private static final ThreadLocal<int[]> PARALLEL_DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    private Engine() {
    }

    /**
     * Idempotent: configures ND4J once per JVM, and the OpenMP thread count of the calling thread once per thread
     * (OpenMP's setting is per thread; notebook cells may run on different threads).
     */
    public static void init() {
        if (!initialized) {
            initOnce();
        }
        if (!THREAD_CONFIGURED.get()) {
            NativeOps ops = nativeOps;
            if (ops != null) {
                ops.setOmpNumThreads(smallOpThreads);
            }
            THREAD_CONFIGURED.set(Boolean.TRUE);
        }
    }

    private static final ThreadLocal<Boolean> THREAD_CONFIGURED = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private static synchronized void initOnce() {
        if (initialized) {
            return;
        }
        for (Switch s : Switch.values()) { // a misspelt setting fails here, before anything is set up, trained or saved
            s.on();
        }
        JitPolicy.apply(); // before ND4J's own start-up code runs hot
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        Environment env = Nd4j.getEnvironment();
        threads = setting("fashion.threads", "FASHION_THREADS", Runtime.getRuntime().availableProcessors());
        elementwiseThreshold = setting("fashion.elementwiseThreshold", "FASHION_ELEMENTWISE_THRESHOLD",
                DEFAULT_ELEMENTWISE_THRESHOLD);
        tadThreshold = setting("fashion.tadThreshold", "FASHION_TAD_THRESHOLD", DEFAULT_TAD_THRESHOLD);
        smallOpThreads = Math.min(threads, setting("fashion.smallOpThreads", "FASHION_SMALL_OP_THREADS", 1));
        env.setMaxThreads(threads);
        env.setMaxMasterThreads(threads);
        env.setElementwiseThreshold(elementwiseThreshold);
        env.setTadThreshold(tadThreshold);
        try {
            nativeOps = NativeOpsHolder.getInstance().getDeviceNativeOps();
            nativeOps.setOmpNumThreads(smallOpThreads);
        } catch (RuntimeException | LinkageError e) {
            nativeOps = null;
        }
        try {
            Nd4j.factory().blas().setMaxThreads(smallOpThreads);
            blasSettable = true;
        } catch (RuntimeException | LinkageError e) {
            // not every BLAS lets its thread count be changed; keep its own setting
        }
        splitting = threads >= 2 && Switch.SPLIT.on();
        initialized = true;
    }

    /**
     * Runs {@code work} (native operations that scale with cores, such as oneDNN convolutions or the large products of
     * an inference pass) with OpenMP and OpenBLAS set to all {@link #threads()} cores, then returns to the
     * single-threaded setting used for the many small operations of a training step. Calls may be nested: the
     * outermost one restores the setting.
     */
    public static void parallel(Runnable work) {
        init();
        NativeOps ops = nativeOps;
        if (ops == null || threads == smallOpThreads || inSerialScope()) {
            work.run();
            return;
        }
        int[] depth = PARALLEL_DEPTH.get();
        if (depth[0] > 0) {
            work.run();
            return;
        }
        depth[0]++;
        ops.setOmpNumThreads(threads);
        setBlasThreads(threads);
        try {
            work.run();
        } finally {
            setBlasThreads(smallOpThreads);
            ops.setOmpNumThreads(smallOpThreads);
            depth[0]--;
        }
    }

    private static final ThreadLocal<int[]> SERIAL = ThreadLocal.withInitial(() -> new int[1]);

    /**
     * Runs {@code work} on this thread alone: inside it {@link #parallel(Runnable)} and {@link JavaParallel} use one
     * core. For work that is itself one of several shares running at the same time on the cores (the two halves of a
     * minibatch in {@code fashion.models.SplitBatchNetwork}).
     */
    public static void serially(Runnable work) {
        init();
        int[] depth = SERIAL.get();
        depth[0]++;
        try {
            work.run();
        } finally {
            depth[0]--;
        }
    }

    /** True inside {@link #serially(Runnable)} on this thread. */
    public static boolean inSerialScope() {
        return SERIAL.get()[0] > 0;
    }

    private static void setBlasThreads(int n) {
        if (blasSettable) {
            Nd4j.factory().blas().setMaxThreads(n);
        }
    }

    /** OpenBLAS's thread count now: {@link #threads()} inside {@link #parallel(Runnable)}, 1 outside (by default). */
    public static int blasThreads() {
        init();
        return Nd4j.factory().blas().getMaxThreads();
    }

    /**
     * True when {@link #split(Runnable, Runnable)} runs its two halves on two cores: at least 2 {@link #threads()} and
     * turned on with {@code -Dfashion.split=true} / {@code FASHION_SPLIT=1} (off by default: oneDNN's own OpenMP
     * threads are used).
     */
    public static boolean splitting() {
        init();
        return splitting;
    }

    private static volatile boolean splitting;
    private static volatile java.util.concurrent.ExecutorService helper;

    /**
     * Runs {@code first} on this thread and {@code second} on a helper thread at the same time (both with OpenMP at
     * one thread), and returns when both are done; without {@link #splitting()} runs them one after the other inside
     * {@link #parallel(Runnable)}. For work split in two independent halves (a convolution's batch halves): unlike
     * OpenMP's thread team, two Java threads do not wait for each other inside the operation, so a core taken by
     * another process slows the step down by at most that half instead of stalling every barrier.
     */
    public static void split(Runnable first, Runnable second) {
        init();
        if (!splitting) {
            parallel(() -> {
                first.run();
                second.run();
            });
            return;
        }
        concurrently(first, second);
    }

    /**
     * Runs {@code first} on this thread and {@code second} on a helper thread at the same time, each {@linkplain
     * #serially serially} (one core each), and returns when both are done, rethrowing the first failure. Inside a
     * serial scope (already one of two shares) runs them one after the other.
     */
    public static void concurrently(Runnable first, Runnable second) {
        init();
        if (inSerialScope()) {
            first.run();
            second.run();
            return;
        }
        java.util.concurrent.Future<?> other = helper().submit(() -> serially(second));
        Throwable failure = null;
        try {
            serially(first);
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        JavaParallel.awaitAll(failure, other);
    }

    private static java.util.concurrent.ExecutorService helper() {
        java.util.concurrent.ExecutorService h = helper;
        if (h == null) {
            synchronized (Engine.class) {
                h = helper;
                if (h == null) {
                    h = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                        Thread t = new Thread(r, "fashion-engine-helper");
                        t.setDaemon(true);
                        return t;
                    });
                    h.submit(Engine::init); // OpenMP at one thread on the helper thread too
                    helper = h;
                }
            }
        }
        return h;
    }

    /** Cores used by convolutions (and by {@link #parallel(Runnable)}). */
    public static int threads() {
        init();
        return threads;
    }

    /**
     * What a trained model's numbers depend on besides its settings, for saved runs ({@code Run.provenance}):
     * {@code engine} ({@link #describe()}), {@code cpu} ({@link #cpu()}), {@code reproducible} ("true" when layer
     * methods are chosen from the model alone, {@link #reproducible()}) and {@code java} (the version).
     */
    public static Map<String, String> provenance() {
        Map<String, String> p = new LinkedHashMap<>();
        String mode;
        try {
            mode = String.valueOf(reproducible());
        } catch (IllegalArgumentException e) { // never lose a trained run to a misspelt setting: record it
            mode = "invalid setting (" + e.getMessage() + ")";
        }
        p.put("engine", describeOrReason());
        p.put("cpu", cpu());
        p.put("reproducible", mode);
        p.put("java", System.getProperty("java.version"));
        return p;
    }

    private static String describeOrReason() {
        try {
            return describe();
        } catch (RuntimeException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    /**
     * The CPU's model name, the cores this JVM may use and the CPU's widest vector extensions (from {@code
     * /proc/cpuinfo}), for example {@code AMD EPYC, 2 cores, flags avx512f avx512bw avx512_vnni avx2 fma}; "unknown
     * (reason)" where that file cannot be read.
     */
    public static String cpu() {
        try {
            String model = "unknown";
            String flags = "";
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name") && model.equals("unknown")) {
                    model = line.substring(line.indexOf(':') + 1).trim();
                } else if (line.startsWith("flags") && flags.isEmpty()) {
                    flags = " " + line.substring(line.indexOf(':') + 1).trim() + " ";
                }
            }
            StringBuilder vector = new StringBuilder();
            for (String f : new String[] {"avx512f", "avx512bw", "avx512_vnni", "avx2", "fma"}) {
                if (flags.contains(" " + f + " ")) {
                    vector.append(vector.length() == 0 ? "" : " ").append(f);
                }
            }
            return model + ", " + Runtime.getRuntime().availableProcessors() + " cores, flags " + vector;
        } catch (IOException | RuntimeException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    /**
     * One line for display: native backend, classifier/CPU features, BLAS, oneDNN and threads. For example
     * {@code ND4J 1.0.0-M2.1 CPU backend (linux-x86_64-onednn-avx2), OpenBLAS 1 thread(s) (2 in parallel blocks), oneDNN on, 2 threads
     * (element-wise ops single-threaded below 1048576 elements), ..., vector API on (DFT convolutions)}.
     */
    public static String describe() {
        init();
        Properties info = Nd4j.getExecutioner().getEnvironmentInformation();
        String backend = String.valueOf(info.getOrDefault("backend", "?"));
        String blas = String.valueOf(info.getOrDefault("blas.vendor", "?"));
        String blasThreads = String.valueOf(info.getOrDefault("blas.threads", "?"));
        String omp = String.valueOf(info.getOrDefault("omp.threads", "?"));
        Environment env = Nd4j.getEnvironment();
        return String.format(Locale.ROOT,
                "ND4J %s %s backend (%s), %s %s thread(s) (%d in parallel blocks), oneDNN %s, libnd4j %s threads "
                        + "(OpenMP %s), element-wise ops single-threaded below %d elements, %s, Java %s (JIT: %s), %d cores, %s, %s",
                version(), backend, classifier(), blas.toLowerCase(Locale.ROOT).contains("openblas") ? "OpenBLAS" : blas,
                blasThreads, threads, env.helpersAllowed() ? "on" : "off", env.maxThreads(), omp, env.elementwiseThreshold(),
                Nd4j.dataType().toString().toLowerCase(Locale.ROOT), System.getProperty("java.version"), JitPolicy.describe(),
                Runtime.getRuntime().availableProcessors(), vectorApi() ? "vector API on (DFT convolutions)"
                        : "vector API off (start the JVM with --add-modules jdk.incubator.vector for DFT convolutions)",
                reproducible() ? "layer methods chosen from the model (reproducible)"
                        : "layer methods chosen by timing (FASHION_REPRODUCIBLE=1 for bit-for-bit repeatable runs)");
    }

    private static String version() {
        Package p = Nd4j.class.getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        return v == null ? "1.0.0-M2.1" : v;
    }

    /** The native classifier found on the class path (e.g. linux-x86_64-onednn-avx2). */
    static String classifier() {
        String[] candidates = {"linux-x86_64-onednn-avx512", "linux-x86_64-onednn-avx2", "linux-x86_64-onednn",
                "linux-x86_64-avx512", "linux-x86_64-avx2", "linux-x86_64-compat", "linux-x86_64"};
        ClassLoader loader = Nd4j.class.getClassLoader();
        for (String c : candidates) {
            if (loader != null && loader.getResource("org/nd4j/linalg/cpu/nativecpu/bindings/" + c + "/") != null) {
                return c;
            }
        }
        return "native";
    }

    /**
     * An on/off setting of the project: the system property {@code property} when it is set and not blank, else the
     * environment variable {@code variable} (either may be null: not looked up). {@code 1}, {@code true}, {@code on}
     * or {@code yes} turn it on, {@code 0}, {@code false}, {@code off} or {@code no} off (any case, spaces around
     * ignored); unset or blank gives {@code fallback}.
     *
     * @throws IllegalArgumentException for any other value, naming the setting, the value and the values it takes
     *         (a misspelt switch is an error, not silently the default)
     */
    public static boolean flag(String property, String variable, boolean fallback) {
        String[] setting = lookup(property, variable);
        return parseFlag(setting[0], setting[1], fallback);
    }

    /**
     * A setting's source and text: {@code {"-Dproperty", value}} when the system property is set and not blank, else
     * {@code {variable, value or null}} (a null name is not looked up).
     */
    private static String[] lookup(String property, String variable) {
        String value = property == null ? null : System.getProperty(property);
        if (value != null && !value.isBlank()) {
            return new String[] {"-D" + property, value};
        }
        return new String[] {variable, variable == null ? null : System.getenv(variable)};
    }

    /**
     * The project's on/off settings: each with its system property, environment variable and default, read by {@link
     * #on()} through {@link #flag}. {@link #init()} reads them all first, so that a misspelt one is reported when the
     * data is loaded or the first model built, not after a training run whose result would then be lost.
     */
    public enum Switch {
        /** Layer methods chosen from the model alone: runs repeat bit for bit ({@link Engine#reproducible()}). */
        REPRODUCIBLE("fashion.reproducible", "FASHION_REPRODUCIBLE", false),
        /** Native convolutions split over the cores by halves of the minibatch ({@link Engine#split}). */
        SPLIT("fashion.split", "FASHION_SPLIT", false),
        /** Quick mode: a small subset and at most two epochs ({@code fashion.data.QuickMode}); no property. */
        QUICK(null, "FASHION_QUICK", false),
        /** Minibatch halves on two cores for convolutional networks ({@code SplitBatchNetwork}). */
        SPLIT_BATCH("fashion.splitBatch", "FASHION_SPLIT_BATCH", true),
        /** The dense networks' own training step ({@code DenseTrainingStep}). */
        DENSE_STEP("fashion.denseStep", "FASHION_DENSE_STEP", true),
        /** The fused optimizer update ({@code FusedUpdate}). */
        FUSED_UPDATE("fashion.fusedUpdate", "FASHION_FUSED_UPDATE", true),
        /** A wide dense layer's forward pass split by columns over the cores ({@code FastDenseLayerImpl}). */
        DENSE_SPLIT("fashion.denseSplit", "FASHION_DENSE_SPLIT", false);

        private final String property;
        private final String variable;
        private final boolean fallback;

        Switch(String property, String variable, boolean fallback) {
            this.property = property;
            this.variable = variable;
            this.fallback = fallback;
        }

        /**
         * Whether the setting is on now.
         *
         * @throws IllegalArgumentException for a value that is not an on/off word ({@link #flag})
         */
        public boolean on() {
            return flag(property, variable, fallback);
        }
    }

    /** {@link #flag}'s reading of {@code value}, the setting {@code name}'s text (null or blank: {@code fallback}). */
    static boolean parseFlag(String name, String value, boolean fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "1", "true", "on", "yes":
                return true;
            case "0", "false", "off", "no":
                return false;
            default:
                throw new IllegalArgumentException(name + "=" + value + " is not an on/off setting: use " + name
                        + "=1 (or true, on, yes) to turn it on, " + name + "=0 (or false, off, no) to turn it off,"
                        + " or leave it unset for the default (" + (fallback ? "on" : "off") + ")" + (name.startsWith("-D")
                        ? "" : ". A notebook's kernel reads its environment when it starts: change the variable where"
                        + " Jupyter (or environment/run) is started, then restart the kernel"));
        }
    }

    private static int setting(String property, String variable, int fallback) {
        String value = lookup(property, variable)[1];
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value.trim());
            return n > 0 ? n : fallback;
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
