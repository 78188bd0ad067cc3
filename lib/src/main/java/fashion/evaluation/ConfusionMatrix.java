package fashion.evaluation;

import java.util.List;

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
        return table().printAll();
    }
}
