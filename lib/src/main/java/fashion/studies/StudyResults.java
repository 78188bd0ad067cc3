package fashion.studies;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import fashion.plots.Chart;
import fashion.plots.StudyPlots;
import fashion.training.History;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** The runs of a study side by side: a table, the validation curves, the test accuracies and a computed conclusion. */
public final class StudyResults {
    private final String study;
    private final List<Run> runs;
    private final String note;
    private final double seconds;

    StudyResults(String study, List<Run> runs, String note, double seconds) {
        this.study = study;
        this.runs = List.copyOf(runs);
        this.note = note == null ? "" : note;
        this.seconds = seconds;
    }

    /** Results of saved runs, without training (for the report). */
    public static StudyResults of(String study, List<Run> runs) {
        return new StudyResults(study, runs, "", 0);
    }

    /**
     * The results of the latest run of a study in the current mode (quick or full), read from {@code results/}
     * without training; empty, with a conclusion saying which notebook to run, when the study has not run yet.
     */
    public static StudyResults saved(String study) {
        boolean quick = fashion.data.QuickMode.enabled();
        List<Run> runs = ResultStore.standard().latest(study, quick);
        if (runs == null) {
            return new StudyResults(study, List.of(), "not run yet" + (quick ? " in quick mode" : "")
                    + ": run notebooks/studies/" + study + ".ipynb first.", 0);
        }
        // an interrupted study is not a finished one: its note ("interrupted during setting 2 of 4 ...") goes along
        return new StudyResults(study, runs, ResultStore.standard().latestNote(study, quick), 0);
    }

    /** One row per study: settings run, best setting, its test accuracy, the runner-up and the margin. */
    public static Table overview(List<StudyResults> studies) {
        StringColumn name = StringColumn.create("study");
        IntColumn n = IntColumn.create("settings");
        StringColumn best = StringColumn.create("best setting");
        DoubleColumn acc = DoubleColumn.create("best test accuracy");
        StringColumn second = StringColumn.create("runner-up");
        DoubleColumn margin = DoubleColumn.create("margin");
        for (StudyResults r : studies) {
            List<Run> ranked = r.ranked();
            name.append(r.study());
            n.append(r.runs().size());
            best.append(ranked.isEmpty() ? "(not run yet)" : ranked.get(0).label());
            acc.append(ranked.isEmpty() ? Double.NaN : ranked.get(0).testAccuracy());
            second.append(ranked.size() < 2 ? "" : ranked.get(1).label());
            margin.append(ranked.size() < 2 ? Double.NaN : ranked.get(0).testAccuracy() - ranked.get(1).testAccuracy());
        }
        return Table.create("The studies at a glance", name, n, best, acc, second, margin);
    }

    public String study() {
        return study;
    }

    public List<Run> runs() {
        return runs;
    }

    /** The run of the setting with this label. */
    public Run run(String label) {
        return runs.stream().filter(r -> r.label().equals(label)).findFirst()
                .orElseThrow(() -> new StudyException("study " + study + " has no setting '" + label + "'."));
    }

    /** Wall-clock seconds this call of {@code run} took (training, evaluation and loading). */
    public double seconds() {
        return seconds;
    }

    /** The run with the highest test accuracy. */
    public Run best() {
        return ranked().stream().findFirst().orElseThrow(() -> new StudyException("study " + study + " has no finished run."));
    }

    private List<Run> ranked() {
        List<Run> r = new ArrayList<>(runs.stream().filter(x -> Double.isFinite(x.testAccuracy())).toList());
        r.sort(Comparator.comparingDouble(Run::testAccuracy).reversed());
        return r;
    }

    /**
     * One row per setting: setting, parameters, final training accuracy, final validation accuracy, test accuracy,
     * epochs, training seconds, and how the run ended.
     */
    public Table table() {
        StringColumn setting = StringColumn.create("setting");
        LongColumn params = LongColumn.create("parameters");
        DoubleColumn train = DoubleColumn.create("training accuracy");
        DoubleColumn val = DoubleColumn.create("validation accuracy");
        DoubleColumn test = DoubleColumn.create("test accuracy");
        IntColumn epochs = IntColumn.create("epochs");
        DoubleColumn secs = DoubleColumn.create("training seconds");
        StringColumn status = StringColumn.create("status");
        for (Run r : runs) {
            setting.append(r.label());
            Object p = r.configuration().get("parameters");
            params.append(p instanceof Number n ? n.longValue() : 0L);
            train.append(r.trainingAccuracy());
            val.append(r.validationAccuracy());
            test.append(r.testAccuracy());
            epochs.append(r.epochs().size());
            secs.append(r.trainingSeconds());
            status.append(r.status() == History.Status.COMPLETED ? (r.loaded() ? "saved" : "trained") : r.status().name().toLowerCase(Locale.ROOT));
        }
        String caption = "Study " + study + (runs.isEmpty() ? "" : String.format(Locale.ROOT, " (%d training images%s)",
                runs.get(0).trainImages(), runs.get(0).quick() ? ", quick mode" : ""));
        Table table = Table.create(caption, setting, params, train, val, test, epochs, secs, status);
        if (runs.stream().anyMatch(r -> Double.isFinite(r.unmirroredTestAccuracy()))) {
            test.setName("test accuracy (with mirroring)");
            DoubleColumn plain = DoubleColumn.create("test accuracy without mirroring");
            runs.forEach(r -> plain.append(r.unmirroredTestAccuracy()));
            table.insertColumn(table.columnIndex(test) + 1, plain);
        }
        return table;
    }

    /** Every setting's validation accuracy per epoch, in one figure. */
    public Chart validationCurves() {
        Map<String, double[]> curves = new LinkedHashMap<>();
        for (Run r : runs) {
            curves.put(r.label(), r.epochs().stream().mapToDouble(e -> e.validationAccuracy()).toArray());
        }
        return StudyPlots.validationCurves("Validation accuracy per epoch: " + study, curves);
    }

    /** Test accuracy of every setting as bars. */
    public Chart testAccuracyBars() {
        Map<String, Double> bars = new LinkedHashMap<>();
        for (Run r : runs) {
            bars.put(r.label(), r.testAccuracy());
        }
        return StudyPlots.accuracyBars("Test accuracy: " + study, bars);
    }

    /**
     * A sentence computed from the numbers: the best setting, its test accuracy, and its margin over the runner-up,
     * compared with the test set's sampling error.
     */
    public String conclusion() {
        List<Run> r = ranked();
        if (r.isEmpty()) {
            return "No setting of study " + study + " finished" + (note.isEmpty() ? "." : ": " + note);
        }
        Run best = r.get(0);
        StringBuilder sb = new StringBuilder();
        String budget = String.format(Locale.ROOT, "%d epochs on %,d training images", best.epochs().size(), best.trainImages());
        if (r.size() == 1) {
            sb.append(String.format(Locale.ROOT, "%s reaches a test accuracy of %.4f (validation %.4f) after %s.", best.label(),
                    best.testAccuracy(), best.validationAccuracy(), budget));
            if (Double.isFinite(best.unmirroredTestAccuracy())) {
                sb.append(String.format(Locale.ROOT, " Each image and its mirror image were classified together (test-time "
                        + "mirroring); on the images alone the same network scores %.4f.", best.unmirroredTestAccuracy()));
            }
        } else {
            Run second = r.get(1);
            Run worst = r.get(r.size() - 1);
            double margin = best.testAccuracy() - second.testAccuracy();
            int n = Math.max(1, best.testImages());
            double p = best.testAccuracy();
            double q = second.testAccuracy();
            // standard error of the difference of two accuracies on the same-sized test set (treated as independent)
            double se = Math.sqrt(p * (1 - p) / n + q * (1 - q) / n);
            sb.append(String.format(Locale.ROOT, "Best: %s, with a test accuracy of %.4f, %.4f (%.1f points) above the runner-up %s (%.4f)",
                    best.label(), p, margin, 100 * margin, second.label(), q));
            if (r.size() > 2) {
                sb.append(String.format(Locale.ROOT, "; the worst setting, %s, reaches %.4f", worst.label(), worst.testAccuracy()));
            }
            sb.append(String.format(Locale.ROOT, " (%s). ", budget));
            if (margin < 2 * se) {
                sb.append(String.format(Locale.ROOT, "The margin over the runner-up is within two standard errors (%.4f) of the "
                        + "difference on %,d test images: the two are not clearly different.", 2 * se, n));
            } else {
                sb.append(String.format(Locale.ROOT, "The margin over the runner-up exceeds two standard errors (%.4f) of the "
                        + "difference on %,d test images.", 2 * se, n));
            }
        }
        long failed = runs.stream().filter(x -> x.status() != History.Status.COMPLETED).count();
        if (failed > 0) {
            sb.append(' ').append(failed).append(failed == 1 ? " setting" : " settings").append(" did not complete (see the status column).");
        }
        if (best.quick()) {
            sb.append(" Quick mode: a small subset and at most 2 epochs, so these numbers only show that the study runs.");
        }
        if (!note.isEmpty()) {
            sb.append(' ').append(note);
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return table().printAll() + "\n" + conclusion();
    }
}
