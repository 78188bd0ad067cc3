package fashion.studies;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import fashion.data.FashionMnist;
import fashion.evaluation.ConfusionMatrix;
import fashion.training.Epoch;
import fashion.training.History;

/**
 * One finished training run as saved under {@code results/}: its configuration (model settings, training
 * options, data sizes, quick mode), the metrics of every epoch, the test metrics and confusion matrix, and the
 * training time. Runs are what studies compare and what the report reads.
 */
public final class Run {
    private final String study;
    private final String label;
    private final Map<String, Object> setting;
    private final Map<String, Object> configuration;
    private final List<Epoch> epochs;
    private final History.Status status;
    private final String message;
    private final double testAccuracy;
    private final double unmirroredTestAccuracy;
    private final double testLoss;
    private final int[][] testConfusion;
    private final int[][] trainingConfusion;
    private final double trainingSeconds;
    private final String created;
    private final Map<String, String> provenance;
    private Path file;
    private boolean loaded;

    Run(String study, String label, Map<String, Object> setting, Map<String, Object> configuration, List<Epoch> epochs,
            History.Status status, String message, double testAccuracy, double unmirroredTestAccuracy, double testLoss,
            int[][] testConfusion, int[][] trainingConfusion, double trainingSeconds, String created,
            Map<String, String> provenance) {
        this.study = study;
        this.label = label;
        this.setting = Collections.unmodifiableMap(new LinkedHashMap<>(setting));
        this.configuration = Collections.unmodifiableMap(new LinkedHashMap<>(configuration));
        this.epochs = List.copyOf(epochs);
        this.status = status;
        this.message = message == null ? "" : message;
        this.testAccuracy = testAccuracy;
        this.unmirroredTestAccuracy = unmirroredTestAccuracy;
        this.testLoss = testLoss;
        this.testConfusion = testConfusion;
        this.trainingConfusion = trainingConfusion;
        this.trainingSeconds = trainingSeconds;
        this.created = created;
        this.provenance = Collections.unmodifiableMap(new LinkedHashMap<>(provenance));
    }

    /** The study (or named run, such as "part1-fully-connected") this run belongs to. */
    public String study() {
        return study;
    }

    /** The setting's label ("learningRate 1e-4"), or the model's name for a single run. */
    public String label() {
        return label;
    }

    /** The varied parameters' values (empty for a single run). */
    public Map<String, Object> setting() {
        return setting;
    }

    /** Everything that identifies the run: two runs with equal configurations are interchangeable. */
    public Map<String, Object> configuration() {
        return configuration;
    }

    public List<Epoch> epochs() {
        return epochs;
    }

    public History.Status status() {
        return status;
    }

    public String message() {
        return message;
    }

    /** The per-epoch measurements as a {@link History} (renders as loss and accuracy curves). */
    public History history() {
        return History.of(label, intConfig("batchSize"), intConfig("trainImages"), epochs, status, message);
    }

    public double testAccuracy() {
        return testAccuracy;
    }

    /**
     * For a run evaluated with test-time mirroring ({@code TrainingOptions.mirrorWhenEvaluating}): the test accuracy of
     * the same network on the images alone, as the other runs are measured; NaN for a run without mirroring.
     */
    public double unmirroredTestAccuracy() {
        return unmirroredTestAccuracy;
    }

    public double testLoss() {
        return testLoss;
    }

    /** Final training accuracy (on the fixed training sample), NaN when no epoch finished. */
    public double trainingAccuracy() {
        return epochs.isEmpty() ? Double.NaN : epochs.get(epochs.size() - 1).trainAccuracy();
    }

    /** Final validation accuracy, NaN when no epoch finished. */
    public double validationAccuracy() {
        return epochs.isEmpty() ? Double.NaN : epochs.get(epochs.size() - 1).validationAccuracy();
    }

    /** Seconds spent training (evaluation after each epoch excluded). */
    public double trainingSeconds() {
        return trainingSeconds;
    }

    public boolean quick() {
        return Boolean.TRUE.equals(configuration.get("quick"));
    }

    public int testImages() {
        return intConfig("testImages");
    }

    public int trainImages() {
        return intConfig("trainImages");
    }

    /**
     * How the run was computed, recorded when it was trained: {@code engine} ({@link fashion.engine.Engine#describe()}:
     * libraries, threads, JIT policy, and whether layer methods were chosen by timing or from the model alone, see
     * {@code FASHION_REPRODUCIBLE}), {@code cpu} (model, cores, vector flags), {@code reproducible} ("true" or
     * "false"), {@code java} (version). Empty for runs saved before 2026-12-01, which did not record it. Not part of
     * the {@linkplain #configuration() configuration}: a saved run is reused whatever engine trained it, and this says
     * which one did.
     */
    public Map<String, String> provenance() {
        return provenance;
    }

    /** ISO-8601 time the run was saved. */
    public String created() {
        return created;
    }

    /** The test set's confusion matrix. */
    public ConfusionMatrix testConfusion() {
        return confusion("test", testConfusion);
    }

    /** The training set's confusion matrix, or null when the run did not measure it (study runs do not). */
    public ConfusionMatrix trainingConfusion() {
        return trainingConfusion == null ? null : confusion("training", trainingConfusion);
    }

    int[][] testCounts() {
        return testConfusion;
    }

    int[][] trainingCounts() {
        return trainingConfusion;
    }

    /** The file the run is saved in (null until saved). */
    public Path file() {
        return file;
    }

    /**
     * Where the trained network of this run is saved, beside its result file ({@code <label>-<hash>.network.zip}, in
     * Deeplearning4j's format); null until the run is saved. Runs saved before networks were kept have no such file.
     */
    public Path networkFile() {
        return file == null ? null : networkFileFor(file);
    }

    /** Where the network of a run saved as {@code resultFile} goes ({@code <label>-<hash>.network.zip} beside it). */
    static Path networkFileFor(Path resultFile) {
        String name = resultFile.getFileName().toString();
        return resultFile.resolveSibling((name.endsWith(".json") ? name.substring(0, name.length() - 5) : name) + ".network.zip");
    }

    /** Whether this run's trained network is saved ({@link #networkFile()} exists). */
    public boolean hasNetwork() {
        Path f = networkFile();
        return f != null && java.nio.file.Files.isRegularFile(f);
    }

    /** Whether this run was read from a saved file rather than trained in this session. */
    public boolean loaded() {
        return loaded;
    }

    Run savedAt(Path file, boolean loaded) {
        this.file = file;
        this.loaded = loaded;
        return this;
    }

    private int intConfig(String key) {
        Object v = configuration.get(key);
        return v instanceof Number n ? n.intValue() : 0;
    }

    private static ConfusionMatrix confusion(String title, int[][] counts) {
        List<Integer> truth = new ArrayList<>();
        List<Integer> predicted = new ArrayList<>();
        for (int i = 0; i < counts.length; i++) {
            for (int j = 0; j < counts[i].length; j++) {
                for (int k = 0; k < counts[i][j]; k++) {
                    truth.add(i);
                    predicted.add(j);
                }
            }
        }
        return ConfusionMatrix.of(title, truth.stream().mapToInt(Integer::intValue).toArray(),
                predicted.stream().mapToInt(Integer::intValue).toArray(), FashionMnist.CLASS_NAMES);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s / %s: %d epochs, val_accuracy %.4f, test accuracy %.4f, %.1f s training%s%s",
                study, label, epochs.size(), validationAccuracy(), testAccuracy, trainingSeconds, quick() ? " (quick mode)" : "",
                status == History.Status.COMPLETED ? "" : " [" + status + ": " + message + "]");
    }
}
