package fashion.studies;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

import fashion.data.FashionMnist;
import fashion.data.Split;
import fashion.engine.StopSignal;
import fashion.models.Model;
import fashion.training.Interrupts;
import fashion.training.TrainingOptions;

/**
 * A hyperparameter study: a grid of settings, one model per setting, each trained the same way, measured on
 * the test set and saved under {@code results/}.
 *
 * <pre>
 * var results = Study.of("learning-rate")
 *         .vary("learningRate", 1e-2, 1e-3, 1e-4, 1e-5)
 *         .model(s -> Models.dense().learningRate(s.number("learningRate")).build())
 *         .epochs(5)
 *         .run(data);
 * results.table();  results.validationCurves();  results.testAccuracyBars();  results.conclusion();
 * </pre>
 *
 * Several {@code vary} calls make the full grid (the first parameter varies slowest). A setting whose run was
 * saved with an identical configuration (model settings, epochs, batch size, data sizes, quick mode) is read
 * back instead of trained again, unless {@link #retrain()} is called. In quick mode the data are the small
 * subset and epochs are capped at 2, and the results are saved apart from full-size ones.
 */
public final class Study {
    private final String name;
    private final Map<String, List<Object>> grid = new LinkedHashMap<>();
    private final List<Setting> explicit = new ArrayList<>();
    private Function<Setting, Model> model;
    private Function<Setting, TrainingOptions> training;
    private int epochs = 5;
    private int batchSize = 32;
    private int trainingImages;
    private boolean retrain;
    private boolean progress = true;
    private ResultStore store = ResultStore.standard();

    private Study(String name) {
        this.name = name;
    }

    /** A study named as its question ("learning-rate"); the name is also its folder under {@code results/}. */
    public static Study of(String name) {
        if (name == null || name.isBlank()) {
            throw new StudyException("a study needs a name, such as \"learning-rate\".");
        }
        return new Study(name);
    }

    /** Varies one parameter over the given values. */
    public Study vary(String parameter, Object... values) {
        if (values.length == 0) {
            throw new StudyException("vary(\"" + parameter + "\") needs at least one value.");
        }
        if (grid.containsKey(parameter)) {
            throw new StudyException("parameter '" + parameter + "' is already varied.");
        }
        grid.put(parameter, Arrays.asList(values));
        return this;
    }

    /** Adds one hand-picked setting (for grids that are not a full product): {@code .setting("depth", 10, "width", 500)}. */
    public Study setting(Object... namesAndValues) {
        explicit.add(Setting.of(namesAndValues));
        return this;
    }

    /** How to build the model of one setting. */
    public Study model(Function<Setting, Model> factory) {
        this.model = factory;
        return this;
    }

    /** Epochs of every run (default 5; at most 2 in quick mode). */
    public Study epochs(int epochs) {
        this.epochs = epochs;
        return this;
    }

    /** Minibatch size of every run (default 32, Keras' default). */
    public Study batchSize(int size) {
        this.batchSize = size;
        return this;
    }

    /**
     * Trains on a class-balanced subset of this many training images (the first {@code n/10} of each class)
     * instead of all 55,000; validation and test sets stay whole. Every setting sees the same images.
     */
    public Study trainingImages(int n) {
        this.trainingImages = n;
        return this;
    }

    /** Per-setting training options, for studies that vary how training runs (batch size, ...); overrides epochs and batchSize. */
    public Study training(Function<Setting, TrainingOptions> options) {
        this.training = options;
        return this;
    }

    /** Trains every setting again, replacing saved results. */
    public Study retrain() {
        this.retrain = true;
        return this;
    }

    /** Whether to show live training progress (default true). */
    public Study progress(boolean show) {
        this.progress = show;
        return this;
    }

    /** Where results are saved (default: the project's {@code results/} folder). */
    public Study store(ResultStore store) {
        this.store = store;
        return this;
    }

    public String name() {
        return name;
    }

    /** The settings the study will run, in order. */
    public List<Setting> settings() {
        List<Setting> out = new ArrayList<>();
        if (!grid.isEmpty()) {
            product(new ArrayList<>(grid.keySet()), 0, new LinkedHashMap<>(), out);
        }
        out.addAll(explicit);
        if (out.isEmpty()) {
            out.add(new Setting(Map.of()));
        }
        return out;
    }

    private void product(List<String> keys, int k, Map<String, Object> current, List<Setting> out) {
        if (k == keys.size()) {
            out.add(new Setting(current));
            return;
        }
        for (Object v : grid.get(keys.get(k))) {
            current.put(keys.get(k), v);
            product(keys, k + 1, current, out);
        }
        current.remove(keys.get(k));
    }

    /** The training split the runs use (all of it, or the balanced subset of {@link #trainingImages(int)}). */
    public Split trainingSplit(FashionMnist data) {
        Split train = data.train();
        if (trainingImages <= 0 || trainingImages >= train.size()) {
            return train;
        }
        return train.balancedHead(Math.max(1, trainingImages / 10));
    }

    /** Runs every setting (or reads it from {@code results/}) and returns the comparison. */
    public StudyResults run(FashionMnist data) {
        fashion.engine.Arguments.required(data, "Study.run", "the data", "Pass FashionMnist.load().");
        if (model == null) {
            throw new StudyException("study '" + name + "' has no model: add .model(setting -> Models....build()).");
        }
        Split train = trainingSplit(data);
        List<Setting> settings = settings();
        List<Run> runs = new ArrayList<>();
        String note = "";
        long start = System.nanoTime();
        // the interrupt button stops the study at its next step (a batch, a chunk of an evaluation, between settings),
        // keeping the settings finished so far; a result being saved is written first (Interrupts)
        try (Interrupts.Section section = Interrupts.cooperate()) {
            for (int i = 0; i < settings.size(); i++) {
                Setting s = settings.get(i);
                if (StopSignal.requested()) {
                    note = "interrupted after setting " + i + " of " + settings.size() + ": the results show the settings "
                            + "finished before it.";
                    System.out.println(note);
                    break;
                }
                TrainingOptions options = (training != null ? training.apply(s) : TrainingOptions.epochs(epochs).batchSize(batchSize))
                        .progress(progress);
                Model m = model.apply(s);
                Run run = Runner.trainOrLoad(store, name, s, m, train, data, options, retrain, false);
                if (run == null) {
                    note = "interrupted during setting " + (i + 1) + " of " + settings.size() + " (" + s.label()
                            + "): the results show the settings finished before it.";
                    System.out.println(note);
                    break;
                }
                runs.add(run);
                System.out.println(String.format(Locale.ROOT, "[%d/%d] %s: %s, test accuracy %.4f, %.1f s training", i + 1,
                        settings.size(), run.label(), run.loaded() ? "saved result reused" : "trained", run.testAccuracy(),
                        run.trainingSeconds()));
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        try {
            store.saveIndex(name, data.quick(), runs, note);
        } catch (StudyException e) {
            System.err.println("WARNING: " + e.getMessage() + "\nThe study's results are kept in memory (returned here).");
        }
        return new StudyResults(name, runs, note, seconds);
    }

    @Override
    public String toString() {
        return "study " + name + ": " + settings().size() + " settings, " + epochs + " epochs";
    }
}
