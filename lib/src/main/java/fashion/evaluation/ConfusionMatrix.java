package fashion.evaluation;

import java.util.List;

import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** Counts of (true class, predicted class) pairs: rows are true classes, columns predictions. */
public final class ConfusionMatrix {
    private final String title;
    private final int[][] counts;
    private final List<String> classNames;

    private ConfusionMatrix(String title, int[][] counts, List<String> classNames) {
        this.title = title;
        this.counts = counts;
        this.classNames = List.copyOf(classNames);
    }

    /** Builds the matrix from true and predicted class indices. */
    public static ConfusionMatrix of(String title, int[] truth, int[] predicted, List<String> classNames) {
        if (truth.length != predicted.length) {
            throw new IllegalArgumentException(truth.length + " true labels but " + predicted.length + " predictions");
        }
        int k = classNames.size();
        int[][] counts = new int[k][k];
        for (int i = 0; i < truth.length; i++) {
            counts[truth[i]][predicted[i]]++;
        }
        return new ConfusionMatrix(title, counts, classNames);
    }

    /** "training", "validation" or "test". */
    public String title() {
        return title;
    }

    public List<String> classNames() {
        return classNames;
    }

    /** Count of images of class {@code truth} predicted as {@code predicted}. */
    public int count(int truth, int predicted) {
        return counts[truth][predicted];
    }

    /** A copy of the counts. */
    public int[][] counts() {
        int[][] copy = new int[counts.length][];
        for (int i = 0; i < counts.length; i++) {
            copy[i] = counts[i].clone();
        }
        return copy;
    }

    /** Number of images counted. */
    public int total() {
        int t = 0;
        for (int[] row : counts) {
            for (int v : row) {
                t += v;
            }
        }
        return t;
    }

    public int correct() {
        int c = 0;
        for (int i = 0; i < counts.length; i++) {
            c += counts[i][i];
        }
        return c;
    }

    public double accuracy() {
        int t = total();
        return t == 0 ? Double.NaN : (double) correct() / t;
    }

    /** Fraction of class {@code c}'s images predicted correctly (recall). */
    public double classAccuracy(int c) {
        int row = 0;
        for (int v : counts[c]) {
            row += v;
        }
        return row == 0 ? Double.NaN : (double) counts[c][c] / row;
    }

    /** Images whose true class is {@code c} (the row sum: the class's support). */
    public int support(int c) {
        int row = 0;
        for (int v : counts[c]) {
            row += v;
        }
        return row;
    }

    /** Images predicted as class {@code c} (the column sum). */
    public int predictedAs(int c) {
        int col = 0;
        for (int[] row : counts) {
            col += row[c];
        }
        return col;
    }

    /**
     * Precision of class {@code c}: of the images predicted as {@code c}, the fraction that are {@code c},
     * {@code counts[c][c] / column sum}; NaN when nothing was predicted as {@code c}.
     */
    public double precision(int c) {
        int col = predictedAs(c);
        return col == 0 ? Double.NaN : (double) counts[c][c] / col;
    }

    /** Recall of class {@code c}: of the images of class {@code c}, the fraction found, {@code counts[c][c] / row sum}; NaN without images of {@code c}. */
    public double recall(int c) {
        return classAccuracy(c);
    }

    /** F1 score of class {@code c}: the harmonic mean {@code 2 P R / (P + R)} of precision and recall; 0 when both are 0, NaN when either is undefined. */
    public double f1(int c) {
        double p = precision(c);
        double r = recall(c);
        if (!Double.isFinite(p) || !Double.isFinite(r)) {
            return Double.NaN;
        }
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    /** Unweighted mean of the per-class precisions (classes where it is undefined are left out). */
    public double macroPrecision() {
        return macro(this::precision);
    }

    /** Unweighted mean of the per-class recalls (classes where it is undefined are left out). */
    public double macroRecall() {
        return macro(this::recall);
    }

    /** Unweighted mean of the per-class F1 scores (classes where it is undefined are left out). */
    public double macroF1() {
        return macro(this::f1);
    }

    private double macro(java.util.function.IntToDoubleFunction metric) {
        double sum = 0;
        int n = 0;
        for (int c = 0; c < counts.length; c++) {
            double v = metric.applyAsDouble(c);
            if (Double.isFinite(v)) {
                sum += v;
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /**
     * Precision, recall and F1 of every class, computed from this matrix, and a last row with their macro averages
     * (unweighted means over classes); support is the number of images of the class (the matrix's row total).
     */
    public Table classMetrics() {
        StringColumn name = StringColumn.create("class");
        IntColumn support = IntColumn.create("support");
        DoubleColumn precision = DoubleColumn.create("precision");
        DoubleColumn recall = DoubleColumn.create("recall");
        DoubleColumn f1 = DoubleColumn.create("F1");
        for (int c = 0; c < counts.length; c++) {
            name.append(classNames.get(c));
            support.append(support(c));
            precision.append(round(precision(c)));
            recall.append(round(recall(c)));
            f1.append(round(f1(c)));
        }
        name.append("macro average");
        support.append(total());
        precision.append(round(macroPrecision()));
        recall.append(round(macroRecall()));
        f1.append(round(macroF1()));
        return Table.create("Per-class metrics (" + title + "), from the confusion matrix", name, support, precision, recall, f1);
    }

    private static double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 10000) / 10000.0 : v;
    }

    /** One line with the macro averages, e.g. "macro averages over the classes: precision 0.8792, recall 0.8747, F1 0.8754". */
    public String describeMacroAverages() {
        return String.format(java.util.Locale.ROOT, "macro averages over the classes: precision %.4f, recall %.4f, F1 %.4f",
                macroPrecision(), macroRecall(), macroF1());
    }

    /** A sentence naming the {@code k} most frequent mistakes, e.g. "Shirt predicted as T-shirt/top: 120 images, ...". */
    public String describeLargestConfusions(int k) {
        java.util.List<int[]> cells = new java.util.ArrayList<>();
        for (int i = 0; i < counts.length; i++) {
            for (int j = 0; j < counts.length; j++) {
                if (i != j && counts[i][j] > 0) {
                    cells.add(new int[] {i, j});
                }
            }
        }
        cells.sort((a, b) -> Integer.compare(counts[b[0]][b[1]], counts[a[0]][a[1]]));
        StringBuilder sb = new StringBuilder("most frequent mistakes on the " + title + " data: ");
        for (int n = 0; n < Math.min(k, cells.size()); n++) {
            int[] c = cells.get(n);
            sb.append(n == 0 ? "" : "; ").append(classNames.get(c[0])).append(" predicted as ").append(classNames.get(c[1]))
                    .append(" (").append(counts[c[0]][c[1]]).append(" images)");
        }
        return cells.isEmpty() ? "no mistakes on the " + title + " data" : sb.toString();
    }

    /** The matrix as a table: one row per true class, one column per predicted class, plus the row total. */
    public Table table() {
        Table t = Table.create("Confusion matrix (" + title + "): rows true class, columns predicted class");
        t.addColumns(StringColumn.create("true \\ predicted", classNames));
        for (int j = 0; j < classNames.size(); j++) {
            IntColumn col = IntColumn.create(classNames.get(j));
            for (int[] row : counts) {
                col.append(row[j]);
            }
            t.addColumns(col);
        }
        IntColumn totals = IntColumn.create("total");
        for (int[] row : counts) {
            int s = 0;
            for (int v : row) {
                s += v;
            }
            totals.append(s);
        }
        t.addColumns(totals);
        return t;
    }

    @Override
    public String toString() {
        return table().printAll() + "\n" + classMetrics().printAll();
    }
}
