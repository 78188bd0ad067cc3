package fashion.baselines;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.tribuo.Dataset;
import org.tribuo.Example;
import org.tribuo.MutableDataset;
import org.tribuo.Prediction;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.dtree.CARTClassificationTrainer;
import org.tribuo.classification.ensemble.VotingCombiner;
import org.tribuo.classification.liblinear.LibLinearClassificationTrainer;
import org.tribuo.classification.liblinear.LinearClassificationType;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.common.nearest.KNNModel;
import org.tribuo.common.nearest.KNNTrainer;
import org.tribuo.common.tree.RandomForestTrainer;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.provenance.SimpleDataSourceProvenance;

import fashion.data.FashionMnist;
import fashion.data.Split;
import fashion.studies.Run;
import fashion.studies.Runs;
import tech.tablesaw.api.Table;

/**
 * The classical methods of the Fashion-MNIST benchmark table, trained on the project's split (the same 55,000
 * training images, pixels in [0, 1]) and measured on its test set, through Tribuo 4.3 (Oracle Labs, Apache-2.0;
 * its linear SVM through liblinear, BSD-3). Each image is a Tribuo example with one feature per non-zero pixel
 * (named {@code p000} .. {@code p783}; absent pixels are 0, which every method here treats as the value 0).
 *
 * <pre>
 * var b = Baselines.on(data);
 * Baseline lr  = b.logisticRegression(55_000);        // multinomial, SGD with AdaGrad
 * Baseline svm = b.linearSvm(55_000);                 // liblinear, L2-regularized L2-loss, one-vs-rest
 * Baseline knn = b.nearestNeighbours(5, 10_000);      // k = 5, Euclidean, on the first 10,000 training images
 * Baseline rf  = b.randomForest(50, 20_000);          // 50 CART trees, sqrt(784) features per split
 * </pre>
 * The training-set size is an argument so that slow methods can be given a subset (the first {@code n} training
 * images; the result says how many). Test accuracy is always on the whole test split.
 */
public final class Baselines {
    private static final LabelFactory LABELS = new LabelFactory();
    private static final String[] NAMES = names();
    /** Seed of every random choice (SGD order, bootstrap samples, split features). */
    public static final long SEED = 42;

    private final FashionMnist data;
    private final List<Example<Label>> test;

    /** Tribuo logs every tree and SGD progress at INFO: kept to warnings (held here so the setting is not collected). */
    private static final java.util.logging.Logger TRIBUO_LOG = java.util.logging.Logger.getLogger("org.tribuo");

    static {
        TRIBUO_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    private Baselines(FashionMnist data) {
        this.data = data;
        this.test = examples(data.test(), data.test().size());
    }

    /** The baselines on {@code data}'s training and test splits. */
    public static Baselines on(FashionMnist data) {
        return new Baselines(data);
    }

    /** Multinomial logistic regression (softmax regression): Tribuo's linear SGD, log loss, AdaGrad 0.1, 10 epochs. */
    public Baseline logisticRegression(int trainImages) {
        return run("logistic regression", "multinomial, SGD (AdaGrad 0.1), 10 epochs, batch 1",
                new LinearSGDTrainer(new LogMulticlass(), new AdaGrad(0.1, 0.1), 10, Integer.MAX_VALUE, 1, SEED), trainImages);
    }

    /** Linear SVM: liblinear's L2-regularized L2-loss SVC (dual), cost C = 1, one-vs-rest over the 10 classes. */
    public Baseline linearSvm(int trainImages) {
        return run("linear SVM", "liblinear L2R_L2LOSS_SVC_DUAL, C = 1, one-vs-rest",
                new LibLinearClassificationTrainer(new LinearClassificationType(LinearClassificationType.LinearType.L2R_L2LOSS_SVC_DUAL),
                        1.0, 1000, 0.1, SEED), trainImages);
    }

    /**
     * k-nearest neighbours through Tribuo: Euclidean distance, majority vote of the {@code k} nearest, brute force on 2
     * threads. Tribuo compares sparse vectors one pair at a time (about 3-12 microseconds per pair here), so the whole
     * training set against the whole test set (550 million pairs) would take hours: use {@link #nearestNeighboursByProducts}
     * for that, this one on small sets (its test checks the two agree).
     */
    @SuppressWarnings("deprecation")
    public Baseline nearestNeighbours(int k, int trainImages) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, not " + k);
        }
        return run("k-nearest neighbours (Tribuo)", "k = " + k + ", Euclidean, majority vote",
                new KNNTrainer<>(k, KNNTrainer.Distance.L2, 2, new VotingCombiner(), KNNModel.Backend.THREADPOOL), trainImages);
    }

    /**
     * The same k-nearest-neighbour classifier as {@link #nearestNeighbours} (Euclidean distance, majority vote of the
     * {@code k} nearest; a tie goes to the tied class whose nearest member is closest), with all the squared distances
     * {@code |a|^2 + |b|^2 - 2 a.b} computed as matrix products by ND4J (OpenBLAS) in blocks of test images: the
     * whole training set in about a minute.
     */
    public Baseline nearestNeighboursByProducts(int k, int trainImages) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, not " + k);
        }
        Split train = data.train();
        checkSize(trainImages, train.size());
        quietCores();
        long t0 = System.nanoTime();
        NearestNeighbours knn = new NearestNeighbours(train.dense().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, trainImages),
                org.nd4j.linalg.indexing.NDArrayIndex.all()), java.util.Arrays.copyOf(train.labels(), trainImages), k);
        double trainSeconds = (System.nanoTime() - t0) / 1e9;
        long t1 = System.nanoTime();
        int[] predicted = knn.predict(data.test().dense());
        double testSeconds = (System.nanoTime() - t1) / 1e9;
        int correct = 0;
        for (int i = 0; i < predicted.length; i++) {
            correct += predicted[i] == data.test().label(i) ? 1 : 0;
        }
        Baseline b = new Baseline("k-nearest neighbours", "k = " + k + ", Euclidean, majority vote (distances by ND4J matrix products)",
                trainImages, predicted.length, (double) correct / predicted.length, trainSeconds, testSeconds, data.quick());
        System.out.println(b);
        return b;
    }

    private static void checkSize(int trainImages, int size) {
        if (trainImages < 10 || trainImages > size) {
            throw new IllegalArgumentException("trainImages must be 10.." + size + " (the training split's size), not " + trainImages);
        }
    }

    /** Random forest: {@code trees} CART trees on bootstrap samples, 28 (about sqrt(784)) random features per split, Gini impurity, full depth. */
    public Baseline randomForest(int trees, int trainImages) {
        if (trees < 1) {
            throw new IllegalArgumentException("trees must be at least 1, not " + trees);
        }
        float fraction = 28f / 784f;
        return run("random forest", trees + " CART trees, 28 features per split, full depth",
                new RandomForestTrainer<>(new CARTClassificationTrainer(Integer.MAX_VALUE, fraction, SEED), new VotingCombiner(), trees, SEED),
                trainImages);
    }

    /**
     * Waits for the JIT warm-up of the networks' kernels that loading the data started in the background
     * ({@code KernelWarmUp}; its convolution part is skipped if not begun), so that it does not share the cores with
     * the timed training of a classical method.
     */
    private static void quietCores() {
        fashion.models.KernelWarmUp.await(false);
    }

    private Baseline run(String method, String settings, Trainer<Label> trainer, int trainImages) {
        Split train = data.train();
        checkSize(trainImages, train.size());
        Dataset<Label> dataset = dataset(train, trainImages);
        quietCores();
        long t0 = System.nanoTime();
        org.tribuo.Model<Label> model = trainer.train(dataset);
        double trainSeconds = (System.nanoTime() - t0) / 1e9;
        long t1 = System.nanoTime();
        List<Prediction<Label>> predictions = model.predict(test);
        double testSeconds = (System.nanoTime() - t1) / 1e9;
        int correct = 0;
        for (int i = 0; i < predictions.size(); i++) {
            if (predictions.get(i).getOutput().getLabel().equals(test.get(i).getOutput().getLabel())) {
                correct++;
            }
        }
        Baseline b = new Baseline(method, settings, trainImages, test.size(), (double) correct / test.size(), trainSeconds, testSeconds,
                data.quick());
        System.out.println(b);
        return b;
    }

    /**
     * The results beside the project's saved networks of the same mode (quick or full): Part 1, Part 2 and the best
     * model (rows left out when not saved yet), sorted by test accuracy. A network evaluated with test-time mirroring
     * is listed by its accuracy on the images alone (the mirrored one in its settings), like the classical methods.
     */
    public static Table comparison(List<Baseline> results) {
        boolean quick = results.isEmpty() ? fashion.data.QuickMode.enabled() : results.get(0).quick();
        List<Baseline> rows = new ArrayList<>(results);
        String[][] networks = {{"part1-fully-connected", "network: Part 1, dense 784-700-10"},
                {"part2-convolutional", "network: Part 2, the seed's CNN"}, {"best-model", "network: best model (CNN)"}};
        for (String[] n : networks) {
            Run r = Runs.saved(n[0], quick);
            if (r != null) {
                // every method here classifies the images alone: a run evaluated with test-time mirroring is shown by
                // its plain accuracy, so that the comparison is like for like
                boolean mirrored = !Double.isNaN(r.unmirroredTestAccuracy());
                rows.add(new Baseline(n[1], r.label() + ", " + r.epochs().size() + " epochs"
                        + (mirrored ? String.format(java.util.Locale.ROOT, " (images alone; %.4f with test-time mirroring)", r.testAccuracy()) : ""),
                        r.trainImages(), r.testImages(), mirrored ? r.unmirroredTestAccuracy() : r.testAccuracy(), r.trainingSeconds(),
                        Double.NaN, r.quick()));
            }
        }
        rows.sort(java.util.Comparator.comparingDouble(Baseline::testAccuracy).reversed());
        return Baseline.table("Test accuracy of the classical methods and the project's networks" + (quick ? " (quick mode)" : ""), rows);
    }

    /** Saves the results as {@code results/baselines/results[-quick].json} (atomically), for the report. */
    public static java.nio.file.Path save(List<Baseline> results) {
        boolean quick = !results.isEmpty() && results.get(0).quick();
        java.nio.file.Path file = fashion.data.Project.resultsFolder().resolve("baselines").resolve(quick ? "results-quick.json" : "results.json");
        try {
            java.nio.file.Files.createDirectories(file.getParent());
            java.nio.file.Path tmp = java.nio.file.Files.createTempFile(file.getParent(), ".results", ".tmp");
            JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), results);
            java.nio.file.Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot save the baselines to " + file + ": " + e.getMessage(), e);
        }
        System.out.println("saved " + results.size() + " baselines to " + fashion.data.Project.display(file));
        return file;
    }

    /** The saved results of this mode, or an empty list when {@code notebooks/baselines.ipynb} has not run in it. */
    public static List<Baseline> saved(boolean quick) {
        java.nio.file.Path file = fashion.data.Project.resultsFolder().resolve("baselines").resolve(quick ? "results-quick.json" : "results.json");
        if (!java.nio.file.Files.exists(file)) {
            return List.of();
        }
        try {
            return List.of(JSON.readValue(file.toFile(), Baseline[].class));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(file + " is damaged (" + e.getMessage() + "): delete it and run notebooks/baselines.ipynb again.", e);
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private static Dataset<Label> dataset(Split split, int n) {
        MutableDataset<Label> d = new MutableDataset<>(new SimpleDataSourceProvenance(split.name() + " (" + n + " images)", LABELS), LABELS);
        d.addAll(examples(split, n));
        return d;
    }

    /** The first {@code n} images of a split as Tribuo examples (non-zero pixels only). */
    static List<Example<Label>> examples(Split split, int n) {
        List<Example<Label>> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            float[][] img = split.image(i);
            int nonZero = 0;
            for (float[] row : img) {
                for (float v : row) {
                    nonZero += v != 0 ? 1 : 0;
                }
            }
            String[] names = new String[nonZero];
            double[] values = new double[nonZero];
            int k = 0;
            for (int r = 0; r < 28; r++) {
                for (int c = 0; c < 28; c++) {
                    if (img[r][c] != 0) {
                        names[k] = NAMES[r * 28 + c];
                        values[k++] = img[r][c];
                    }
                }
            }
            out.add(new ArrayExample<>(new Label(FashionMnist.className(split.label(i))), names, values));
        }
        return out;
    }

    private static String[] names() {
        String[] n = new String[784];
        for (int i = 0; i < n.length; i++) {
            n[i] = String.format(Locale.ROOT, "p%03d", i);
        }
        return n;
    }
}
