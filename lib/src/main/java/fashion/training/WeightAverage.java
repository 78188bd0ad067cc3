package fashion.training;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An exponential moving average of a network's parameters over the training steps (Polyak averaging): after step t,
 * {@code average = d average + (1 - d) weights} with {@code d = min(momentum, (1 + t) / (10 + t))}, the warm-up of
 * TensorFlow's {@code ExponentialMovingAverage(num_updates)}, so that the average follows the weights closely in the
 * first steps instead of remembering the initial weights. Like Keras' optimizer option {@code use_ema} with
 * {@code ema_momentum}, except for that warm-up and in that every parameter is averaged, batch normalization's running
 * mean and running log10 standard deviation (Deeplearning4j's form) included, as TensorFlow's moving-average recipes do.
 *
 * <p>The averaged weights often generalize better than the last step's when the learning rate leaves the weights
 * moving between nearby solutions: Polyak and Juditsky, "Acceleration of stochastic approximation by averaging",
 * SIAM J. Control Optim. 30(4), 1992; Izmailov et al., "Averaging weights leads to wider optima and better
 * generalization", UAI 2018.
 */
final class WeightAverage {
    private final double momentum;
    private final INDArray average;
    private INDArray saved;
    private long steps;

    /** Starts the average at the network's current parameters. */
    WeightAverage(MultiLayerNetwork net, double momentum) {
        this.momentum = momentum;
        this.average = net.params().dup();
    }

    /** Folds the network's current parameters into the average (call after every training step). */
    void update(MultiLayerNetwork net) {
        steps++;
        double d = Math.min(momentum, (1.0 + steps) / (10.0 + steps));
        INDArray w = net.params();
        average.muli(d);
        org.nd4j.linalg.factory.Nd4j.getBlasWrapper().level1().axpy(w.length(), 1 - d, w, average);
    }

    /** Puts the averaged parameters into the network, keeping its own until {@link #restore}. */
    void swapIn(MultiLayerNetwork net) {
        saved = net.params().dup();
        net.params().assign(average);
    }

    /** Puts back the parameters {@link #swapIn} replaced. */
    void restore(MultiLayerNetwork net) {
        if (saved != null) {
            net.params().assign(saved);
            saved = null;
        }
    }

    /** Replaces the network's parameters by the average for good (the end of training). */
    void keep(MultiLayerNetwork net) {
        saved = null;
        net.params().assign(average);
    }
}
