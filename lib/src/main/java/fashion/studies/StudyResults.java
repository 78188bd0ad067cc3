package fashion.studies;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import fashion.evaluation.Spread;
import fashion.plots.Chart;
import fashion.plots.StudyPlots;
import fashion.training.History;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The runs of a study side by side, each setting summarised over its seeds: a table (mean ± sd, min-max), the
 * validation curves (mean with a band), the test accuracies (bars with error bars) and a computed conclusion that
 * names a best setting only when its margin is beyond noise.
 */
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

    /**
     * One row per study: settings run, seeds per setting, best setting by mean test accuracy, its mean, the runner-up,
     * the margin, and whether the margin is clear of noise (see {@link #conclusion()}).
     */
    public static Table overview(List<StudyResults> studies) {
        StringColumn name = StringColumn.create("study");
        IntColumn n = IntColumn.create("settings");
        IntColumn seeds = IntColumn.create("seeds");
        StringColumn best = StringColumn.create("best setting");
        StringColumn acc = StringColumn.create("its test accuracy");
        StringColumn second = StringColumn.create("runner-up");
        DoubleColumn margin = DoubleColumn.create("margin");
        StringColumn verdict = StringColumn.create("margin beyond noise");
        for (StudyResults r : studies) {
            List<Group> ranked = r.ranked();
            name.append(r.study());
            n.append(r.groups().size());
            seeds.append(r.groups().stream().mapToInt(g -> g.test().n()).min().orElse(0));
            best.append(ranked.isEmpty() ? "(not run yet)" : ranked.get(0).label());
            acc.append(ranked.isEmpty() ? "" : ranked.get(0).test().format(4));
            second.append(ranked.size() < 2 ? "" : ranked.get(1).label());
            Comparison c = ranked.size() < 2 ? null : compare(ranked.get(0), ranked.get(1));
            margin.append(c == null ? Double.NaN : Math.round(c.margin() * 10000) / 10000.0); // as the accuracies: 4 decimals
            verdict.append(c == null ? "" : c.clear() ? "yes" : "no");
        }
        return Table.create("The studies at a glance", name, n, seeds, best, acc, second, margin, verdict);
    }

    public String study() {
        return study;
    }

    /** Every run, every seed of every setting. */
    public List<Run> runs() {
        return runs;
    }

    /** The first seed's run of the setting with this label. */
    public Run run(String label) {
        return runs.stream().filter(r -> r.label().equals(label)).findFirst()
                .orElseThrow(() -> new StudyException("study " + study + " has no setting '" + label + "'."));
    }

    /** Every seed's run of the setting with this label, in the order they were trained. */
    public List<Run> runsOf(String label) {
        List<Run> out = runs.stream().filter(r -> r.label().equals(label)).toList();
        if (out.isEmpty()) {
            throw new StudyException("study " + study + " has no setting '" + label + "'.");
        }
        return out;
    }

    /** The spread over seeds of the test accuracy of the setting with this label. */
    public Spread testAccuracy(String label) {
        return Group.of(label, runsOf(label)).test();
    }

    /**
     * For runs evaluated with test-time mirroring: the spread over seeds of the test accuracy of the same networks on the
     * images alone (no values for runs without mirroring).
     */
    public Spread unmirroredTestAccuracy(String label) {
        return Group.of(label, runsOf(label)).unmirrored();
    }

    /** Wall-clock seconds this call of {@code run} took (training, evaluation and loading). */
    public double seconds() {
        return seconds;
    }

    /** The first seed's run of the setting with the highest mean test accuracy. */
    public Run best() {
        return ranked().stream().findFirst().map(g -> g.runs().get(0))
                .orElseThrow(() -> new StudyException("study " + study + " has no finished run."));
    }

    /** The runs of one setting and the spreads of their measurements. */
    record Group(String label, List<Run> runs, Spread train, Spread validation, Spread test, Spread unmirrored, Spread seconds) {
        static Group of(String label, List<Run> runs) {
            return new Group(label, runs, Spread.of(runs.stream().mapToDouble(Run::trainingAccuracy).toArray()),
                    Spread.of(runs.stream().mapToDouble(Run::validationAccuracy).toArray()),
                    Spread.of(runs.stream().mapToDouble(Run::testAccuracy).toArray()),
                    Spread.of(runs.stream().mapToDouble(Run::unmirroredTestAccuracy).toArray()),
                    Spread.of(runs.stream().mapToDouble(Run::trainingSeconds).toArray()));
        }

        int testImages() {
            return runs.get(0).testImages();
        }
    }

    /** One group per setting, in the order the settings first appear. */
    List<Group> groups() {
        Map<String, List<Run>> byLabel = new LinkedHashMap<>();
        for (Run r : runs) {
            byLabel.computeIfAbsent(r.label(), k -> new ArrayList<>()).add(r);
        }
        List<Group> out = new ArrayList<>();
        byLabel.forEach((label, rs) -> out.add(Group.of(label, rs)));
        return out;
    }

    private List<Group> ranked() {
        List<Group> r = new ArrayList<>(groups().stream().filter(g -> g.test().n() > 0).toList());
        r.sort(Comparator.comparingDouble((Group g) -> g.test().mean()).reversed());
        return r;
    }

    /**
     * The rule that decides whether the best setting beats the runner-up: the margin between their mean test accuracies
     * must exceed both
     * <ul>
     * <li>the seed noise: two standard errors of the difference of the two means, {@code 2 sqrt(sd1^2/n1 + sd2^2/n2)}
     * from the spread between seeds (unknown, and so not passed, when either setting has a single seed), and</li>
     * <li>the test set's sampling error: two binomial standard errors of the difference of two accuracies measured on
     * {@code N} test images, {@code 2 sqrt(p1 (1 - p1) / N + p2 (1 - p2) / N)} (about 0.008 near 0.90 on 10,000 images;
     * averaging seeds does not shrink it, since every seed is tested on the same images).</li>
     * </ul>
     */
    record Comparison(double margin, double seedNoise, double testNoise, int seedsBest, int seedsSecond) {
        boolean seedsKnown() {
            return Double.isFinite(seedNoise);
        }

        boolean clear() {
            return seedsKnown() && margin > seedNoise && margin > testNoise;
        }
    }

    static Comparison compare(Spread best, Spread second, int testImages) {
        double margin = best.mean() - second.mean();
        double seedNoise = best.n() < 2 || second.n() < 2 ? Double.NaN
                : 2 * Math.sqrt(best.sd() * best.sd() / best.n() + second.sd() * second.sd() / second.n());
        int n = Math.max(1, testImages);
        double p = Math.min(1, Math.max(0, best.mean()));
        double q = Math.min(1, Math.max(0, second.mean()));
        double testNoise = 2 * Math.hypot(Spread.binomialStandardError(p, n), Spread.binomialStandardError(q, n));
        return new Comparison(margin, seedNoise, testNoise, best.n(), second.n());
    }

    private static Comparison compare(Group best, Group second) {
        return compare(best.test(), second.test(), best.testImages());
    }

    /**
     * One row per setting: setting, parameters, number of seeds, and for final training accuracy, final validation
     * accuracy, test accuracy and training seconds the mean ± standard deviation over seeds (min-max in brackets;
     * the single value for one seed), epochs, and how the runs ended.
     */
    public Table table() {
        StringColumn setting = StringColumn.create("setting");
        LongColumn params = LongColumn.create("parameters");
        IntColumn seeds = IntColumn.create("seeds");
        StringColumn train = StringColumn.create("training accuracy");
        StringColumn val = StringColumn.create("validation accuracy");
        StringColumn test = StringColumn.create("test accuracy");
        StringColumn plain = StringColumn.create("test accuracy without mirroring");
        StringColumn secs = StringColumn.create("training seconds");
        IntColumn epochs = IntColumn.create("epochs");
        StringColumn status = StringColumn.create("status");
        List<Group> groups = groups();
        for (Group g : groups) {
            Run first = g.runs().get(0);
            setting.append(g.label());
            Object p = first.configuration().get("parameters");
            params.append(p instanceof Number n ? n.longValue() : 0L);
            seeds.append(g.runs().size());
            train.append(g.train().format(4));
            val.append(g.validation().format(4));
            test.append(g.test().format(4));
            plain.append(g.unmirrored().format(4));
            secs.append(g.seconds().format(0));
            epochs.append(g.runs().stream().mapToInt(r -> r.epochs().size()).max().orElse(0));
            status.append(status(g.runs()));
        }
        boolean repeated = groups.stream().anyMatch(g -> g.runs().size() > 1);
        String caption = "Study " + study + (runs.isEmpty() ? "" : String.format(Locale.ROOT, " (%d training images%s%s)",
                runs.get(0).trainImages(), repeated ? "; mean ± sd over seeds, min-max in brackets" : "",
                runs.get(0).quick() ? ", quick mode" : ""));
        Table table = Table.create(caption, setting, params, seeds, train, val, test, secs, epochs, status);
        if (runs.stream().anyMatch(r -> Double.isFinite(r.unmirroredTestAccuracy()))) {
            test.setName("test accuracy (with mirroring)");
            table.insertColumn(table.columnIndex(test) + 1, plain);
        }
        return table;
    }

    /** One row per run: setting, seeds, final accuracies, test accuracy, training seconds and how it ended. */
    public Table runsTable() {
        StringColumn setting = StringColumn.create("setting");
        StringColumn seed = StringColumn.create("model seed / training seed");
        DoubleColumn train = DoubleColumn.create("training accuracy");
        DoubleColumn val = DoubleColumn.create("validation accuracy");
        DoubleColumn test = DoubleColumn.create("test accuracy");
        DoubleColumn plain = DoubleColumn.create("test accuracy without mirroring");
        DoubleColumn secs = DoubleColumn.create("training seconds");
        StringColumn status = StringColumn.create("status");
        for (Run r : runs) {
            setting.append(r.label());
            seed.append(r.configuration().get("modelSeed") + " / " + r.configuration().get("trainingSeed"));
            train.append(r.trainingAccuracy());
            val.append(r.validationAccuracy());
            test.append(r.testAccuracy());
            plain.append(r.unmirroredTestAccuracy());
            secs.append(Math.round(r.trainingSeconds() * 10) / 10.0);
            status.append(status(List.of(r)));
        }
        Table table = Table.create("Every run of study " + study, setting, seed, train, val, test, secs, status);
        if (runs.stream().anyMatch(r -> Double.isFinite(r.unmirroredTestAccuracy()))) {
            test.setName("test accuracy (with mirroring)");
            table.insertColumn(table.columnIndex(test) + 1, plain);
        }
        return table;
    }

    private static String status(List<Run> rs) {
        List<String> parts = new ArrayList<>();
        long completed = rs.stream().filter(r -> r.status() == History.Status.COMPLETED).count();
        long loaded = rs.stream().filter(r -> r.status() == History.Status.COMPLETED && r.loaded()).count();
        if (loaded > 0) {
            parts.add(rs.size() == 1 ? "saved" : loaded + " saved");
        }
        if (completed - loaded > 0) {
            parts.add(rs.size() == 1 ? "trained" : (completed - loaded) + " trained");
        }
        for (History.Status st : History.Status.values()) {
            long k = rs.stream().filter(r -> r.status() == st).count();
            if (st != History.Status.COMPLETED && k > 0) {
                parts.add((rs.size() == 1 ? "" : k + " ") + st.name().toLowerCase(Locale.ROOT));
            }
        }
        return String.join(", ", parts);
    }

    /** Every setting's validation accuracy per epoch, in one figure: the mean over seeds with a band of ± one sd. */
    public Chart validationCurves() {
        Map<String, List<double[]>> curves = new LinkedHashMap<>();
        for (Group g : groups()) {
            curves.put(g.label(), g.runs().stream()
                    .map(r -> r.epochs().stream().mapToDouble(e -> e.validationAccuracy()).toArray()).toList());
        }
        return StudyPlots.validationBands("Validation accuracy per epoch: " + study, curves);
    }

    /** Mean test accuracy of every setting as bars, with ± one sd over seeds as error bars and each seed as a dot. */
    public Chart testAccuracyBars() {
        Map<String, double[]> bars = new LinkedHashMap<>();
        for (Group g : groups()) {
            bars.put(g.label(), g.runs().stream().mapToDouble(Run::testAccuracy).toArray());
        }
        return StudyPlots.accuracyBarsWithSpread("Test accuracy: " + study, bars);
    }

    /**
     * A paragraph computed from the numbers: the settings ranked by mean test accuracy; the best one is named only when
     * its margin over the runner-up exceeds both the seed noise and the test set's sampling error (the rule is spelled
     * out in {@link Comparison}); otherwise the leaders are said to be within noise, with the numbers.
     */
    public String conclusion() {
        List<Group> r = ranked();
        if (r.isEmpty()) {
            return "No setting of study " + study + " finished" + (note.isEmpty() ? "." : ": " + note);
        }
        Group best = r.get(0);
        Run first = best.runs().get(0);
        StringBuilder sb = new StringBuilder();
        int seeds = best.test().n();
        String budget = String.format(Locale.ROOT, "%d epochs on %,d training images", first.epochs().size(), first.trainImages());
        String over = seeds > 1 ? String.format(Locale.ROOT, " (mean of %d seeds, sd %.4f, range %.4f-%.4f)", seeds,
                best.test().sd(), best.test().min(), best.test().max()) : "";
        if (r.size() == 1) {
            sb.append(String.format(Locale.ROOT, "%s reaches a test accuracy of %.4f%s (validation %.4f) after %s.", best.label(),
                    best.test().mean(), over, best.validation().mean(), budget));
            if (best.unmirrored().n() > 0) {
                sb.append(String.format(Locale.ROOT, " Each image and its mirror image were classified together (test-time "
                        + "mirroring); on the images alone the same network scores %s.", best.unmirrored().format(4)));
            }
        } else {
            Group second = r.get(1);
            Group worst = r.get(r.size() - 1);
            Comparison c = compare(best, second);
            String secondOver = second.test().n() > 1 ? String.format(Locale.ROOT, ", sd %.4f", second.test().sd()) : "";
            sb.append(String.format(Locale.ROOT, "Highest mean test accuracy: %s, %.4f%s; runner-up %s, %.4f%s; margin %.4f "
                    + "(%.1f points)", best.label(), best.test().mean(), over, second.label(), second.test().mean(), secondOver,
                    c.margin(), 100 * c.margin()));
            if (r.size() > 2) {
                sb.append(String.format(Locale.ROOT, "; lowest, %s, %.4f", worst.label(), worst.test().mean()));
            }
            sb.append(String.format(Locale.ROOT, " (%s). ", budget));
            String noise = String.format(Locale.ROOT, "seed noise %s (two standard errors of the difference of the means); "
                    + "test sampling error %.4f (two standard errors of the difference on %,d test images)",
                    c.seedsKnown() ? String.format(Locale.ROOT, "%.4f", c.seedNoise()) : "unknown", c.testNoise(), best.testImages());
            if (!c.seedsKnown()) {
                sb.append(String.format(Locale.ROOT, "With a single seed the spread between seeds is unknown, so no setting is "
                        + "named best; for reference the margin is %s the test set's sampling error (%s).",
                        c.margin() > c.testNoise() ? "above" : "within", noise));
            } else if (c.clear()) {
                sb.append(String.format(Locale.ROOT, "The margin exceeds both the seed noise and the test set's sampling error "
                        + "(%s): %s is the best setting of this study.", noise, best.label()));
            } else {
                List<String> leaders = new ArrayList<>();
                for (Group g : r) {
                    if (compare(best, g).clear()) {
                        break;
                    }
                    leaders.add(g.label());
                }
                sb.append(String.format(Locale.ROOT, "The margin %s (%s): %s within noise of each other.",
                        c.margin() <= c.seedNoise() && c.margin() <= c.testNoise() ? "exceeds neither the seed noise nor the test set's sampling error"
                                : c.margin() <= c.seedNoise() ? "does not exceed the seed noise" : "does not exceed the test set's sampling error",
                        noise, leaders.size() == r.size() ? "all settings (" + String.join("; ", leaders) + ") are"
                                : "the leaders (" + String.join("; ", leaders) + ") are"));
            }
        }
        long failed = runs.stream().filter(x -> x.status() != History.Status.COMPLETED).count();
        if (failed > 0) {
            sb.append(' ').append(failed).append(failed == 1 ? " run" : " runs").append(" did not complete (see the status column).");
        }
        if (first.quick()) {
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
