package fashion.plots;

import java.util.List;
import java.util.Locale;

import org.deeplearning4j.nn.api.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;

import fashion.data.FashionMnist;
import fashion.data.Split;
import fashion.evaluation.ConfusionMatrix;
import fashion.evaluation.Evaluation;
import fashion.models.Model;
import fashion.training.Epoch;
import fashion.training.History;
import tech.tablesaw.plotly.components.Axis;
import tech.tablesaw.plotly.components.Figure;
import tech.tablesaw.plotly.components.Layout;
import tech.tablesaw.plotly.components.Line;
import tech.tablesaw.plotly.traces.HeatmapTrace;
import tech.tablesaw.plotly.traces.ScatterTrace;

/**
 * The project's figures: training curves, confusion matrices and image grids.
 *
 * <pre>
 * Plots.history(history)               // loss and accuracy, training and validation, per epoch
 * Plots.confusion(test.confusion())    // annotated heatmap with class names
 * Plots.samples(data.train(), 2)       // two images of every class
 * </pre>
 */
public final class Plots {
    static final int WIDTH = 760;
    static final int HEIGHT = 440;

    private Plots() {
    }

    /** Loss (left axis) and accuracy (right axis) of training and validation, per epoch. */
    public static Chart history(History history) {
        List<Epoch> epochs = history.epochs();
        double[] x = new double[epochs.size()];
        double[] loss = new double[x.length];
        double[] valLoss = new double[x.length];
        double[] acc = new double[x.length];
        double[] valAcc = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            Epoch e = epochs.get(i);
            x[i] = e.epoch();
            loss[i] = e.trainLoss();
            valLoss[i] = e.validationLoss();
            acc[i] = e.trainAccuracy();
            valAcc[i] = e.validationAccuracy();
        }
        ScatterTrace.Mode mode = ScatterTrace.Mode.LINE_AND_MARKERS;
        Figure figure = new Figure(Layout.builder()
                .title("Loss and accuracy: " + history.model())
                .width(WIDTH).height(HEIGHT)
                .xAxis(Axis.builder().title("epoch").build())
                .yAxis(Axis.builder().title("loss").build())
                .yAxis2(Axis.builder().title("accuracy").overlaying(ScatterTrace.YAxis.Y).side(Axis.Side.right).build())
                .build(),
                ScatterTrace.builder(x, loss).name("training loss").mode(mode).build(),
                ScatterTrace.builder(x, valLoss).name("validation loss").mode(mode)
                        .line(Line.builder().dash(Line.Dash.DASH).build()).build(),
                ScatterTrace.builder(x, acc).name("training accuracy").mode(mode).yAxis(ScatterTrace.YAxis.Y2).build(),
                ScatterTrace.builder(x, valAcc).name("validation accuracy").mode(mode).yAxis(ScatterTrace.YAxis.Y2)
                        .line(Line.builder().dash(Line.Dash.DASH).build()).build());
        String extra = "layout.legend = {orientation: 'h', y: -0.2};"
                + "layout.xaxis.dtick = 1;";
        return new Chart("Loss and accuracy: " + history.model(), figure, extra);
    }

    /** The confusion matrix as a heatmap: rows the true class, columns the predicted class, counts in the cells. */
    public static Chart confusion(ConfusionMatrix matrix) {
        List<String> names = matrix.classNames();
        int[][] counts = matrix.counts();
        double[][] z = new double[counts.length][counts.length];
        for (int i = 0; i < counts.length; i++) {
            for (int j = 0; j < counts.length; j++) {
                z[i][j] = counts[i][j];
            }
        }
        String title = String.format(Locale.ROOT, "Confusion matrix, %s data (%d images, accuracy %.4f)",
                matrix.title(), matrix.total(), matrix.accuracy());
        Figure figure = new Figure(Layout.builder().title(title).width(WIDTH).height(620)
                .xAxis(Axis.builder().title("predicted class").build())
                .yAxis(Axis.builder().title("true class").build()).build(),
                HeatmapTrace.builder(names.toArray(), names.toArray(), z).build());
        String extra = "trace0.colorscale = 'Blues'; trace0.reversescale = true;"
                + "trace0.text = " + PlotlyHtml.json(counts) + ";"
                + "trace0.texttemplate = '%{text}';"
                + "trace0.hovertemplate = 'true %{y}<br>predicted %{x}<br>%{z} images<extra></extra>';"
                + "layout.yaxis.autorange = 'reversed';"
                + "layout.margin = {l: 110, b: 110};";
        return new Chart(title, figure, extra);
    }

    /** {@code perClass} images of every class from {@code split}, one class per row, with their class names. */
    public static ImageGrid samples(Split split, int perClass) {
        int classes = FashionMnist.CLASS_NAMES.size();
        ImageGrid grid = new ImageGrid("Sample " + split.name() + " images", perClass, 3);
        int[] taken = new int[classes];
        for (int c = 0; c < classes; c++) {
            for (int i = 0; i < split.size() && taken[c] < perClass; i++) {
                if (split.label(i) == c) {
                    grid.add(split.image(i), FashionMnist.className(c));
                    taken[c]++;
                }
            }
        }
        return grid;
    }

    /** The {@code count} most confident mistakes of an evaluation: true class, predicted class and confidence. */
    public static ImageGrid mistakes(Evaluation evaluation, Split split, int count) {
        int[] wrong = evaluation.mistakes();
        ImageGrid grid = new ImageGrid(String.format(Locale.ROOT, "Misclassified %s images, most confident first (%d of %d wrong)",
                split.name(), Math.min(count, wrong.length), wrong.length), 8, 3);
        for (int k = 0; k < Math.min(count, wrong.length); k++) {
            int i = wrong[k];
            grid.add(split.image(i), String.format(Locale.ROOT, "true: %s, predicted: %s (%.0f%%)",
                    FashionMnist.className(evaluation.label(i)), FashionMnist.className(evaluation.predicted(i)),
                    100.0 * evaluation.confidence(i)));
        }
        return grid;
    }

    /** The learned filters of the model's first convolution layer, each scaled to [0, 1]. */
    public static ImageGrid filters(Model model) {
        Layer first = model.network().getLayer(0);
        INDArray w = first.getParam("W");
        if (w == null || w.rank() != 4) {
            throw new IllegalArgumentException(model.name() + " has no convolution layer first (its first layer is "
                    + first.getClass().getSimpleName() + ")");
        }
        long filters = w.size(0);
        int kh = (int) w.size(2);
        int kw = (int) w.size(3);
        ImageGrid grid = new ImageGrid("Learned filters of the first convolution layer (" + filters + " filters, "
                + kh + "x" + kw + ", input channel 1; dark negative, light positive)", (int) Math.min(filters, 8), Math.max(4, 60 / kh));
        for (int f = 0; f < filters; f++) {
            float[][] k = new float[kh][kw];
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            for (int r = 0; r < kh; r++) {
                for (int c = 0; c < kw; c++) {
                    k[r][c] = w.getFloat(f, 0, r, c);
                    min = Math.min(min, k[r][c]);
                    max = Math.max(max, k[r][c]);
                }
            }
            float span = Math.max(max - min, 1e-12f);
            for (float[] row : k) {
                for (int c = 0; c < kw; c++) {
                    row[c] = (row[c] - min) / span;
                }
            }
            grid.add(k, "filter " + (f + 1));
        }
        return grid;
    }
}
