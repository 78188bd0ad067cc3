package fashion.explain;

import java.util.List;
import java.util.Locale;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dimensionalityreduction.PCA;
import org.nd4j.linalg.eigen.Eigen;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import fashion.data.FashionMnist;
import fashion.data.Split;
import fashion.models.Model;
import fashion.plots.Chart;
import tech.tablesaw.plotly.components.Axis;
import tech.tablesaw.plotly.components.Figure;
import tech.tablesaw.plotly.components.Layout;
import tech.tablesaw.plotly.components.Marker;
import tech.tablesaw.plotly.traces.ScatterTrace;
import tech.tablesaw.plotly.traces.Trace;

/**
 * A 2-D picture of what the network's last hidden layer (the input of its softmax layer, the "penultimate" layer)
 * makes of the images: the activations of {@code n} images projected on their first two principal components
 * (PCA: the eigenvectors of the activations' covariance matrix with the largest eigenvalues, computed with ND4J's
 * {@code PCA.covarianceMatrix} and {@code Eigen.symmetricGeneralizedEigenvalues}). Classes the network separates
 * form separate clouds; the ones it confuses overlap.
 *
 * <p>A t-SNE map, the usual picture, is not offered: Deeplearning4j's t-SNE module is not published for 1.0.0-M2.1,
 * Smile's is GPL, and no other maintained Java t-SNE is on Maven Central. PCA is linear: it keeps global distances
 * and shows less of the local cluster structure than t-SNE would.
 *
 * <pre>
 * var e = Embedding.of(model, data.test(), 3000);
 * e.chart()          // interactive scatter, one colour per class, hover: class and prediction
 * </pre>
 */
public final class Embedding {
    private final String modelName;
    private final double[][] xy;
    private final int[] truth;
    private final int[] predicted;
    private final int[] index;
    private final double[] explained;
    private final int width;

    private Embedding(String modelName, double[][] xy, int[] truth, int[] predicted, int[] index, double[] explained, int width) {
        this.modelName = modelName;
        this.xy = xy;
        this.truth = truth;
        this.predicted = predicted;
        this.index = index;
        this.explained = explained;
        this.width = width;
    }

    /**
     * The first {@code n} images of {@code split}, embedded.
     *
     * @param n 2 .. split size
     */
    public static Embedding of(Model model, Split split, int n) {
        if (n < 2 || n > split.size()) {
            throw new IllegalArgumentException("n must be 2.." + split.size() + " (the split's size), not " + n);
        }
        INDArray all = model.features(split);
        int layers = model.network().getnLayers();
        INDArray hidden = null;
        int[] pred = new int[n];
        for (int from = 0; from < n; from += 500) {
            int to = Math.min(n, from + 500);
            List<INDArray> acts = model.network().feedForward(all.get(NDArrayIndex.interval(from, to)), false);
            INDArray h = acts.get(layers - 1);
            INDArray h2 = h.reshape(h.size(0), h.length() / h.size(0)).castTo(DataType.DOUBLE);
            if (hidden == null) {
                hidden = Nd4j.create(DataType.DOUBLE, n, h2.size(1));
            }
            hidden.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).assign(h2);
            float[][] p = acts.get(layers).castTo(DataType.FLOAT).toFloatMatrix();
            for (int i = 0; i < p.length; i++) {
                pred[from + i] = Explanations.argmax(p[i]);
            }
        }
        double[][] xy = new double[n][2];
        double[] explained = project(hidden, xy);
        int[] truth = new int[n];
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            truth[i] = split.label(i);
            idx[i] = i;
        }
        return new Embedding(model.name(), xy, truth, pred, idx, explained, (int) hidden.size(1));
    }

    /**
     * Projects the rows of {@code data} [n, d] on its first two principal components into {@code xy}; returns the
     * fraction of the total variance each explains.
     */
    static double[] project(INDArray data, double[][] xy) {
        data = data.castTo(DataType.DOUBLE);
        INDArray[] cm = PCA.covarianceMatrix(data);
        INDArray cov = cm[0].castTo(DataType.DOUBLE).dup();
        INDArray mean = cm[1].castTo(DataType.DOUBLE);
        INDArray values = Eigen.symmetricGeneralizedEigenvalues(cov, true); // cov now holds the eigenvectors as columns
        double[] ev = values.castTo(DataType.DOUBLE).dup().data().asDouble();
        int first = 0;
        int second = -1;
        for (int i = 1; i < ev.length; i++) {
            if (ev[i] > ev[first]) {
                first = i;
            }
        }
        for (int i = 0; i < ev.length; i++) {
            if (i != first && (second < 0 || ev[i] > ev[second])) {
                second = i;
            }
        }
        double total = 0;
        for (double v : ev) {
            total += Math.max(v, 0);
        }
        INDArray basis = Nd4j.hstack(cov.getColumn(first, true), cov.getColumn(second, true));
        INDArray centred = data.subRowVector(mean.reshape(1, data.size(1)));
        double[][] p = centred.mmul(basis).toDoubleMatrix();
        for (int i = 0; i < p.length; i++) {
            xy[i][0] = p[i][0];
            xy[i][1] = p[i][1];
        }
        return new double[] {ev[first] / total, ev[second] / total};
    }

    /** The 2-D coordinates, {@code [n][2]}. */
    public double[][] coordinates() {
        return xy;
    }

    /** Fraction of the activations' total variance along each of the two axes. */
    public double[] explainedVariance() {
        return explained.clone();
    }

    /** Interactive scatter: one trace (colour) per true class; hover shows the image's number, class and prediction. */
    public Chart chart() {
        int classes = FashionMnist.CLASS_NAMES.size();
        Trace[] traces = new Trace[classes];
        StringBuilder extra = new StringBuilder();
        for (int c = 0; c < classes; c++) {
            int count = 0;
            for (int t : truth) {
                count += t == c ? 1 : 0;
            }
            double[] x = new double[count];
            double[] y = new double[count];
            String[] text = new String[count];
            int k = 0;
            for (int i = 0; i < truth.length; i++) {
                if (truth[i] == c) {
                    x[k] = xy[i][0];
                    y[k] = xy[i][1];
                    text[k++] = "image " + index[i] + "<br>class: " + FashionMnist.className(c) + "<br>predicted: "
                            + FashionMnist.className(predicted[i]) + (predicted[i] == c ? "" : " (wrong)");
                }
            }
            traces[c] = ScatterTrace.builder(x, y).name(FashionMnist.className(c)).mode(ScatterTrace.Mode.MARKERS)
                    .marker(Marker.builder().size(4).opacity(0.7).build()).text(text).build();
            extra.append("trace").append(c).append(".hovertemplate = '%{text}<extra></extra>';");
        }
        String title = String.format(Locale.ROOT, "Last hidden layer (%d units) of %s, %d test images, first two principal components",
                width, modelName, truth.length);
        String shortTitle = String.format(Locale.ROOT, "%s<br>last hidden layer (%d units), %d test images, PCA", modelName, width, truth.length);
        Figure figure = new Figure(Layout.builder().title(title).width(760).height(600)
                .xAxis(Axis.builder().title(String.format(Locale.ROOT, "PC 1 (%.0f%% of the variance)", 100 * explained[0])).build())
                .yAxis(Axis.builder().title(String.format(Locale.ROOT, "PC 2 (%.0f%% of the variance)", 100 * explained[1])).build())
                .build(), traces);
        extra.append("layout.legend = {itemsizing: 'constant'};");
        extra.append("layout.title = ").append(fashion.plots.PlotlyHtml.json(shortTitle)).append(";"); // two lines: tablesaw escapes <br>
        return new Chart(title, figure, extra.toString());
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "Embedding of %d images by %s (PCA, %.0f%% + %.0f%% of the variance)", truth.length, modelName,
                100 * explained[0], 100 * explained[1]);
    }
}
