package fashion.models.fastnorm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.file.Files;
import java.util.Map;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import fashion.models.fastpool.FastSubsamplingLayer;

/** The fast batch normalization must compute exactly what DL4J's own {@link BatchNormalization} computes. */
class FastBatchNormalizationTest {

    private static BatchNormalization bn(boolean fast, int channels, boolean logStd, boolean lock, double gamma,
                                         double beta) {
        BatchNormalization.Builder b = fast ? new FastBatchNormalization.Builder() : new BatchNormalization.Builder();
        b.nIn(channels).nOut(channels).useLogStd(logStd).lockGammaBeta(lock).gamma(gamma).beta(beta).decay(0.8).eps(1e-3);
        return b.build();
    }

    /** Output (training and inference), epsilon and every gradient of one layer with the given parameters. */
    private static INDArray[] run(BatchNormalization conf, INDArray params, INDArray x, INDArray dy, DataType type) {
        NeuralNetConfiguration nnc = new NeuralNetConfiguration.Builder().dataType(type).layer(conf).build();
        INDArray p = params.castTo(type).dup();
        x = x.castTo(type);
        dy = dy.castTo(type);
        Layer l = nnc.getLayer().instantiate(nnc, null, 0, p, false, type);
        INDArray grads = Nd4j.zeros(type, 1, p.length());
        l.setBackpropGradientsViewArray(grads);
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        l.setInput(x, mgr);
        INDArray test = l.activate(false, mgr).dup();
        INDArray train = l.activate(true, mgr).dup();
        Pair<Gradient, INDArray> g = l.backpropGradient(dy, mgr);
        Map<String, INDArray> table = g.getFirst().gradientForVariable();
        assertTrue(table.containsKey("mean") && table.containsKey(conf.isUseLogStd() ? "log10stdev" : "var"));
        return new INDArray[] {test, train, g.getSecond().dup(), grads.dup(), g.getFirst().getGradientFor("gamma").dup(),
                g.getFirst().getGradientFor("beta").dup()};
    }

    private static void assertClose(String what, INDArray expected, INDArray actual) {
        assertClose(what, expected, actual, 1e-5);
    }

    private static void assertClose(String what, INDArray expected, INDArray actual, double tolerance) {
        expected = expected.castTo(DataType.DOUBLE);
        actual = actual.castTo(DataType.DOUBLE);
        assertTrue(java.util.Arrays.equals(expected.reshape(expected.length()).shape(), actual.reshape(actual.length()).shape()), what);
        INDArray diff = expected.reshape(expected.length()).sub(actual.reshape(actual.length()));
        double scale = Math.max(1e-2, expected.amaxNumber().doubleValue());
        double worst = diff.amaxNumber().doubleValue();
        assertTrue(worst <= tolerance * scale, what + ": max difference " + worst + " (scale " + scale + ")");
    }

    private static void compare(long[] shape, boolean logStd, boolean lock, double gamma, double beta) {
        int c = (int) shape[1];
        INDArray x = Nd4j.rand(DataType.FLOAT, shape).muli(3).addi(1.5); // mean far from 0
        INDArray dy = Nd4j.rand(DataType.FLOAT, shape).subi(0.5);
        long nParams = lock ? 2L * c : 4L * c;
        INDArray params = Nd4j.rand(DataType.FLOAT, 1, nParams).addi(0.5);
        // reference: DL4J's layer in double precision (its float sums over N*H*W = 25088 values are off by ~2e-5)
        INDArray[] exact = run(bn(false, c, logStd, lock, gamma, beta), params, x, dy, DataType.DOUBLE);
        INDArray[] stock = run(bn(false, c, logStd, lock, gamma, beta), params, x, dy, DataType.FLOAT);
        INDArray[] fast = run(bn(true, c, logStd, lock, gamma, beta), params, x, dy, DataType.FLOAT);
        String[] names = {"inference output", "training output", "epsilon", "all gradients", "dGamma", "dBeta"};
        for (int i = 0; i < names.length; i++) {
            String what = names[i] + " " + java.util.Arrays.toString(shape) + " logStd=" + logStd + " lock=" + lock;
            assertClose(what, exact[i], fast[i]);
            assertClose(what + " (DL4J float)", stock[i], fast[i], 1e-4);
        }
    }

    @Test
    void matchesDl4jLayer() {
        for (boolean logStd : new boolean[] {true, false}) {
            compare(new long[] {4, 3, 5, 7}, logStd, false, 1, 0);
            compare(new long[] {32, 32, 28, 28}, logStd, false, 1, 0);
            compare(new long[] {32, 64, 12, 12}, logStd, false, 1, 0);
            compare(new long[] {3, 5, 6, 6}, logStd, true, 1, 0);
            compare(new long[] {3, 5, 6, 6}, logStd, true, 1.5, 0.3);
        }
    }

    @Test
    void nonContiguousInputMatches() {
        INDArray x = Nd4j.rand(DataType.FLOAT, 3, 6, 6, 4).muli(2).permute(0, 3, 1, 2);
        INDArray dy = Nd4j.rand(DataType.FLOAT, 3, 4, 6, 6).subi(0.5);
        INDArray params = Nd4j.rand(DataType.FLOAT, 1, 16).addi(0.5);
        INDArray[] stock = run(bn(false, 4, true, false, 1, 0), params, x, dy, DataType.FLOAT);
        INDArray[] fast = run(bn(true, 4, true, false, 1, 0), params, x, dy, DataType.FLOAT);
        for (int i = 0; i < stock.length; i++) {
            assertClose("result " + i, stock[i], fast[i]);
        }
    }

    static MultiLayerConfiguration config(boolean fast) {
        return new NeuralNetConfiguration.Builder().seed(11).dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER_UNIFORM).updater(new Adam(1e-2))
                .trainingWorkspaceMode(WorkspaceMode.ENABLED).inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                .list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.RELU).build())
                .layer(fast ? new FastBatchNormalization.Builder().build() : new BatchNormalization.Builder().build())
                .layer((fast ? new FastSubsamplingLayer.Builder(PoolingType.MAX) : new SubsamplingLayer.Builder(PoolingType.MAX))
                        .kernelSize(2, 2).stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build())
                .layer(fast ? new FastBatchNormalization.Builder().build() : new BatchNormalization.Builder().build())
                .layer(new DenseLayer.Builder().nOut(10).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX)
                        .build())
                .setInputType(InputType.convolutional(12, 12, 1))
                .build();
    }

    static DataSet data(int n) {
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.rand(DataType.FLOAT, n, 1, 12, 12);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, 3);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, i % 3, 1.0);
            x.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.interval(0, 4 * (i % 3) + 1), NDArrayIndex.all()).addi(1);
        }
        return new DataSet(x, y);
    }

    @Test
    void trainsLikeDl4jWithWorkspaces() {
        MultiLayerNetwork fast = new MultiLayerNetwork(config(true));
        fast.init();
        MultiLayerNetwork stock = new MultiLayerNetwork(config(false));
        stock.init();
        assertInstanceOf(FastBatchNormalizationImpl.class, fast.getLayer(1));
        assertEquals(stock.params(), fast.params());
        DataSet d = data(24);
        double first = fast.score(d);
        for (int i = 0; i < 30; i++) {
            fast.fit(d);
            stock.fit(d);
        }
        assertTrue(fast.score(d) < 0.7 * first, "loss " + first + " -> " + fast.score(d));
        assertTrue(stock.params().equalsWithEps(fast.params(), 1e-3), "parameters (incl. running statistics) drift");
        assertTrue(stock.output(d.getFeatures()).equalsWithEps(fast.output(d.getFeatures()), 1e-3));
    }

    @Test
    void serializesClonesAndRestores() throws Exception {
        MultiLayerNetwork net = new MultiLayerNetwork(config(true));
        net.init();
        DataSet d = data(12);
        net.fit(d);
        INDArray expected = net.output(d.getFeatures());

        String json = net.getLayerWiseConfigurations().toJson();
        assertTrue(json.contains(FastBatchNormalization.class.getName()));
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(json);
        assertEquals(net.getLayerWiseConfigurations(), back);
        assertInstanceOf(FastBatchNormalization.class, back.getConf(1).getLayer());

        MultiLayerNetwork clone = net.clone();
        assertInstanceOf(FastBatchNormalizationImpl.class, clone.getLayer(4));
        assertTrue(expected.equalsWithEps(clone.output(d.getFeatures()), 1e-6));

        File file = Files.createTempFile("fastnorm", ".zip").toFile();
        file.deleteOnExit();
        net.save(file, true);
        MultiLayerNetwork loaded = MultiLayerNetwork.load(file, true);
        assertInstanceOf(FastBatchNormalizationImpl.class, loaded.getLayer(1));
        assertTrue(expected.equalsWithEps(loaded.output(d.getFeatures()), 1e-6));

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(net, bytes, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes.toByteArray()), true);
        assertTrue(expected.equalsWithEps(restored.output(d.getFeatures()), 1e-6));
        restored.fit(d);
        net.fit(d);
        assertTrue(net.params().equalsWithEps(restored.params(), 1e-6));
    }
}
