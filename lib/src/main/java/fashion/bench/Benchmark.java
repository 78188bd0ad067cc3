package fashion.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import fashion.data.FashionMnist;
import fashion.data.Split;
import fashion.engine.Engine;
import fashion.evaluation.Evaluation;
import fashion.models.Model;
import fashion.models.Models;
import fashion.training.Epoch;
import fashion.training.History;
import fashion.training.Training;
import fashion.training.TrainingOptions;

/**
 * Training-speed benchmark of the seed's two models through the library's normal path
 * ({@link Models#seedDense()} / {@link Models#seedCnn()}, {@link FashionMnist#load()}, {@link Training#fit}), with
 * two peers run on the same machine right after each model ({@link Peers}): Debian's PyTorch 1.13 (only counted with
 * an optimized BLAS) and DJL 0.36 + PyTorch 2.7.1, each in its fastest thread configuration.
 *
 * <pre>
 * environment/bench [--model fc|cnn] [--limit N] [--epochs E] [--batch B] [--peer auto|off|pytorch|djl] [--peer-init keras|pytorch]
 * </pre>
 *
 * Prints the CPU and its vector flags, the load average, per-epoch seconds, achieved GFLOP/s next to the machine's
 * measured float32 GEMM ceiling, and per model the machine-readable lines {@code model=fc batch=32 samples=55000
 * threads=2 seconds_per_epoch=X test_accuracy=Y peak_rss_mb=Z}, {@code model=fc first_epoch_over_later=F}, {@code
 * model=fc ratio_dl4j_over_pytorch=R}, {@code model=fc peer=pytorch|djl ratio_dl4j_over_peer=R} and {@code model=fc
 * peer=faster faster_peer=NAME ratio_dl4j_over_peer=R}. Seconds per epoch are the median epoch's (the larger of
 * two).
 */
public final class Benchmark {
    private Benchmark() {
    }

    public static void main(String[] args) throws Exception {
        List<String> models = new ArrayList<>();
        int limit = 55000;
        int epochs = -1;
        int batch = 32;
        String peer = "auto";
        String peerInit = "keras";
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--model" -> {
                    models.add(require(a, value));
                    i++;
                }
                case "--limit" -> {
                    limit = Integer.parseInt(require(a, value));
                    i++;
                }
                case "--epochs" -> {
                    epochs = Integer.parseInt(require(a, value));
                    i++;
                }
                case "--batch" -> {
                    batch = Integer.parseInt(require(a, value));
                    i++;
                }
                case "--peer" -> {
                    peer = require(a, value);
                    i++;
                }
                case "--peer-init" -> {
                    peerInit = require(a, value);
                    if (!peerInit.equals("pytorch") && !peerInit.equals("keras")) {
                        throw new IllegalArgumentException("--peer-init must be pytorch or keras, not " + peerInit);
                    }
                    i++;
                }
                case "-h", "--help" -> {
                    System.out.println("usage: bench [--model fc|cnn] [--limit N] [--epochs E] [--batch B] [--peer auto|off|pytorch|djl] [--peer-init keras|pytorch]");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown argument " + a + " (try --help)");
            }
        }
        if (models.isEmpty()) {
            models = List.of("fc", "cnn");
        }
        for (String m : models) {
            if (!m.equals("fc") && !m.equals("cnn")) {
                throw new IllegalArgumentException("--model must be fc or cnn, not " + m);
            }
        }

        Engine.init();
        System.out.println("engine: " + Engine.describe());
        System.out.println("cpu: " + Engine.cpu());
        System.out.println("load: " + loadAverage());
        double ceiling = gemmCeiling();
        System.out.printf(Locale.ROOT, "float32 GEMM ceiling (1024x1024x1024, %d threads): %.1f GFLOP/s%n",
                Engine.threads(), ceiling);
        FashionMnist data = FashionMnist.load();
        List<String> peers = new ArrayList<>();
        if (peer.equals("auto") || peer.equals("pytorch")) {
            if (pytorchAvailable()) {
                peers.add("pytorch");
            } else {
                System.out.println("peer pytorch: /usr/bin/python3 cannot import torch (or the peer script is missing): "
                        + "skipped; install it with FASHION_PEERS=1 environment/setup (python3-torch and OpenBLAS)");
            }
        }
        if (peer.equals("auto") || peer.equals("djl")) {
            peers.add("djl");
        }

        for (String name : models) {
            int e = epochs > 0 ? epochs : name.equals("fc") ? 2 : 1;
            Result dl4j = runDl4j(name, data, limit, e, batch, ceiling);
            List<String> ratios = new ArrayList<>();
            String fastest = null;
            double fastestSeconds = Double.POSITIVE_INFINITY;
            for (String p : peers) {
                String peerLine = p.equals("pytorch") ? Peers.runPytorch(name, limit, e, batch, peerInit)
                        : Peers.runDjl(name, limit, e, batch);
                if (peerLine == null) {
                    continue;
                }
                System.out.println(p + ": " + peerLine);
                String refusal = p.equals("pytorch") ? blasRefusal(peerLine) : null;
                if (refusal != null) {
                    System.out.println(refusal);
                    continue;
                }
                double peerSeconds = field(peerLine, "seconds_per_epoch");
                if (p.equals("pytorch")) {
                    ratios.add(String.format(Locale.ROOT, "model=%s ratio_dl4j_over_pytorch=%.3f", name,
                            dl4j.secondsPerEpoch / peerSeconds));
                }
                ratios.add(String.format(Locale.ROOT, "model=%s peer=%s ratio_dl4j_over_peer=%.3f", name, p,
                        dl4j.secondsPerEpoch / peerSeconds));
                if (peerSeconds < fastestSeconds) {
                    fastestSeconds = peerSeconds;
                    fastest = p;
                }
            }
            System.out.println("load: " + loadAverage());
            System.out.println(dl4j.line);
            System.out.printf(Locale.ROOT, "model=%s first_epoch_over_later=%.3f%n", name, dl4j.firstOverLater);
            for (String r : ratios) {
                System.out.println(r);
            }
            if (fastest != null) {
                System.out.printf(Locale.ROOT, "model=%s peer=faster faster_peer=%s ratio_dl4j_over_peer=%.3f%n", name,
                        fastest, dl4j.secondsPerEpoch / fastestSeconds);
            }
            System.out.flush();
        }
    }

    private record Result(double secondsPerEpoch, double firstOverLater, String line) {
    }

    private static Result runDl4j(String name, FashionMnist data, int limit, int epochs, int batch, double ceiling)
            throws IOException {
        resetPeakRss();
        long built = System.nanoTime();
        Model model = name.equals("fc") ? Models.seedDense() : Models.seedCnn();
        System.out.printf(Locale.ROOT, "model built in %.2f s (of which %.2f s waiting for the JIT warm-up of the vector "
                + "kernels, begun in the background when the data was loaded: update %.2f s, ReLU %.2f s, DFT convolutions "
                + "%.2f s; -1: not run)%n", (System.nanoTime() - built) / 1e9, fashion.models.KernelWarmUp.lastWaitSeconds(),
                fashion.models.fastupdate.FusedUpdate.kernelWarmUpSeconds(),
                fashion.models.fast.Activations.kernelWarmUpSeconds(),
                fashion.models.fastconv.FastConvolutionLayer.kernelWarmUpSeconds());
        Split train = data.train();
        if (limit < train.size()) {
            int[] first = new int[limit];
            Arrays.setAll(first, i -> i);
            train = train.select(first);
        }
        System.out.printf(Locale.ROOT, "%n== %s: %s; %d training images, batch %d, %d epoch(s)%n", name, model,
                train.size(), batch, epochs);
        History history = Training.fit(model, train, data.validation(),
                TrainingOptions.epochs(epochs).batchSize(batch).progress(false));
        if (history.status() != History.Status.COMPLETED) {
            System.out.println("training ended early: " + history.message());
        }
        double[] seconds = history.epochs().stream().mapToDouble(Epoch::seconds).toArray();
        for (Epoch ep : history.epochs()) {
            System.out.printf(Locale.ROOT, "epoch %d seconds %.2f loss %.4f val_accuracy %.4f%n", ep.epoch(),
                    ep.seconds(), ep.trainLoss(), ep.validationAccuracy());
        }
        double median = median(seconds);
        double flops = trainingFlopsPerImage(model) * train.size();
        System.out.printf(Locale.ROOT, "seconds per epoch: median %.2f%s, min %.2f, max %.2f%n", median,
                seconds.length % 2 == 0 ? " (of an even count: the slower middle one)" : "",
                Arrays.stream(seconds).min().orElse(Double.NaN), Arrays.stream(seconds).max().orElse(Double.NaN));
        System.out.printf(Locale.ROOT,
                "work: %.1f GFLOP per epoch (multiply-adds x2 of forward + backward, convolutions counted as direct ones; "
                        + "those done through the DFT do less), achieved %.1f GFLOP/s = %.0f%% of the "
                        + "%.1f GFLOP/s GEMM ceiling (lower bound at the ceiling: %.1f s per epoch)%n",
                flops / 1e9, flops / 1e9 / median, 100 * flops / 1e9 / median / ceiling, ceiling, flops / 1e9 / ceiling);
        double accuracy = Evaluation.of(model, data.test()).accuracy();
        long peak = peakRssMb();
        String line = String.format(Locale.ROOT,
                "model=%s batch=%d samples=%d threads=%d seconds_per_epoch=%.3f test_accuracy=%.4f peak_rss_mb=%d",
                name, batch, train.size(), Engine.threads(), median, accuracy, peak);
        double later = seconds.length > 1 ? median(Arrays.copyOfRange(seconds, 1, seconds.length)) : Double.NaN;
        return new Result(median, seconds[0] / later, line);
    }

    /**
     * Floating-point operations to train on one image: 2 per multiply-add, forward pass plus the two backward
     * products (input gradient and weight gradient) of every dense and convolution layer, except the input gradient
     * of the first layer, which no framework computes. Element-wise work (activations, pooling, Adam) is left out.
     */
    static double trainingFlopsPerImage(Model model) {
        MultiLayerConfiguration conf = model.network().getLayerWiseConfigurations();
        InputType in = model.input() == Model.Input.FLAT ? InputType.feedForward(28 * 28)
                : InputType.convolutional(28, 28, 1);
        List<InputType> types = conf.getLayerActivationTypes(in);
        double total = 0;
        for (int i = 0; i < conf.getConfs().size(); i++) {
            Layer layer = conf.getConf(i).getLayer();
            double macs = 0;
            if (layer instanceof ConvolutionLayer c) {
                InputType.InputTypeConvolutional out = (InputType.InputTypeConvolutional) types.get(i);
                int[] k = c.getKernelSize();
                macs = (double) out.getHeight() * out.getWidth() * c.getNOut() * c.getNIn() * k[0] * k[1];
            } else if (layer instanceof FeedForwardLayer f) {
                macs = (double) f.getNIn() * f.getNOut();
            }
            total += 2 * macs * (i == 0 ? 2 : 3);
        }
        return total;
    }

    /** Best of several 1024x1024x1024 float32 GEMMs with the engine's threads, in GFLOP/s. */
    static double gemmCeiling() {
        int n = 1024;
        INDArray a = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray b = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray c = Nd4j.create(DataType.FLOAT, n, n);
        double[] best = {Double.MAX_VALUE};
        Engine.parallel(() -> {
            for (int i = 0; i < 12; i++) {
                long t = System.nanoTime();
                Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
                best[0] = Math.min(best[0], (System.nanoTime() - t) / 1e9);
            }
        });
        return 2.0 * n * n * n / best[0] / 1e9;
    }

    /**
     * Why no ratio may be printed against the PyTorch peer whose result line is {@code peerLine} (with the {@code
     * blas_kind=} field {@code Peers.runPytorch} appends), or null when it may: its torch multiplies through the
     * reference BLAS, or the peer could not tell which BLAS it loaded. A ratio against either would flatter this project.
     */
    static String blasRefusal(String peerLine) {
        String fix = " Fix: apt-get install libopenblas0-pthread (as root; update-alternatives then points libblas.so.3"
                + " at OpenBLAS), or FASHION_PEERS=1 environment/setup, and run the bench again.";
        if (peerLine.contains("blas_kind=reference")) {
            return "NO RATIO against the pytorch peer: its torch multiplies through the reference BLAS (netlib), about"
                    + " 10x slower than an optimized one for the dense model, so a ratio would flatter this project." + fix;
        }
        if (!peerLine.contains("blas_kind=optimized")) {
            return "NO RATIO against the pytorch peer: it could not tell which BLAS its torch loaded (no optimized BLAS"
                    + " found in its memory map), so it may be the reference BLAS (netlib), about 10x slower." + fix;
        }
        return null;
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length == 0 ? Double.NaN : v[v.length / 2];
    }

    /** The 1, 5 and 15 minute load averages (/proc/loadavg): other processes competing for the cores. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2] + " (1, 5, 15 min; " + Runtime.getRuntime().availableProcessors()
                    + " cores)";
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** Resets VmHWM (Linux: writing 5 to /proc/self/clear_refs) so each model reports its own peak. */
    private static void resetPeakRss() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | RuntimeException e) {
            // not Linux or not allowed: the peak then covers the whole process
        }
    }

    /** Peak resident set size of this process (VmHWM) in MiB, or -1 if unknown. */
    static long peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    String kb = line.substring(6).trim().split("\\s+")[0];
                    return Long.parseLong(kb) / 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return -1;
    }

    private static boolean pytorchAvailable() {
        return Peers.pytorchAvailable();
    }

    static double field(String line, String key) {
        for (String part : line.trim().split("\\s+")) {
            if (part.startsWith(key + "=")) {
                return Double.parseDouble(part.substring(key.length() + 1));
            }
        }
        return Double.NaN;
    }

    private static String require(String option, String value) {
        if (value == null) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return value;
    }
}
