package fashion.baselines;

import java.util.List;
import java.util.Locale;

import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * One classical method's result: its settings, how many training images it was given, its test accuracy and the
 * seconds it took to train and to classify the test set.
 */
public record Baseline(String method, String settings, int trainImages, int testImages, double testAccuracy, double trainSeconds,
        double testSeconds, boolean quick) {

    /** One row per result, in the given order. */
    public static Table table(String title, List<Baseline> results) {
        StringColumn m = StringColumn.create("method");
        StringColumn s = StringColumn.create("settings");
        IntColumn n = IntColumn.create("training images");
        DoubleColumn acc = DoubleColumn.create("test accuracy");
        DoubleColumn train = DoubleColumn.create("training seconds");
        DoubleColumn test = DoubleColumn.create("test seconds");
        for (Baseline b : results) {
            m.append(b.method());
            s.append(b.settings());
            n.append(b.trainImages());
            acc.append(round(b.testAccuracy(), 10000));
            train.append(round(b.trainSeconds(), 10));
            test.append(round(b.testSeconds(), 10)); // NaN (shown empty) for the networks: not measured by their runs
        }
        return Table.create(title, m, s, n, acc, train, test);
    }

    private static double round(double x, double scale) {
        return Double.isFinite(x) ? Math.round(x * scale) / scale : x;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s (%s): test accuracy %.4f on %d images, trained on %d images in %.1f s, tested in %.1f s%s",
                method, settings, testAccuracy, testImages, trainImages, trainSeconds, testSeconds, quick ? " (quick mode)" : "");
    }
}
