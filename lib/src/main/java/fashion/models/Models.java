package fashion.models;

import java.util.LinkedHashMap;
import java.util.Map;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import fashion.engine.Engine;
import fashion.models.fastdense.FastDenseLayer;
import fashion.models.fastupdate.FastL2Regularization;
import fashion.models.fastnorm.FastBatchNormalization;
import fashion.models.fastpool.FastSubsamplingLayer;

/**
 * Factories for the seed report's models and the variations the studies compare.
 *
 * <pre>
 * Model fc  = Models.seedDense();                                  // 784-700-10, ReLU, L2 1e-4, Adam 1e-4
 * Model cnn = Models.seedCnn();                                    // 3 x conv 5@10x10 same, avg pool, conv 16@5x5, ...
 * Model deep = Models.dense().depth(10).width(500).build();        // the seed text's 10 x 500
 * Model maxPool = Models.cnn().pooling("max").padding("valid").build();
 * </pre>
 *
 * L2 factors follow Keras: {@code l2(1e-4)} adds {@code 1e-4 * sum(w^2)} to the loss for every weight
 * matrix of the layers Keras regularizes (not biases).
 */
public final class Models {
    /** Image side and number of classes. */
    static final int SIDE = 28;
    static final int CLASSES = 10;

    private Models() {
    }

    /** The seed's Part 1 model: Dense(700, ReLU, L2 1e-4), Dense(10, softmax); Adam 1e-4. 556,510 parameters. */
    public static Model seedDense() {
        return dense().build();
    }

    /** The seed's Part 2 model (see {@link CnnBuilder}); Adam 1e-4. */
    public static Model seedCnn() {
        return cnn().build();
    }

    /**
     * A convolutional network rebuilt from the settings it was built with ({@link Model#settings()}, as saved with a
     * run), named {@code name}: the same architecture, initialization seed and optimizer.
     *
     * @throws SettingException when {@code settings} has a key the convolutional builder does not know (a model of
     *         another kind, or a setting added after this code), naming it
     */
    public static Model fromSettings(String name, Map<String, Object> settings) {
        CnnBuilder b = cnn().name(name);
        for (Map.Entry<String, Object> e : settings.entrySet()) {
            Object v = e.getValue();
            switch (e.getKey()) {
                case "convLayers" -> b.convLayers(((Number) v).intValue());
                case "filters" -> b.filters(((Number) v).intValue());
                case "kernelSize" -> b.kernelSize(((Number) v).intValue());
                case "padding" -> b.padding(String.valueOf(v));
                case "pooling" -> b.pooling(String.valueOf(v));
                case "secondFilters" -> b.secondFilters(((Number) v).intValue());
                case "secondKernelSize" -> b.secondKernelSize(((Number) v).intValue());
                case "thirdFilters" -> b.thirdFilters(((Number) v).intValue());
                case "thirdKernelSize" -> b.thirdKernelSize(((Number) v).intValue());
                case "denseWidth" -> b.denseWidth(((Number) v).intValue());
                case "batchNorm" -> b.batchNorm(Boolean.TRUE.equals(v));
                case "dropout" -> b.dropout(((Number) v).doubleValue());
                case "activation" -> b.activation(String.valueOf(v));
                case "l2" -> b.l2(((Number) v).doubleValue());
                case "learningRate" -> b.learningRate(((Number) v).doubleValue());
                case "learningRateDecay" -> b.learningRateDecay(((Number) v).doubleValue());
                case "optimizer" -> b.optimizer(String.valueOf(v));
                case "seed" -> b.seed(((Number) v).longValue());
                default -> throw new SettingException("cannot rebuild a convolutional network from the setting '" + e.getKey()
                        + "' (" + v + "): rebuild it with the code that made it (its notebook).");
            }
        }
        Model m = b.build();
        if (!sameSettings(m.settings(), settings)) {
            throw new SettingException("the rebuilt network's settings " + m.settings() + " differ from the saved ones "
                    + settings + ": rebuild it with the code that made it (its notebook).");
        }
        return m;
    }

    /** Equal keys and values, numbers compared by value (a saved file may read 42 back as an Integer, not a Long). */
    private static boolean sameSettings(Map<String, Object> a, Map<String, Object> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (String k : a.keySet()) {
            Object x = a.get(k);
            Object y = b.get(k);
            boolean same = x instanceof Number p && y instanceof Number q ? p.doubleValue() == q.doubleValue() : String.valueOf(x).equals(String.valueOf(y));
            if (!same) {
                return false;
            }
        }
        return true;
    }

    /** A fully connected network; every default is the seed's. */
    public static DenseBuilder dense() {
        return new DenseBuilder();
    }

    /** A convolutional network; every default is the seed's. */
    public static CnnBuilder cnn() {
        return new CnnBuilder();
    }

    /** Settings shared by both kinds of model. */
    @SuppressWarnings("unchecked")
    public abstract static class Builder<B extends Builder<B>> {
        String activation = "relu";
        double l2 = 1e-4;
        double learningRate = 1e-4;
        double learningRateDecay = 1;
        String optimizer = "adam";
        long seed = 42;
        String name;

        /** Hidden-layer activation: relu, tanh, sigmoid, elu, leakyrelu, selu, softplus, identity. */
        public B activation(String name) {
            this.activation = name;
            return (B) this;
        }

        /** L2 factor (Keras convention), at least 0; 0 switches regularization off. */
        public B l2(double factor) {
            this.l2 = factor;
            return (B) this;
        }

        /** Learning rate, greater than 0. */
        public B learningRate(double rate) {
            this.learningRate = rate;
            return (B) this;
        }

        /**
         * Multiplies the learning rate by {@code factor} after every epoch, in (0, 1]; 1 (the seed's) keeps it
         * constant. With 0.8, epoch 10 trains at {@code 0.8^9}, about 13%, of the first epoch's rate.
         */
        public B learningRateDecay(double factor) {
            this.learningRateDecay = factor;
            return (B) this;
        }

        /** adam, sgd, momentum, rmsprop, adagrad, nadam. */
        public B optimizer(String name) {
            this.optimizer = name;
            return (B) this;
        }

        /** Seed of the weight initialization (and of dropout). */
        public B seed(long seed) {
            this.seed = seed;
            return (B) this;
        }

        /** A display name; by default one is made from the settings. */
        public B name(String name) {
            this.name = name;
            return (B) this;
        }

        NeuralNetConfiguration.ListBuilder base() {
            Engine.init();
            SettingException.positive("learningRate", learningRate);
            SettingException.nonNegative("l2", l2);
            return new NeuralNetConfiguration.Builder()
                    .seed(seed)
                    .updater(Choices.optimizer(optimizer, learningRate, learningRateDecay))
                    .weightInit(WeightInit.XAVIER_UNIFORM) // Keras' glorot_uniform
                    .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                    .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                    .list();
        }

        /** DL4J's l2(x) adds 0.5 * x * sum(w^2); Keras' l2(f) adds f * sum(w^2): x = 2f. */
        double dl4jL2() {
            return 2 * l2;
        }

        Map<String, Object> common(Map<String, Object> settings) {
            settings.put("activation", activation);
            settings.put("l2", l2);
            settings.put("learningRate", learningRate);
            if (learningRateDecay != 1) {
                settings.put("learningRateDecay", learningRateDecay);
            }
            settings.put("optimizer", optimizer);
            settings.put("seed", seed);
            return settings;
        }

        static Model finish(String name, MultiLayerConfiguration conf, Model.Input input, Map<String, Object> settings) {
            for (NeuralNetConfiguration layer : conf.getConfs()) {
                if (layer.getLayer() instanceof org.deeplearning4j.nn.conf.layers.BaseLayer) {
                    // same L2 term, faster loss score (FastL2Regularization)
                    org.deeplearning4j.nn.conf.layers.BaseLayer l = (org.deeplearning4j.nn.conf.layers.BaseLayer) layer.getLayer();
                    l.setRegularization(FastL2Regularization.replacing(l.getRegularization()));
                    l.setRegularizationBias(FastL2Regularization.replacing(l.getRegularizationBias()));
                }
            }
            MultiLayerNetwork network = new SplitBatchNetwork(conf);
            network.init();
            // the vector kernels compiled before the first step (usually already done in the background)
            KernelWarmUp.await(conf.getConfs().stream()
                    .anyMatch(c -> c.getLayer() instanceof fashion.models.fastconv.FastConvolutionLayer));
            return new Model(name, network, input, settings);
        }
    }

    /** Flatten, {@code depth} x Dense({@code width}, activation, L2), Dense(10, softmax). */
    public static final class DenseBuilder extends Builder<DenseBuilder> {
        int depth = 1;
        int width = 700;
        double dropout = 0;

        /** Number of hidden layers, at least 1. */
        public DenseBuilder depth(int layers) {
            this.depth = layers;
            return this;
        }

        /** Units in each hidden layer, at least 1. */
        public DenseBuilder width(int units) {
            this.width = units;
            return this;
        }

        /** Dropout probability after each hidden layer, in [0, 1). 0 (the seed's) means none. */
        public DenseBuilder dropout(double probability) {
            this.dropout = probability;
            return this;
        }

        public Model build() {
            SettingException.positive("depth", depth);
            SettingException.positive("width", width);
            SettingException.fraction("dropout", dropout);
            Activation act = Choices.activation(activation);
            NeuralNetConfiguration.ListBuilder list = base();
            long in = SIDE * SIDE;
            for (int i = 0; i < depth; i++) {
                list.layer(FastDenseLayer.of(new DenseLayer.Builder().name("dense" + (i + 1)).nIn(in).nOut(width)
                        .activation(act).l2(dl4jL2()).build()));
                if (dropout > 0) {
                    list.layer(new DropoutLayer.Builder(1 - dropout).name("dropout" + (i + 1)).build());
                }
                in = width;
            }
            list.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("output").nIn(in).nOut(CLASSES)
                    .activation(Activation.SOFTMAX).build());
            Map<String, Object> settings = new LinkedHashMap<>();
            settings.put("depth", depth);
            settings.put("width", width);
            settings.put("dropout", dropout);
            common(settings);
            String label = name != null ? name : "dense " + depth + " x " + width + " " + activation;
            return finish(label, list.build(), Model.Input.FLAT, settings);
        }
    }

    /**
     * The seed's convolutional model and its variations: 3 x Conv2D({@code filters}, {@code kernel} x {@code kernel},
     * {@code padding}, activation), Pool(2), Conv2D({@code secondFilters}, {@code secondKernel}, valid), Pool(2),
     * Flatten, Dense({@code denseWidth}, L2), Dense(10, softmax, L2). Seed: 5 filters, 10x10, same, average pooling,
     * 16 filters 5x5, 84 units.
     */
    public static final class CnnBuilder extends Builder<CnnBuilder> {
        int convLayers = 3;
        int filters = 5;
        int kernel = 10;
        String padding = "same";
        String pooling = "avg";
        int secondFilters = 16;
        int secondKernel = 5;
        int denseWidth = 84;
        int thirdFilters = 0;
        int thirdKernel = 3;
        boolean batchNorm = false;
        double dropout = 0;

        /** Number of convolution layers in the first block (seed: 3), at least 1. */
        public CnnBuilder convLayers(int n) {
            this.convLayers = n;
            return this;
        }

        /** Filters of each first-block convolution (seed: 5), at least 1. */
        public CnnBuilder filters(int n) {
            this.filters = n;
            return this;
        }

        /** Kernel side of the first-block convolutions (seed: 10), at least 1 and no larger than its input. */
        public CnnBuilder kernelSize(int side) {
            this.kernel = side;
            return this;
        }

        /** Padding of the first-block convolutions: same (seed) or valid. */
        public CnnBuilder padding(String mode) {
            this.padding = mode;
            return this;
        }

        /** Pooling after each block: avg (seed) or max. */
        public CnnBuilder pooling(String type) {
            this.pooling = type;
            return this;
        }

        /** Filters of the second-block convolution (seed: 16). */
        public CnnBuilder secondFilters(int n) {
            this.secondFilters = n;
            return this;
        }

        /** Kernel side of the second-block convolution (seed: 5, valid padding). */
        public CnnBuilder secondKernelSize(int side) {
            this.secondKernel = side;
            return this;
        }

        /**
         * Adds a third convolution ({@code filters} filters, valid padding, no pooling after it) on the second block's
         * pooled output, before the dense layers; 0 (the seed's) adds none. A cheap extra layer: it works on 6 x 6 or
         * smaller maps.
         */
        public CnnBuilder thirdFilters(int filters) {
            this.thirdFilters = filters;
            return this;
        }

        /** Kernel side of the third convolution (default 3). */
        public CnnBuilder thirdKernelSize(int side) {
            this.thirdKernel = side;
            return this;
        }

        /** Units of the hidden dense layer (seed: 84). */
        public CnnBuilder denseWidth(int units) {
            this.denseWidth = units;
            return this;
        }

        /** Batch normalization after every convolution (not in the seed). */
        public CnnBuilder batchNorm(boolean on) {
            this.batchNorm = on;
            return this;
        }

        /** Dropout probability before the dense layers, in [0, 1) (seed: 0). */
        public CnnBuilder dropout(double probability) {
            this.dropout = probability;
            return this;
        }

        public Model build() {
            SettingException.positive("convLayers", convLayers);
            SettingException.positive("filters", filters);
            SettingException.positive("kernelSize", kernel);
            SettingException.positive("secondFilters", secondFilters);
            SettingException.positive("secondKernelSize", secondKernel);
            SettingException.positive("denseWidth", denseWidth);
            SettingException.fraction("dropout", dropout);
            Activation act = Choices.activation(activation);
            ConvolutionMode mode = Choices.padding(padding);
            org.deeplearning4j.nn.conf.layers.PoolingType pool = Choices.pooling(pooling);

            int side = SIDE;
            for (int i = 0; i < convLayers; i++) {
                if (kernel > side) {
                    throw new SettingException("kernelSize " + kernel + " is larger than the " + side + "x" + side
                            + " input of convolution " + (i + 1) + ": use at most " + side + (mode == ConvolutionMode.Same ? "." : " (or padding \"same\")."));
                }
                side = mode == ConvolutionMode.Same ? side : side - kernel + 1;
            }
            side /= 2;
            if (side < 1 || secondKernel > side) {
                throw new SettingException("secondKernelSize " + secondKernel + " is larger than its " + Math.max(side, 0) + "x"
                        + Math.max(side, 0) + " input: use a smaller kernelSize, padding \"same\", or secondKernelSize of at most " + Math.max(side, 0) + ".");
            }
            side = (side - secondKernel + 1) / 2;
            if (side < 1) {
                throw new SettingException("the second pooling has a " + (side * 2) + "-pixel input: use smaller kernels or padding \"same\".");
            }
            if (thirdFilters < 0) {
                throw new SettingException("thirdFilters must be 0 (no third convolution) or more, not " + thirdFilters + ".");
            }
            if (thirdFilters > 0) {
                SettingException.positive("thirdKernelSize", thirdKernel);
                if (thirdKernel > side) {
                    throw new SettingException("thirdKernelSize " + thirdKernel + " is larger than its " + side + "x" + side
                            + " input: use at most " + side + ".");
                }
            }

            NeuralNetConfiguration.ListBuilder list = base();
            int n = 0;
            for (int i = 0; i < convLayers; i++) {
                list.layer(convolution("conv" + (++n), kernel, filters, mode, act));
                if (batchNorm) {
                    list.layer(new FastBatchNormalization.Builder().name("bn" + n).build());
                }
            }
            list.layer(new FastSubsamplingLayer.Builder(pool).name("pool1").kernelSize(2, 2).stride(2, 2).build());
            list.layer(convolution("conv" + (++n), secondKernel, secondFilters, ConvolutionMode.Truncate, act));
            if (batchNorm) {
                list.layer(new FastBatchNormalization.Builder().name("bn" + n).build());
            }
            list.layer(new FastSubsamplingLayer.Builder(pool).name("pool2").kernelSize(2, 2).stride(2, 2).build());
            if (thirdFilters > 0) {
                list.layer(convolution("conv" + (++n), thirdKernel, thirdFilters, ConvolutionMode.Truncate, act));
                if (batchNorm) {
                    list.layer(new FastBatchNormalization.Builder().name("bn" + n).build());
                }
            }
            if (dropout > 0) {
                list.layer(new DropoutLayer.Builder(1 - dropout).name("dropout").build());
            }
            list.layer(FastDenseLayer.of(new DenseLayer.Builder().name("dense").nOut(denseWidth).activation(act)
                    .l2(dl4jL2()).build()));
            list.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("output").nOut(CLASSES)
                    .activation(Activation.SOFTMAX).l2(dl4jL2()).build());
            list.setInputType(InputType.convolutional(SIDE, SIDE, 1));

            Map<String, Object> settings = new LinkedHashMap<>();
            settings.put("convLayers", convLayers);
            settings.put("filters", filters);
            settings.put("kernelSize", kernel);
            settings.put("padding", padding);
            settings.put("pooling", pooling);
            settings.put("secondFilters", secondFilters);
            settings.put("secondKernelSize", secondKernel);
            settings.put("denseWidth", denseWidth);
            if (thirdFilters > 0) { // only when used: saved runs of the other models keep their configuration
                settings.put("thirdFilters", thirdFilters);
                settings.put("thirdKernelSize", thirdKernel);
            }
            settings.put("batchNorm", batchNorm);
            settings.put("dropout", dropout);
            common(settings);
            String label = name != null ? name : "cnn " + convLayers + " x " + filters + "@" + kernel + "x" + kernel + " " + padding
                    + ", " + pooling + " pooling, " + activation;
            return finish(label, list.build(), Model.Input.IMAGE, settings);
        }

        private static Layer convolution(String name, int kernel, int filters, ConvolutionMode mode, Activation act) {
            return ConvolutionLayers.create(name, kernel, filters, mode, act);
        }
    }
}
