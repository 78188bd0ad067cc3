package fashion.data;

import java.util.Arrays;
import java.util.List;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One part of the data (training, validation or test): images scaled to [0, 1] and their labels.
 * {@link #dense()} gives the {@code [n, 784]} view for fully connected models, {@link #images()} the
 * {@code [n, 1, 28, 28]} view for convolutional ones; both share the same memory.
 */
public final class Split {
    private final String name;
    private final INDArray dense;
    private final int[] labels;

    Split(String name, INDArray dense, int[] labels) {
        if (dense.rows() != labels.length) {
            throw new IllegalArgumentException(name + ": " + dense.rows() + " images but " + labels.length + " labels");
        }
        this.name = name;
        this.dense = dense;
        this.labels = labels;
    }

    /** "training", "validation" or "test". */
    public String name() {
        return name;
    }

    public int size() {
        return labels.length;
    }

    /** Pixels as a {@code [n, 784]} float matrix, values in [0, 1]. */
    public INDArray dense() {
        return dense;
    }

    /** Pixels as {@code [n, 1, 28, 28]} images (channels first), a view of {@link #dense()}. */
    public INDArray images() {
        return dense.reshape('c', size(), 1, IdxFile.ROWS, IdxFile.COLUMNS);
    }

    /** Class index (0 to 9) of every image; a copy. */
    public int[] labels() {
        return labels.clone();
    }

    public int label(int i) {
        return labels[i];
    }

    /** Labels as a {@code [n, 10]} one-hot float matrix. */
    public INDArray oneHot() {
        INDArray out = Nd4j.zeros(size(), FashionMnist.CLASS_NAMES.size());
        for (int i = 0; i < labels.length; i++) {
            out.putScalar(i, labels[i], 1f);
        }
        return out;
    }

    /** One image as a 28 x 28 array of values in [0, 1]. */
    public float[][] image(int i) {
        float[] row = dense.getRow(i).toFloatVector();
        float[][] out = new float[IdxFile.ROWS][IdxFile.COLUMNS];
        for (int r = 0; r < IdxFile.ROWS; r++) {
            System.arraycopy(row, r * IdxFile.COLUMNS, out[r], 0, IdxFile.COLUMNS);
        }
        return out;
    }

    /** Number of images of each class, indexed by class. */
    public int[] classCounts() {
        int[] counts = new int[FashionMnist.CLASS_NAMES.size()];
        for (int label : labels) {
            counts[label]++;
        }
        return counts;
    }

    /** The images at the given positions, in that order. */
    public Split select(int[] positions) {
        int[] picked = new int[positions.length];
        for (int i = 0; i < positions.length; i++) {
            picked[i] = labels[positions[i]];
        }
        INDArray rows = positions.length == 0 ? Nd4j.create(dense.dataType(), 0, dense.columns())
                : Nd4j.pullRows(dense, 1, positions);
        return new Split(name, rows, picked);
    }

    /** The first {@code n} images of each class, keeping the original order. */
    public Split balancedHead(int perClass) {
        int[] taken = new int[FashionMnist.CLASS_NAMES.size()];
        int[] positions = new int[Math.min(size(), perClass * taken.length)];
        int n = 0;
        for (int i = 0; i < labels.length && n < positions.length; i++) {
            if (taken[labels[i]] < perClass) {
                taken[labels[i]]++;
                positions[n++] = i;
            }
        }
        return select(Arrays.copyOf(positions, n));
    }

    @Override
    public String toString() {
        List<String> names = FashionMnist.CLASS_NAMES;
        int[] counts = classCounts();
        StringBuilder sb = new StringBuilder(name + ": " + size() + " images (");
        for (int c = 0; c < counts.length; c++) {
            sb.append(c == 0 ? "" : ", ").append(names.get(c)).append(' ').append(counts[c]);
        }
        return sb.append(')').toString();
    }
}
