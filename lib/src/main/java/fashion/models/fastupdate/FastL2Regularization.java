package fashion.models.fastupdate;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.schedule.FixedSchedule;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import fashion.models.fast.FloatBlocks;

/**
 * Deeplearning4j's {@link L2Regularization} (same gradient term, same score {@code 0.5 * l2 * sum(w^2)}) whose score
 * is summed by a Java loop over the weights instead of libnd4j's {@code norm2}: DL4J adds the L2 term to the loss at
 * every training step, and the single-threaded native reduction took about 0.8 ms for the seed's 548,800 dense weights
 * (a tenth of a step).
 */
public class FastL2Regularization extends L2Regularization {
    private static final long serialVersionUID = 1L;
    private static final int BLOCK = FusedUpdate.BLOCK;

    public FastL2Regularization(double l2) {
        super(l2);
    }

    @JsonCreator
    public FastL2Regularization(@JsonProperty("l2") ISchedule l2) {
        super(l2);
    }

    /** {@code regularizations} with every {@link L2Regularization} replaced by this class (same factor or schedule). */
    public static List<Regularization> replacing(List<Regularization> regularizations) {
        if (regularizations == null) {
            return null;
        }
        List<Regularization> out = new ArrayList<>(regularizations.size());
        for (Regularization r : regularizations) {
            boolean plainL2 = r != null && r.getClass() == L2Regularization.class;
            out.add(plainL2 ? new FastL2Regularization(((L2Regularization) r).getL2()) : r);
        }
        return out;
    }

    @Override
    public double score(INDArray param, int iteration, int epoch) {
        if (!FloatBlocks.contiguous(param)) {
            return super.score(param, iteration, epoch);
        }
        double sumOfSquares = sumOfSquares(param);
        return 0.5 * getL2().valueAt(iteration, epoch) * sumOfSquares;
    }

    /**
     * Sum of squares of the {@code n} floats of {@code param}: float sums per block of {@link FusedUpdate#BLOCK} (as
     * {@link SumOfSquares#block}), added in block order in double, exactly as the fused update sums the weights it
     * reads.
     */
    static double sumOfSquares(INDArray param) {
        int n = (int) param.length();
        int offset = (int) param.offset();
        FloatBuffer data = param.data().asNioFloat();
        java.nio.ByteBuffer bytes = SumOfSquares.vectorized() ? fashion.models.fast.FloatBlocks.nativeBytes(param) : null;
        float[] perBlock = new float[FloatBlocks.count(n, BLOCK)];
        FloatBlocks.forEach(n, BLOCK, 0, (start, len, scratch) ->
                perBlock[start / BLOCK] = SumOfSquares.block(bytes, data, offset + start, len));
        double total = 0;
        for (float blockSum : perBlock) {
            total += blockSum;
        }
        return total;
    }

    @Override
    public Regularization clone() {
        return new FastL2Regularization(getL2().clone());
    }

    @Override
    protected boolean canEqual(Object other) {
        return other instanceof FastL2Regularization;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FastL2Regularization && super.equals(o);
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + 11;
    }

    @Override
    public String toString() {
        return "FastL2Regularization(l2=" + (getL2() instanceof FixedSchedule ? String.valueOf(getL2().valueAt(0, 0)) : getL2()) + ")";
    }
}
