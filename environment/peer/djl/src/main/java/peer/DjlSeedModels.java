package peer;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.zip.GZIPInputStream;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;

/**
 * The seed report's two Keras models written with Deep Java Library 0.36 on PyTorch 2.7.1 (CPU): the peer a Java
 * user would pick instead of this project (d2l-java is built on DJL). Same data split as the seed and as
 * {@code environment/peer/pytorch_seed_models.py} (first 5,000 training images validation, next 55,000 training,
 * 10,000 test), same layers, Keras' "same" padding of the 10x10 convolutions as an explicit pad (4 before, 5 after),
 * L2 1e-4 on the dense weights added to the loss, Adam with learning rate 1e-4 and Keras' epsilon 1e-7,
 * Glorot-uniform weights and zero biases (Keras' defaults), batch 32 unless told otherwise.
 *
 * <pre>
 * java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=2 -cp 'target/djl-peer.jar:target/dependency/*' \
 *     peer.DjlSeedModels --model fc|cnn [--epochs E] [--batch B] [--limit N] [--threads T]
 * </pre>
 *
 * Needs, for running with no network: {@code PYTORCH_VERSION=2.7.1}, {@code PYTORCH_FLAVOR=cpu}, a writable
 * {@code DJL_CACHE_DIR} (libtorch is extracted there from the pytorch-native-cpu jar on the class path, about
 * 430 MB) and the Fashion-MNIST IDX files in {@code FASHION_MNIST_DIR} (default
 * {@code /usr/share/datasets/fashion-mnist}, Debian's dataset-fashion-mnist). {@code environment/bench} sets all of
 * them. The last line is machine-readable, as the PyTorch script's:
 * {@code model=fc batch=32 samples=55000 threads=2 seconds_per_epoch=X test_accuracy=Y}.
 */
public final class DjlSeedModels {
    private DjlSeedModels() {
    }

    public static void main(String[] args) throws Exception {
        String modelName = null;
        int epochs = 1;
        int batch = 32;
        int limit = 55000;
        int threads = 2;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--model" -> modelName = need(args[i], value);
                case "--epochs" -> epochs = Integer.parseInt(need(args[i], value));
                case "--batch" -> batch = Integer.parseInt(need(args[i], value));
                case "--limit" -> limit = Integer.parseInt(need(args[i], value));
                case "--threads" -> threads = Integer.parseInt(need(args[i], value));
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (usage: --model fc|cnn [--epochs E] [--batch B] [--limit N] [--threads T])");
            }
            i++;
        }
        if (!"fc".equals(modelName) && !"cnn".equals(modelName)) {
            throw new IllegalArgumentException("--model must be fc or cnn, not " + modelName);
        }
        Path dir = Path.of(System.getenv().getOrDefault("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist"));
        float[] xAll = images(dir.resolve("train-images-idx3-ubyte.gz"));
        int[] yAll = labels(dir.resolve("train-labels-idx1-ubyte.gz"));
        float[] xTest = images(dir.resolve("t10k-images-idx3-ubyte.gz"));
        int[] yTest = labels(dir.resolve("t10k-labels-idx1-ubyte.gz"));
        int pixels = 28 * 28;
        limit = Math.min(limit, yAll.length - 5000);
        float[] xVal = Arrays.copyOfRange(xAll, 0, 5000 * pixels);
        int[] yVal = Arrays.copyOfRange(yAll, 0, 5000);
        float[] xTrain = Arrays.copyOfRange(xAll, 5000 * pixels, (5000 + limit) * pixels);
        int[] yTrain = Arrays.copyOfRange(yAll, 5000, 5000 + limit);

        Engine engine = Engine.getEngine("PyTorch");
        engine.setRandomSeed(0);
        System.out.println("engine: " + engine.getEngineName() + " " + engine.getVersion() + ", DJL "
                + Engine.getDjlVersion() + ", ai.djl.pytorch.num_threads="
                + System.getProperty("ai.djl.pytorch.num_threads", "(unset)") + ", OMP_WAIT_POLICY="
                + System.getenv().getOrDefault("OMP_WAIT_POLICY", "(unset)"));

        List<Block> regularized = new ArrayList<>();
        Block net = "fc".equals(modelName) ? dense(regularized) : cnn(regularized);
        Shape inputShape = "fc".equals(modelName) ? new Shape(batch, pixels) : new Shape(batch, 1, 28, 28);
        try (Model model = Model.newInstance(modelName, engine.getEngineName())) {
            model.setBlock(net);
            Loss loss = Loss.softmaxCrossEntropyLoss();
            DefaultTrainingConfig config = new DefaultTrainingConfig(loss)
                    .optInitializer(new XavierInitializer(XavierInitializer.RandomType.UNIFORM,
                            XavierInitializer.FactorType.AVG, 3), Parameter.Type.WEIGHT)
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-4f)).optEpsilon(1e-7f)
                            .build());
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(inputShape);
                List<NDArray> weights = new ArrayList<>();
                for (Block b : regularized) {
                    weights.add(b.getParameters().get("weight").getArray());
                }
                NDManager manager = trainer.getManager();
                Random random = new Random(0);
                int n = yTrain.length;
                int[] order = new int[n];
                double[] epochSeconds = new double[epochs];
                for (int epoch = 0; epoch < epochs; epoch++) {
                    long start = System.nanoTime();
                    for (int i = 0; i < n; i++) {
                        order[i] = i;
                    }
                    for (int i = n - 1; i > 0; i--) {
                        int j = random.nextInt(i + 1);
                        int t = order[i];
                        order[i] = order[j];
                        order[j] = t;
                    }
                    double total = 0;
                    float[] xb = new float[batch * pixels];
                    float[] yb = new float[batch];
                    for (int from = 0; from < n; from += batch) {
                        int m = Math.min(batch, n - from);
                        float[] xs = m == batch ? xb : new float[m * pixels];
                        float[] ys = m == batch ? yb : new float[m];
                        for (int k = 0; k < m; k++) {
                            System.arraycopy(xTrain, order[from + k] * pixels, xs, k * pixels, pixels);
                            ys[k] = yTrain[order[from + k]];
                        }
                        try (NDManager step = manager.newSubManager()) {
                            NDArray x = step.create(xs, "fc".equals(modelName) ? new Shape(m, pixels)
                                    : new Shape(m, 1, 28, 28));
                            NDArray y = step.create(ys, new Shape(m));
                            try (GradientCollector collector = trainer.newGradientCollector()) {
                                NDArray logits = trainer.forward(new NDList(x)).singletonOrThrow();
                                NDArray value = loss.evaluate(new NDList(y), new NDList(logits));
                                for (NDArray w : weights) {
                                    value = value.add(w.square().sum().mul(1e-4f));
                                }
                                collector.backward(value);
                                total += value.getFloat() * m;
                            }
                            trainer.step();
                        }
                    }
                    epochSeconds[epoch] = (System.nanoTime() - start) / 1e9;
                    System.out.printf(Locale.ROOT, "epoch %d seconds %.2f loss %.4f val_accuracy %.4f%n", epoch + 1,
                            epochSeconds[epoch], total / n, accuracy(trainer, modelName, xVal, yVal));
                    System.out.flush();
                }
                double[] sorted = epochSeconds.clone();
                Arrays.sort(sorted);
                System.out.printf(Locale.ROOT,
                        "model=%s batch=%d samples=%d threads=%d seconds_per_epoch=%.3f test_accuracy=%.4f%n",
                        modelName, batch, n, threads, sorted[sorted.length / 2],
                        accuracy(trainer, modelName, xTest, yTest));
            }
        }
    }

    /** 784-700-10, ReLU; the hidden layer's weights regularized, as in the seed's Part 1. */
    private static Block dense(List<Block> regularized) {
        Block hidden = Linear.builder().setUnits(700).build();
        regularized.add(hidden);
        return new SequentialBlock().add(Blocks.batchFlattenBlock()).add(hidden).add(Activation.reluBlock())
                .add(Linear.builder().setUnits(10).build());
    }

    /** The seed's Part 2 CNN: three 10x10 "same" convolutions of 5 filters, average pooling, 5x5 of 16, 84, 10. */
    private static Block cnn(List<Block> regularized) {
        SequentialBlock net = new SequentialBlock();
        for (int i = 0; i < 3; i++) {
            // Keras' "same" for an even kernel: 4 rows/columns before, 5 after
            net.add(new LambdaBlock(list -> new NDList(list.singletonOrThrow().pad(new Shape(4, 5, 4, 5), 0f))));
            net.add(Conv2d.builder().setKernelShape(new Shape(10, 10)).setFilters(5).build());
            net.add(Activation.reluBlock());
        }
        net.add(Pool.avgPool2dBlock(new Shape(2, 2)));
        net.add(Conv2d.builder().setKernelShape(new Shape(5, 5)).setFilters(16).build());
        net.add(Activation.reluBlock());
        net.add(Pool.avgPool2dBlock(new Shape(2, 2)));
        net.add(Blocks.batchFlattenBlock());
        Block fc1 = Linear.builder().setUnits(84).build();
        Block fc2 = Linear.builder().setUnits(10).build();
        regularized.add(fc1);
        regularized.add(fc2);
        net.add(fc1).add(Activation.reluBlock()).add(fc2);
        return net;
    }

    private static double accuracy(Trainer trainer, String modelName, float[] x, int[] y) {
        int pixels = 28 * 28;
        int correct = 0;
        for (int from = 0; from < y.length; from += 1000) {
            int m = Math.min(1000, y.length - from);
            try (NDManager sub = trainer.getManager().newSubManager()) {
                float[] xs = Arrays.copyOfRange(x, from * pixels, (from + m) * pixels);
                NDArray in = sub.create(xs, "fc".equals(modelName) ? new Shape(m, pixels) : new Shape(m, 1, 28, 28));
                long[] predicted = trainer.evaluate(new NDList(in)).singletonOrThrow().argMax(1).toLongArray();
                for (int k = 0; k < m; k++) {
                    if (predicted[k] == y[from + k]) {
                        correct++;
                    }
                }
            }
        }
        return (double) correct / y.length;
    }

    private static float[] images(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            if (in.readInt() != 2051) {
                throw new IOException(file + " is not an IDX image file");
            }
            int n = in.readInt();
            int size = in.readInt() * in.readInt();
            byte[] raw = in.readNBytes(n * size);
            float[] out = new float[raw.length];
            for (int i = 0; i < raw.length; i++) {
                out[i] = (raw[i] & 0xff) / 255f;
            }
            return out;
        }
    }

    private static int[] labels(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            if (in.readInt() != 2049) {
                throw new IOException(file + " is not an IDX label file");
            }
            byte[] raw = in.readNBytes(in.readInt());
            int[] out = new int[raw.length];
            for (int i = 0; i < raw.length; i++) {
                out[i] = raw[i] & 0xff;
            }
            return out;
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + " not found: install Debian's dataset-fashion-mnist or set FASHION_MNIST_DIR");
        }
        InputStream raw = Files.newInputStream(file);
        return new DataInputStream(new GZIPInputStream(raw, 1 << 16));
    }

    private static String need(String option, String value) {
        if (value == null) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return value;
    }
}
