package fashion.models;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.AdaGrad;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nadam;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/** The names the model builders accept for activations, optimizers, pooling and padding. */
public final class Choices {
    private static final Map<String, Activation> ACTIVATIONS = new LinkedHashMap<>();
    private static final Map<String, Function<Double, IUpdater>> OPTIMIZERS = new LinkedHashMap<>();
    /** The same optimizers with a learning-rate schedule (only for a decaying rate: see {@link #optimizer(String, double, double)}). */
    private static final Map<String, Function<ISchedule, IUpdater>> SCHEDULED = new LinkedHashMap<>();
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
        OPTIMIZERS.put("adam", Adam::new);
        OPTIMIZERS.put("sgd", Sgd::new);
        OPTIMIZERS.put("momentum", lr -> new Nesterovs(lr, 0.9));
        OPTIMIZERS.put("rmsprop", RmsProp::new);
        OPTIMIZERS.put("adagrad", AdaGrad::new);
        OPTIMIZERS.put("nadam", Nadam::new);
        SCHEDULED.put("adam", Adam::new);
        SCHEDULED.put("sgd", Sgd::new);
        SCHEDULED.put("momentum", lr -> new Nesterovs(lr, 0.9));
        SCHEDULED.put("rmsprop", RmsProp::new);
        SCHEDULED.put("nadam", Nadam::new);
        // not adagrad: in DL4J 1.0.0-M2.1 an AdaGrad built with a schedule loses its learning rate (NaN) when the network
        // configuration is built, and the first step turns every parameter into NaN (ChoicesTest)
        POOLING.put("avg", PoolingType.AVG);
        POOLING.put("max", PoolingType.MAX);
        PADDING.put("same", ConvolutionMode.Same);
        PADDING.put("valid", ConvolutionMode.Truncate);
    }

    private Choices() {
    }

    /** relu, tanh, sigmoid, elu, leakyrelu (also leaky_relu), selu, softplus, identity. */
    public static Activation activation(String name) {
        return pick("activation", normalize(name).replace("leaky_relu", "leakyrelu"), ACTIVATIONS);
    }

    /** adam, sgd, momentum (Nesterov, 0.9), rmsprop, adagrad, nadam; built with the given learning rate. */
    public static IUpdater optimizer(String name, double learningRate) {
        return pick("optimizer", normalize(name), OPTIMIZERS).apply(learningRate);
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
        pick("optimizer", key, OPTIMIZERS); // unknown names: the usual message
        if (!SCHEDULED.containsKey(key)) {
            throw new SettingException("optimizer '" + key + "' cannot decay its learning rate in Deeplearning4j 1.0.0-M2.1 "
                    + "(its rate is lost when the network is built): use learningRateDecay(1) or one of "
                    + String.join(", ", SCHEDULED.keySet()) + ".");
        }
        return SCHEDULED.get(key).apply(new ExponentialSchedule(ScheduleType.EPOCH, learningRate, decayPerEpoch));
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
