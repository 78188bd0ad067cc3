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
 * Several {@code vary} calls make the full grid (the first parameter varies slowest). With {@link #repeats(int)}
 * every setting is trained with several seeds and the results give each setting's mean and spread. A setting whose run was
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
    private int repeats = 1;
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

    /**
     * Trains every setting {@code n} times, with model seeds 42, 43, ... (weight initialisation and dropout: the model
     * factory must pass {@link Setting#seed()} to its builder) and training seeds offset by 0, 1, ... (the order of
     * the images and their augmentation). Repeat 0 is exactly the single-seed run, so runs saved before are reused as
     * seed 0. All settings are trained with the first seed before any with the second, so an interrupted study still
     * compares every setting. Default 1. In quick mode at most 2 seeds are trained.
     */
    public Study repeats(int n) {
        if (n < 1) {
            throw new StudyException("repeats(" + n + "): a study trains every setting at least once; use 3 or more seeds "
                    + "to see the spread between seeds.");
        }
        this.repeats = n;
        return this;
    }

    public int repeats() {
        return repeats;
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
        // quick mode only shows that the study runs: two seeds exercise the spreads at a third less time than three
        int repeats = data.quick() ? Math.min(this.repeats, 2) : this.repeats;
        if (repeats > 1) {
            checkSeedIsUsed(settings.get(0).repeat(1));
        }
        List<Run> runs = new ArrayList<>();
        String note = "";
        long start = System.nanoTime();
        int total = settings.size() * repeats;
        int done = 0;
        // the interrupt button stops the study at its next step (a batch, a chunk of an evaluation, between runs),
        // keeping the runs finished so far; a result being saved is written first (Interrupts)
        try (Interrupts.Section section = Interrupts.cooperate()) {
            runs:
            for (int r = 0; r < repeats; r++) {
                for (Setting base : settings) {
                    Setting s = base.repeat(r);
                    if (StopSignal.requested()) {
                        note = "interrupted after run " + done + " of " + total + ": the results show the runs finished "
                                + "before it.";
                        System.out.println(note);
                        break runs;
                    }
                    TrainingOptions options = options(s);
                    Model m = model.apply(s);
                    Run run = Runner.trainOrLoad(store, name, s, m, train, data, options, retrain, false);
                    done++;
                    String which = (s.values().isEmpty() ? m.name() : s.label()) + (repeats > 1 ? ", seed " + (r + 1) + " of " + repeats : "");
                    if (run == null) {
                        note = "interrupted during run " + done + " of " + total + " (" + which
                                + "): the results show the runs finished before it.";
                        System.out.println(note);
                        break runs;
                    }
                    runs.add(run);
                    System.out.println(String.format(Locale.ROOT, "[%d/%d] %s: %s, test accuracy %.4f, %.1f s training", done,
                            total, which, run.loaded() ? "saved result reused" : "trained", run.testAccuracy(), run.trainingSeconds()));
                }
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

    /** The training options of one run: the study's, with the training seed offset by the setting's repeat. */
    private TrainingOptions options(Setting s) {
        TrainingOptions o = training != null ? training.apply(s) : TrainingOptions.epochs(epochs).batchSize(batchSize);
        return o.seed(o.seed() + s.repeat()).progress(progress);
    }

    /** With several seeds, a model factory that ignores {@link Setting#seed()} would train the same network n times. */
    private void checkSeedIsUsed(Setting second) {
        Object seed = model.apply(second).settings().get("seed");
        if (!(seed instanceof Number n) || n.longValue() != second.seed()) {
            throw new StudyException("study '" + name + "' repeats every setting with " + repeats + " seeds, but its model "
                    + "factory ignores the seed (the second repeat's model has seed " + seed + ", not " + second.seed()
                    + "): build the model with .seed(s.seed()), as in .model(s -> Models.cnn().seed(s.seed()).build()).");
        }
    }

    @Override
    public String toString() {
        return "study " + name + ": " + settings().size() + " settings" + (repeats > 1 ? " x " + repeats + " seeds" : "")
                + ", " + epochs + " epochs";
    }
}
