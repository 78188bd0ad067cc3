package fashion.models;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.AdaGrad;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nadam;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;

import fashion.models.fastupdate.FastAdam;

/** The names the model builders accept for activations, optimizers, pooling and padding. */
public final class Choices {
    private static final Map<String, Activation> ACTIVATIONS = new LinkedHashMap<>();
    private static final Map<String, Optimizer> OPTIMIZERS = new LinkedHashMap<>();
    private static final Map<String, PoolingType> POOLING = new LinkedHashMap<>();
    private static final Map<String, ConvolutionMode> PADDING = new LinkedHashMap<>();

    static {
        ACTIVATIONS.put("relu", Activation.RELU);
        ACTIVATIONS.put("tanh", Activation.TANH);
        ACTIVATIONS.put("sigmoid", Activation.SIGMOID);
        ACTIVATIONS.put("elu", Activation.ELU);
        ACTIVATIONS.put("leakyrelu", Activation.LEAKYRELU);
        ACTIVATIONS.put("selu", Activation.SELU);
        ACTIVATIONS.put("softplus", Activation.SOFTPLUS);
        ACTIVATIONS.put("identity", Activation.IDENTITY);
        OPTIMIZERS.put("adam", new Optimizer(FastAdam::new, FastAdam::new)); // DL4J's Adam, faster update (FastAdam)
        OPTIMIZERS.put("sgd", new Optimizer(Sgd::new, Sgd::new));
        OPTIMIZERS.put("momentum", new Optimizer(lr -> new Nesterovs(lr, 0.9), lr -> new Nesterovs(lr, 0.9)));
        OPTIMIZERS.put("rmsprop", new Optimizer(RmsProp::new, RmsProp::new));
        // no schedule for adagrad: in DL4J 1.0.0-M2.1 an AdaGrad built with a schedule loses its learning rate (NaN) when
        // the network configuration is built, and the first step turns every parameter into NaN (ChoicesTest)
        OPTIMIZERS.put("adagrad", new Optimizer(AdaGrad::new, null));
        OPTIMIZERS.put("nadam", new Optimizer(Nadam::new, Nadam::new));
        POOLING.put("avg", PoolingType.AVG);
        POOLING.put("max", PoolingType.MAX);
        PADDING.put("same", ConvolutionMode.Same);
        PADDING.put("valid", ConvolutionMode.Truncate);
    }

    /**
     * How to build an optimizer: with a constant learning rate (the plain constructors, which every optimizer keeps
     * intact), and with a schedule ({@code null} for an optimizer that cannot take one).
     */
    private record Optimizer(Function<Double, IUpdater> constant, Function<ISchedule, IUpdater> scheduled) {
    }

    private Choices() {
    }

    /** relu, tanh, sigmoid, elu, leakyrelu (also leaky_relu), selu, softplus, identity. */
    public static Activation activation(String name) {
        return pick("activation", normalize(name).replace("leaky_relu", "leakyrelu"), ACTIVATIONS);
    }

    /** adam, sgd, momentum (Nesterov, 0.9), rmsprop, adagrad, nadam; built with the given learning rate. */
    public static IUpdater optimizer(String name, double learningRate) {
        return pick("optimizer", normalize(name), OPTIMIZERS).constant().apply(learningRate);
    }

    /**
     * The optimizer with a learning rate that starts at {@code learningRate} and is multiplied by
     * {@code decayPerEpoch} after every epoch ({@code 1}: constant). The epochs are counted by
     * {@code fashion.training.Training}.
     */
    public static IUpdater optimizer(String name, double learningRate, double decayPerEpoch) {
        if (!(decayPerEpoch > 0 && decayPerEpoch <= 1)) {
            throw new SettingException("learningRateDecay must be in (0, 1] (the factor applied to the learning rate after "
                    + "every epoch; 1 keeps it constant), not " + decayPerEpoch + ".");
        }
        if (decayPerEpoch == 1) {
            return optimizer(name, learningRate);
        }
        String key = normalize(name);
        Optimizer optimizer = pick("optimizer", key, OPTIMIZERS);
        if (optimizer.scheduled() == null) {
            throw new SettingException("optimizer '" + key + "' cannot decay its learning rate in Deeplearning4j 1.0.0-M2.1 "
                    + "(its rate is lost when the network is built): use learningRateDecay(1) or one of "
                    + String.join(", ", OPTIMIZERS.entrySet().stream().filter(e -> e.getValue().scheduled() != null)
                            .map(Map.Entry::getKey).toList()) + ".");
        }
        return optimizer.scheduled().apply(new ExponentialSchedule(ScheduleType.EPOCH, learningRate, decayPerEpoch));
    }

    /** avg (also average), max. */
    public static PoolingType pooling(String name) {
        return pick("pooling", normalize(name).replace("average", "avg"), POOLING);
    }

    /** same, valid. */
    public static ConvolutionMode padding(String name) {
        return pick("padding", normalize(name), PADDING);
    }

    private static String normalize(String name) {
        return name == null ? "" : name.trim().toLowerCase(Locale.ROOT).replace("-", "_").replace(" ", "_");
    }

    private static <T> T pick(String what, String name, Map<String, T> options) {
        T v = options.get(name);
        if (v == null) {
            throw new SettingException("unknown " + what + " '" + name + "': choose one of " + String.join(", ", options.keySet()) + ".");
        }
        return v;
    }
}
