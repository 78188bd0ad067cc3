package fashion.studies;

import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import fashion.data.FashionMnist;
import fashion.data.Project;
import fashion.data.QuickMode;
import fashion.data.Split;
import fashion.engine.StopSignal;
import fashion.evaluation.Evaluation;
import fashion.models.Model;
import fashion.training.History;
import fashion.training.ModelFiles;
import fashion.training.Training;
import fashion.training.TrainingOptions;

/** Trains one run, or finds it saved: shared by {@link Study} and {@link Runs}. */
final class Runner {
    private Runner() {
    }

    /** Everything that identifies a run; equal maps mean the saved result can stand in for training. */
    static Map<String, Object> configuration(String study, String label, Model model, Split train, FashionMnist data,
            TrainingOptions options) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("study", study);
        c.put("label", label);
        c.put("model", model.name());
        c.put("modelSettings", new LinkedHashMap<>(model.settings()));
        c.put("modelSeed", model.settings().get("seed"));
        c.put("parameters", model.parameterCount());
        c.put("epochs", QuickMode.epochs(options.epochs()));
        c.put("batchSize", options.batchSize());
        c.put("trainingSeed", options.seed());
        c.put("trainingSample", options.trainingSample());
        if (options.flipHorizontally()) {
            c.put("flipHorizontally", true);
        }
        if (options.shift() > 0) {
            c.put("shiftRandomly", options.shift());
        }
        if (options.mirrorWhenEvaluating()) {
            c.put("mirrorWhenEvaluating", true);
        }
        if (options.erasing() > 0) { // only when used: saved runs without it keep their configuration
            c.put("eraseRandomly", options.erasing());
        }
        if (options.averageWeightsMomentum() > 0) {
            c.put("averageWeights", options.averageWeightsMomentum());
        }
        if (options.labelSmoothing() > 0) {
            c.put("smoothLabels", options.labelSmoothing());
        }
        c.put("trainImages", train.size());
        c.put("validationImages", data.validation().size());
        c.put("testImages", data.test().size());
        c.put("quick", data.quick());
        return c;
    }

    /** The training options a saved configuration was trained with (the inverse of {@link #configuration}). */
    static TrainingOptions options(Map<String, Object> c) {
        TrainingOptions o = TrainingOptions.epochs(((Number) c.get("epochs")).intValue())
                .batchSize(((Number) c.get("batchSize")).intValue())
                .seed(((Number) c.get("trainingSeed")).longValue())
                .trainingSample(((Number) c.get("trainingSample")).intValue());
        if (Boolean.TRUE.equals(c.get("flipHorizontally"))) {
            o = o.flipHorizontally(true);
        }
        if (c.get("shiftRandomly") instanceof Number n) {
            o = o.shiftRandomly(n.intValue());
        }
        if (Boolean.TRUE.equals(c.get("mirrorWhenEvaluating"))) {
            o = o.mirrorWhenEvaluating(true);
        }
        if (c.get("eraseRandomly") instanceof Number p) {
            o = o.eraseRandomly(p.doubleValue());
        }
        if (c.get("averageWeights") instanceof Number m) {
            o = o.averageWeights(m.doubleValue());
        }
        if (c.get("smoothLabels") instanceof Number e) {
            o = o.smoothLabels(e.doubleValue());
        }
        return o;
    }

    /**
     * A run made from a training session that has already happened (the Part 1 and 2 notebooks, and the studies); a
     * test evaluation with mirroring also gives the run its plain accuracy.
     */
    static Run of(String study, String label, Map<String, Object> setting, Map<String, Object> configuration, History history,
            Evaluation test, Evaluation training) {
        return new Run(study, label, setting, configuration, history.epochs(), history.status(), history.message(),
                test.accuracy(), test.unmirroredAccuracy(), test.loss(), test.confusion().counts(), training == null ? null : training.confusion().counts(),
                history.seconds(), Instant.now().toString(), fashion.engine.Engine.provenance());
    }

    /**
     * The saved run with this configuration, or a newly trained and saved one. Returns null when training was
     * interrupted (nothing is saved then).
     */
    static Run trainOrLoad(ResultStore store, String study, Setting setting, Model model, Split train, FashionMnist data,
            TrainingOptions options, boolean retrain, boolean measureTraining) {
        String label = setting.values().isEmpty() ? model.name() : setting.label();
        Map<String, Object> configuration = configuration(study, label, model, train, data, options);
        if (!retrain) {
            Run saved = store.find(study, label, configuration);
            // a run that did not finish is never reused as a finished one (a diverged run is an outcome of its
            // configuration and stays marked DIVERGED); an interrupted or failed one is trained again
            if (saved != null && reusable(saved)) {
                return saved;
            }
            if (saved != null) {
                System.out.println("the saved result " + Project.display(saved.file()) + " is " + saved.status() + " ("
                        + saved.epochs().size() + " of " + configuration.get("epochs") + " epochs): not reused; training again.");
            }
            for (Run partial : store.partials(study, label, configuration)) {
                System.out.println("note: " + Project.display(partial.file()) + " holds an unfinished run (" + partial.status()
                        + ", " + partial.epochs().size() + " of " + configuration.get("epochs") + " epochs): not used.");
            }
        }
        store.checkWritable("Study.of(...).store(ResultStore.at(Path.of(\"/another/folder\"))) for a study, "
                + "Runs.useStore(ResultStore.at(Path.of(\"/another/folder\"))) for Runs.");
        History history = Training.fit(model, train, data.validation(), options);
        if (history.status() == History.Status.INTERRUPTED) {
            return null;
        }
        Evaluation test;
        Evaluation onTrain;
        try {
            test = Evaluation.of(model, data.test(), options.mirrorWhenEvaluating());
            onTrain = measureTraining ? Evaluation.of(model, train, options.mirrorWhenEvaluating()) : null;
        } catch (StopSignal.Stopped stopped) {
            System.out.println("interrupted while measuring " + label + " on the test set: this run is not saved.");
            return null;
        }
        return saveOrKeep(store, of(study, label, setting.values(), configuration, history, test, onTrain), model);
    }

    /** Whether a saved run may stand in for training: finished, or diverged (shown as such). */
    static boolean reusable(Run saved) {
        return saved.status() == History.Status.COMPLETED || saved.status() == History.Status.DIVERGED;
    }

    /**
     * Saves {@code run}; when that fails (disk full, folder removed or made read-only meanwhile), keeps the run in
     * memory (its {@link Run#file()} stays null), says so on stderr with the reason and how to save it elsewhere, and
     * returns it: a trained result is never thrown away because it could not be written.
     */
    static Run saveOrKeep(ResultStore store, Run run, Model model) {
        try {
            return saveWithNetwork(store, run, model);
        } catch (StudyException | ModelFiles.ModelFileException e) {
            System.err.println("WARNING: " + e.getMessage() + "\nThe result of " + run.study() + " / " + run.label()
                    + " is kept in memory (this notebook's variables) but NOT saved. To save it elsewhere: "
                    + "ResultStore.at(Path.of(\"/another/folder\")).save(run), e.g. for a study: "
                    + "results.runs().forEach(ResultStore.at(Path.of(\"/another/folder\"))::save);");
            return run;
        }
    }

    /**
     * Saves the trained network beside the run's result file (first, so that a result never names a network that is
     * not there), then the result. When the result cannot be saved, the network file just written is removed again
     * (no network without its result) and the run stays unsaved ({@link Run#file()} null).
     */
    static Run saveWithNetwork(ResultStore store, Run run, Model model) {
        Path network = Run.networkFileFor(store.pathFor(run.study(), run.label(), run.configuration()));
        ModelFiles.save(model, network);
        try {
            return store.save(run);
        } catch (RuntimeException e) {
            try {
                java.nio.file.Files.deleteIfExists(network);
            } catch (java.io.IOException ignored) {
                // the result's own error says what went wrong; a stray network file is reused or replaced next time
            }
            throw e;
        }
    }
}
