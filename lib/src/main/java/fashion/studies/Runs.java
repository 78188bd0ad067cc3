package fashion.studies;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import fashion.data.FashionMnist;
import fashion.data.Project;
import fashion.engine.Arguments;
import fashion.data.Split;
import fashion.evaluation.Evaluation;
import fashion.models.Model;
import fashion.models.Models;
import fashion.training.ModelFiles;
import fashion.training.History;
import fashion.training.TrainingOptions;

/**
 * Named single runs (Part 1, Part 2) saved beside the studies, so that the report can read them.
 *
 * <pre>
 * // in the Part 2 notebook, after training and evaluating:
 * Runs.save("part2-convolutional", model, data, options, history, onTrain, test);
 * // in the report: the saved run with the same configuration, or trained now if there is none
 * Run part2 = Runs.loadOrTrain("part2-convolutional", Models::seedCnn, data, TrainingOptions.epochs(5));
 * </pre>
 */
public final class Runs {
    private static volatile ResultStore store = ResultStore.standard();

    private Runs() {
    }

    /**
     * Saves a run trained in the notebook (training evaluation optional: pass null) and prints where, relative to the
     * project. Returns nothing, so that a cell ending with it shows the save line only (the run's curves were shown by
     * the cell that trained it). A run that did not finish (interrupted, diverged, failed) is saved marked as such in
     * its own file ({@code ...-interrupted.json}), never in place of a finished run, and is never reused by
     * {@link #loadOrTrain}. When saving fails, the run stays in the notebook's variables and the message says how to
     * save it elsewhere; nothing is left half-written.
     */
    public static void save(String name, Model model, FashionMnist data, TrainingOptions options, History history,
            Evaluation training, Evaluation test) {
        String m = "Runs.save";
        Arguments.required(name, m, "the name", "Pass the run's name, such as \"part1-fully-connected\".");
        Arguments.required(model, m, "the model", "Pass the trained model.");
        Arguments.required(data, m, "the data", "Pass the data the model was trained on (FashionMnist.load()).");
        Arguments.required(options, m, "the training options", "Pass the TrainingOptions used for training.");
        Arguments.required(history, m, "the history", "Pass what Training.fit returned (or Training.lastHistory()).");
        Arguments.required(test, m, "the test evaluation", "Pass Evaluation.of(model, data.test()).");
        Map<String, Object> configuration = Runner.configuration(name, model.name(), model, data.train(), data, options);
        Run run = Runner.of(name, model.name(), Map.of(), configuration, history, test, training);
        try {
            if (history.status() == History.Status.COMPLETED) {
                run = Runner.saveWithNetwork(store, run, model); // the network too, for what-the-network-sees
                System.out.println("saved " + run.study() + " to " + Project.display(run.file()));
            } else {
                run = store.savePartial(run);
                System.out.println("saved " + run.study() + " to " + Project.display(run.file()) + ", marked " + history.status()
                        + " (" + history.epochs().size() + " of " + configuration.get("epochs")
                        + " epochs): it is not a finished run and will not be reused as one.");
            }
        } catch (StudyException | ModelFiles.ModelFileException e) {
            System.err.println("WARNING: " + e.getMessage() + "\nThe run is NOT saved; the model, its history and "
                    + "evaluations stay in this notebook's variables. To save it elsewhere: "
                    + "Runs.useStore(ResultStore.at(Path.of(\"/another/folder\"))), then run this cell again.");
        }
    }

    /** The saved run of this model and options, else trains, evaluates and saves it now. */
    public static Run loadOrTrain(String name, Supplier<Model> model, FashionMnist data, TrainingOptions options) {
        String m = "Runs.loadOrTrain";
        Arguments.required(name, m, "the name", "Pass the run's name, such as \"part1-fully-connected\".");
        Arguments.required(model, m, "the model factory", "Pass a factory such as Models::seedDense.");
        Arguments.required(data, m, "the data", "Pass FashionMnist.load().");
        Arguments.required(options, m, "the training options", "Pass TrainingOptions.epochs(n).");
        Run run = Runner.trainOrLoad(store, name, new Setting(Map.of()), model.get(), data.train(), data, options, false, true);
        if (run == null) {
            throw new StudyException("training of " + name + " was interrupted: nothing was saved.");
        }
        System.out.println((run.loaded() ? "loaded " : run.file() == null ? "trained (NOT saved) " : "trained and saved ")
                + name + (run.file() == null ? "" : " (" + Project.display(run.file()) + ")"));
        if (run.status() != History.Status.COMPLETED) {
            System.out.println("note: this run did not finish: " + run.status() + " after " + run.epochs().size() + " of "
                    + run.configuration().get("epochs") + " epochs (" + run.message() + ")");
        }
        return run;
    }

    /**
     * The trained network of a named run: the saved run of this model and options with its saved network, else the
     * model trained, evaluated and saved now (also when the run was saved before networks were kept).
     *
     * <pre>
     * Model part2 = Runs.trainedModel("part2-convolutional", Models::seedCnn, data, TrainingOptions.epochs(5));
     * </pre>
     *
     * @throws StudyException when training was interrupted (nothing is saved then)
     */
    public static Model trainedModel(String name, Supplier<Model> model, FashionMnist data, TrainingOptions options) {
        Model m = model.get();
        Map<String, Object> configuration = Runner.configuration(name, m.name(), m, data.train(), data, options);
        Run saved = store.find(name, m.name(), configuration);
        if (saved != null && saved.hasNetwork()) {
            ModelFiles.restore(m, saved.networkFile());
            System.out.println("loaded " + name + " and its network (" + Project.display(saved.networkFile()) + "): " + saved);
            return m;
        }
        Run run = Runner.trainOrLoad(store, name, new Setting(Map.of()), m, data.train(), data, options, true, true);
        if (run == null) {
            throw new StudyException("training of " + name + " was interrupted: nothing was saved.");
        }
        System.out.println("trained and saved " + name + " (" + Project.display(run.networkFile()) + "): " + run);
        return m;
    }

    /**
     * The trained network of the best setting (highest test accuracy) of the latest run of {@code study} in this mode
     * (quick or full), as its notebook saved it. A run saved without its network is trained again from its saved
     * configuration (model settings and training options) and saved with it, so the study's own recipe is what counts.
     *
     * @throws StudyException when the study has not been run in this mode (run its notebook first), or when its best
     *         run has no saved network and its settings cannot be rebuilt
     */
    public static Model bestModel(String study, FashionMnist data) {
        List<Run> runs = store.latest(study, data.quick());
        if (runs == null || runs.isEmpty()) {
            throw new StudyException("the study " + study + " has not been run" + (data.quick() ? " in quick mode" : "")
                    + " yet: run its notebook first (environment/run " + (data.quick() ? "--quick " : "")
                    + "notebooks/studies/" + study + ".ipynb).");
        }
        Run best = new StudyResults(study, runs, "", 0).best();
        @SuppressWarnings("unchecked")
        Map<String, Object> settings = (Map<String, Object>) best.configuration().get("modelSettings");
        String label = String.valueOf(best.configuration().get("model"));
        if (best.hasNetwork()) {
            Model m = Model.restored(label, ModelFiles.load(best.networkFile()), Model.Input.IMAGE, settings);
            System.out.println("loaded the best network of " + study + " (" + Project.display(best.networkFile()) + "): " + best);
            return m;
        }
        Model m = Models.fromSettings(label, settings);
        TrainingOptions options = Runner.options(best.configuration());
        int trainImages = best.trainImages();
        Split train = trainImages > 0 && trainImages < data.train().size() ? data.train().balancedHead(Math.max(1, trainImages / 10))
                : data.train(); // as Study.trainingSplit chose it
        Run run = Runner.trainOrLoad(store, study, new Setting(best.setting()), m, train, data, options, true, false);
        if (run == null) {
            throw new StudyException("training of " + study + " / " + label + " was interrupted: nothing was saved.");
        }
        if (!run.file().equals(best.file())) {
            throw new StudyException(run.file(), "retraining " + label + " from its saved settings gave a different configuration"
                    + " than the study saved (" + best.file() + "): run notebooks/studies/" + study + ".ipynb again.", null);
        }
        System.out.println("trained and saved the best network of " + study + " (" + Project.display(run.networkFile()) + "): " + run);
        return m;
    }

    /**
     * The latest saved run named {@code name} in this mode (quick or full), without training: null when there is none.
     * For a study (such as "best-model"), the best setting of its latest run.
     */
    public static Run saved(String name, boolean quick) {
        List<Run> study = store.latest(name, quick);
        if (study != null && !study.isEmpty()) {
            return new StudyResults(name, study, "", 0).best();
        }
        return store.all(name).stream().filter(r -> r.quick() == quick)
                .max(java.util.Comparator.comparing(Run::created)).orElse(null);
    }

    /** For tests and tools: where runs are saved (default: the project's {@code results/}). */
    public static void useStore(ResultStore s) {
        store = s;
    }
}
