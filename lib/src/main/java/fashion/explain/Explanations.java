package fashion.explain;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import fashion.data.FashionMnist;
import fashion.data.Split;
import fashion.models.Model;
import fashion.plots.ColorMaps;
import fashion.plots.ImageGrid;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Test images chosen from a network's most frequent confusions, with their saliency, occlusion and Grad-CAM maps.
 * For each of the {@code k} largest off-diagonal cells of the confusion matrix (true class {@code a} taken for
 * {@code b}) it takes the mistake the network was most sure of (an {@code a} classified as {@code b}) and the
 * correctly classified {@code a} it was most sure of. Every map explains the <em>predicted</em> class (what made the
 * network say what it said); the Grad-CAM figure also shows the true class's map.
 *
 * <pre>
 * var seen = Explanations.fromConfusions(model, data.test(), 3);
 * seen.table()                       // which images, true and predicted class, confidence
 * seen.saliencyAndOcclusion()        // image | saliency | occlusion, one row per image
 * seen.gradCam()                     // image | Grad-CAM of the predicted class | of the true class
 * </pre>
 */
public final class Explanations {
    private final Model model;
    private final Split split;
    private final int[] index;
    private final int[] truth;
    private final int[] predicted;
    private final float[] confidence;
    private final String[] role;
    private float[][][] saliency;
    private float[][][] occlusion;
    private float[][][] camPredicted;
    private float[][][] camTrue;

    private Explanations(Model model, Split split, int[] index, int[] truth, int[] predicted, float[] confidence, String[] role) {
        this.model = model;
        this.split = split;
        this.index = index;
        this.truth = truth;
        this.predicted = predicted;
        this.confidence = confidence;
        this.role = role;
    }

    /**
     * Chooses the images (2 per confusion) and computes their maps.
     *
     * @param confusions how many of the largest confusions, 1..90
     */
    public static Explanations fromConfusions(Model model, Split split, int confusions) {
        if (confusions < 1) {
            throw new IllegalArgumentException("confusions must be at least 1, not " + confusions);
        }
        float[][] p = probabilities(model, split);
        int classes = p[0].length;
        int n = split.size();
        int[] pred = new int[n];
        int[][] counts = new int[classes][classes];
        for (int i = 0; i < n; i++) {
            pred[i] = argmax(p[i]);
            counts[split.label(i)][pred[i]]++;
        }
        List<int[]> pairs = new ArrayList<>();
        for (int a = 0; a < classes; a++) {
            for (int b = 0; b < classes; b++) {
                if (a != b && counts[a][b] > 0) {
                    pairs.add(new int[] {a, b, counts[a][b]});
                }
            }
        }
        pairs.sort((x, y) -> y[2] != x[2] ? Integer.compare(y[2], x[2]) : x[0] != y[0] ? Integer.compare(x[0], y[0]) : Integer.compare(x[1], y[1]));
        List<Integer> chosen = new ArrayList<>();
        List<String> roles = new ArrayList<>();
        for (int[] pair : pairs.subList(0, Math.min(confusions, pairs.size()))) {
            int mistake = -1;
            int correct = -1;
            for (int i = 0; i < n; i++) {
                if (split.label(i) != pair[0]) {
                    continue;
                }
                if (pred[i] == pair[1] && (mistake < 0 || p[i][pair[1]] > p[mistake][pair[1]])) {
                    mistake = i;
                }
                if (pred[i] == pair[0] && !chosen.contains(i) && (correct < 0 || p[i][pair[0]] > p[correct][pair[0]])) {
                    correct = i;
                }
            }
            String what = String.format(Locale.ROOT, "%s taken for %s (%d test images)", FashionMnist.className(pair[0]),
                    FashionMnist.className(pair[1]), pair[2]);
            chosen.add(mistake);
            roles.add("mistake: " + what);
            if (correct >= 0) {
                chosen.add(correct);
                roles.add("correct " + FashionMnist.className(pair[0]) + " (confusion: " + what + ")");
            }
        }
        int[] idx = chosen.stream().mapToInt(Integer::intValue).toArray();
        int[] t = new int[idx.length];
        int[] pr = new int[idx.length];
        float[] conf = new float[idx.length];
        for (int j = 0; j < idx.length; j++) {
            t[j] = split.label(idx[j]);
            pr[j] = pred[idx[j]];
            conf[j] = p[idx[j]][pr[j]];
        }
        Explanations e = new Explanations(model, split, idx, t, pr, conf, roles.toArray(String[]::new));
        e.compute();
        return e;
    }

    private void compute() {
        INDArray x = images();
        saliency = Saliency.maps(model, x, predicted);
        occlusion = Occlusion.maps(model, x, predicted);
        camPredicted = GradCam.maps(model, x, predicted);
        camTrue = GradCam.maps(model, x, truth);
    }

    /** The chosen images as {@code [n, 1, 28, 28]}. */
    public INDArray images() {
        INDArray x = Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, index.length, 1, 28, 28);
        for (int j = 0; j < index.length; j++) {
            x.get(org.nd4j.linalg.indexing.NDArrayIndex.point(j)).assign(Nd4j.create(split.image(index[j])).reshape(1, 28, 28));
        }
        return x;
    }

    /** Positions of the chosen images in the split. */
    public int[] indices() {
        return index.clone();
    }

    public float[][][] saliency() {
        return saliency;
    }

    public float[][][] occlusion() {
        return occlusion;
    }

    public float[][][] gradCamPredicted() {
        return camPredicted;
    }

    public float[][][] gradCamTrue() {
        return camTrue;
    }

    /** One row per image: its position in the split, why it was chosen, true and predicted class, confidence. */
    public Table table() {
        IntColumn i = IntColumn.create("test image");
        StringColumn why = StringColumn.create("chosen as");
        StringColumn t = StringColumn.create("true class");
        StringColumn p = StringColumn.create("predicted class");
        DoubleColumn c = DoubleColumn.create("confidence");
        for (int j = 0; j < index.length; j++) {
            i.append(index[j]);
            why.append(role[j]);
            t.append(FashionMnist.className(truth[j]));
            p.append(FashionMnist.className(predicted[j]));
            c.append(Math.round(confidence[j] * 1000) / 1000.0);
        }
        return Table.create("Images explained, " + model.name(), i, why, t, p, c);
    }

    /** Image, saliency of the predicted class (hot: white most salient), occlusion (red: hiding it lowers the class). */
    public ImageGrid saliencyAndOcclusion() {
        ImageGrid g = new ImageGrid("What the network looks at, " + model.name() + ": image | input-gradient saliency | occlusion"
                + " sensitivity (6 x 6 black patches; red: hiding the part lowers the predicted class's probability, blue: raises it)", 3, 5);
        for (int j = 0; j < index.length; j++) {
            g.add(split.image(index[j]), caption(j));
            g.addColour(ColorMaps.heat(saliency[j]), "saliency of " + FashionMnist.className(predicted[j]));
            g.addColour(ColorMaps.diverging(ColorMaps.symmetric(occlusion[j])), String.format(Locale.ROOT,
                    "occlusion, largest drop %.2f", max(occlusion[j])));
        }
        return g;
    }

    /** Image, Grad-CAM of the predicted class, Grad-CAM of the true class, over the image (red: most weight). */
    public ImageGrid gradCam() {
        ImageGrid g = new ImageGrid("Grad-CAM on the last convolution (layer " + GradCam.lastConvolution(model) + "), " + model.name()
                + ": image | predicted class | true class (red: the regions whose features raise the class's score most)", 3, 5);
        for (int j = 0; j < index.length; j++) {
            float[][] img = split.image(index[j]);
            g.add(img, caption(j));
            g.addColour(ColorMaps.overlay(img, camPredicted[j], 0.55), "Grad-CAM of " + FashionMnist.className(predicted[j]));
            g.addColour(ColorMaps.overlay(img, camTrue[j], 0.55), "Grad-CAM of " + FashionMnist.className(truth[j])
                    + (truth[j] == predicted[j] ? " (same)" : " (true)"));
        }
        return g;
    }

    private String caption(int j) {
        return String.format(Locale.ROOT, "#%d true %s, predicted %s (%.0f%%)", index[j], FashionMnist.className(truth[j]),
                FashionMnist.className(predicted[j]), 100.0 * confidence[j]);
    }

    private static float max(float[][] m) {
        float x = -Float.MAX_VALUE;
        for (float[] row : m) {
            for (float v : row) {
                x = Math.max(x, v);
            }
        }
        return x;
    }

    /** Softmax probabilities of every image of the split, {@code [n][classes]}, in batches of 500. */
    static float[][] probabilities(Model model, Split split) {
        INDArray all = model.features(split);
        int n = split.size();
        float[][] out = new float[n][];
        for (int from = 0; from < n; from += 500) {
            int to = Math.min(n, from + 500);
            INDArray batch = all.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to));
            float[][] p = Maps.probabilities(model, batch);
            System.arraycopy(p, 0, out, from, to - from);
        }
        return out;
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    @Override
    public String toString() {
        return "Explanations of " + index.length + " " + split.name() + " images, " + model.name();
    }
}
