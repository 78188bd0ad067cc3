package fashion.baselines;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import fashion.engine.Engine;

/**
 * Exact k-nearest-neighbour classification with squared Euclidean distances {@code |q|^2 + |x|^2 - 2 q.x} from
 * matrix products (ND4J), a block of 500 queries at a time; majority vote of the {@code k} nearest, a tie going to
 * the tied class whose nearest member is closest.
 */
final class NearestNeighbours {
    private final INDArray train;
    private final INDArray trainNorms;
    private final int[] labels;
    private final int k;
    private final int classes;

    /** @param train {@code [n, d]} rows; @param labels class of each row, 0.. */
    NearestNeighbours(INDArray train, int[] labels, int k) {
        this.train = train.castTo(DataType.FLOAT).dup('c');
        this.trainNorms = this.train.mul(this.train).sum(1).reshape(1, train.size(0));
        this.labels = labels;
        this.k = Math.min(k, labels.length);
        int max = 0;
        for (int l : labels) {
            max = Math.max(max, l);
        }
        this.classes = max + 1;
    }

    /** The predicted class of every row of {@code queries} {@code [m, d]}. */
    int[] predict(INDArray queries) {
        INDArray q = queries.castTo(DataType.FLOAT);
        int m = (int) q.size(0);
        int[] out = new int[m];
        for (int from = 0; from < m; from += 500) {
            int to = Math.min(m, from + 500);
            INDArray block = q.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).dup('c');
            INDArray[] product = new INDArray[1];
            Engine.parallel(() -> product[0] = block.mmul(train.transpose())); // [b, n] q.x, OpenBLAS on all cores
            INDArray d = product[0];
            d.muli(-2).addiRowVector(trainNorms); // |x|^2 - 2 q.x (|q|^2 is the same for every x)
            float[][] dist = d.toFloatMatrix();
            for (int i = 0; i < dist.length; i++) {
                out[from + i] = vote(dist[i]);
            }
        }
        return out;
    }

    private int vote(float[] dist) {
        int[] nearest = new int[k];
        float[] best = new float[k];
        java.util.Arrays.fill(best, Float.POSITIVE_INFINITY);
        for (int j = 0; j < dist.length; j++) {
            float v = dist[j];
            if (v < best[k - 1]) {
                int p = k - 1;
                while (p > 0 && best[p - 1] > v) {
                    best[p] = best[p - 1];
                    nearest[p] = nearest[p - 1];
                    p--;
                }
                best[p] = v;
                nearest[p] = j;
            }
        }
        int[] votes = new int[classes];
        int[] firstRank = new int[classes];
        java.util.Arrays.fill(firstRank, Integer.MAX_VALUE);
        for (int r = 0; r < k; r++) {
            int c = labels[nearest[r]];
            votes[c]++;
            firstRank[c] = Math.min(firstRank[c], r);
        }
        int winner = 0;
        for (int c = 1; c < classes; c++) {
            if (votes[c] > votes[winner] || (votes[c] == votes[winner] && firstRank[c] < firstRank[winner])) {
                winner = c;
            }
        }
        return winner;
    }
}
