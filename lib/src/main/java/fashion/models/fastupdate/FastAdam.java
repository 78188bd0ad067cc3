package fashion.models.fastupdate;

import java.util.Map;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * Deeplearning4j's {@link Adam} with the same configuration, state layout and arithmetic, whose update runs as one
 * plain-Java pass over the gradient and the two moment arrays (split over the cores) instead of libnd4j's
 * {@code adam_updater} op, which ran single-threaded at about 2 ms for the seed's 556,510 parameters (a fifth of a
 * training step of the dense model). Saved models load back with it; any model trained with {@link Adam} trains the
 * same way with this class within float rounding.
 */
public class FastAdam extends Adam {

    /** For JSON deserialization: learning rate 1e-3, as {@link Adam#Adam()}. */
    public FastAdam() {
        super();
    }

    public FastAdam(double learningRate) {
        super(learningRate);
    }

    public FastAdam(ISchedule learningRateSchedule) {
        super(learningRateSchedule);
    }

    @Override
    public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        FastAdamUpdater u = new FastAdamUpdater(this);
        INDArray view = viewArray.reshape(viewArray.length()); // as Adam in M2.1: [m | v] as one vector
        u.setStateViewArray(view, new long[] {view.length() / 2}, view.ordering(), initializeViewArray);
        return u;
    }

    @Override
    public GradientUpdater instantiate(Map<String, INDArray> updaterState, boolean initializeStateArrays) {
        FastAdamUpdater u = new FastAdamUpdater(this);
        u.setState(updaterState, initializeStateArrays);
        return u;
    }

    @Override
    public FastAdam clone() {
        FastAdam c = new FastAdam(getLearningRate());
        c.setLearningRateSchedule(getLearningRateSchedule() == null ? null : getLearningRateSchedule().clone());
        c.setBeta1(getBeta1());
        c.setBeta2(getBeta2());
        c.setEpsilon(getEpsilon());
        return c;
    }

    @Override
    protected boolean canEqual(Object other) {
        return other instanceof FastAdam;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FastAdam && super.equals(o);
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + 7;
    }

    @Override
    public String toString() {
        return "Fast" + super.toString();
    }
}
