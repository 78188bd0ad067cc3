package fashion.explain;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;

/**
 * A "loss" whose gradient is the gradient of the class score: {@code L = -sum_k labels_k * a_k} for the output layer's
 * activations {@code a} (with an identity activation, the pre-softmax class scores or logits). With a one-hot label
 * for class {@code c}, back-propagating it gives {@code -d a_c / d x} for every earlier quantity {@code x}: the network
 * differentiates its own class score. Used only inside {@link InferenceNetwork}; never for training.
 */
final class ClassScore implements ILossFunction {
    private static final long serialVersionUID = 1L;

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask, boolean average) {
        double s = computeScoreArray(labels, preOutput, activationFn, mask).sumNumber().doubleValue();
        return average ? s / labels.size(0) : s;
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        INDArray a = activationFn.getActivation(preOutput.dup(), false);
        return a.muli(labels).sum(1).negi();
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        return activationFn.backprop(preOutput.dup(), labels.neg()).getFirst();
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput, IActivation activationFn,
            INDArray mask, boolean average) {
        return new Pair<>(computeScore(labels, preOutput, activationFn, mask, average),
                computeGradient(labels, preOutput, activationFn, mask));
    }

    @Override
    public String name() {
        return "ClassScore";
    }

    @Override
    public String toString() {
        return "ClassScore()";
    }
}
