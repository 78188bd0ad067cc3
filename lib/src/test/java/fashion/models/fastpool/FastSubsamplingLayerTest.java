package fashion.models.fastpool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.file.Files;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
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

/** The fast pooling layer must compute exactly what DL4J's own {@link SubsamplingLayer} computes. */
class FastSubsamplingLayerTest {

    private static Layer runtime(org.deeplearning4j.nn.conf.layers.Layer layer, DataType type) {
        NeuralNetConfiguration conf = new NeuralNetConfiguration.Builder().dataType(type).layer(layer).build();
        return conf.getLayer().instantiate(conf, null, 0, null, true, type);
    }

    private static SubsamplingLayer pool(boolean fast, PoolingType type, int k, int s, ConvolutionMode mode) {
        SubsamplingLayer.Builder b = fast ? new FastSubsamplingLayer.Builder(type) : new SubsamplingLayer.Builder(type);
        b.kernelSize(k, k).stride(s, s).convolutionMode(mode);
        if (type == PoolingType.PNORM) {
            b.pnorm(2);
        }
        return b.build();
    }

    /** Forward output and input gradient of a layer built from {@code conf}: [output, epsilon]. */
    private static INDArray[] run(SubsamplingLayer conf, INDArray x, INDArray dy) {
        Layer l = runtime(conf, x.dataType());
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        l.setInput(x, mgr);
        INDArray y = l.activate(true, mgr).dup();
        INDArray gradOut = dy == null ? Nd4j.rand(x.dataType(), y.shape()).subi(0.5) : dy;
        Pair<Gradient, INDArray> p = l.backpropGradient(gradOut, mgr);
        return new INDArray[] {y, p.getSecond().dup(), gradOut};
    }

    private static void assertClose(INDArray expected, INDArray actual) {
        assertTrue(java.util.Arrays.equals(expected.shape(), actual.shape()),
                java.util.Arrays.toString(expected.shape()) + " vs " + java.util.Arrays.toString(actual.shape()));
        INDArray diff = expected.sub(actual);
        double scale = Math.max(1e-3, expected.amaxNumber().doubleValue());
        double worst = diff.amaxNumber().doubleValue();
        assertTrue(worst <= 1e-5 * scale, "max difference " + worst + " (scale " + scale + ")");
    }

    private static void compare(PoolingType type, DataType dt, long[] shape, boolean ties, int k, int s,
                                ConvolutionMode mode) {
        INDArray x = Nd4j.rand(dt, shape).subi(0.5);
        if (ties) {
            x = x.muli(4).castTo(DataType.INT32).castTo(dt); // values in {-2..2}: many equal maxima per window
        }
        INDArray[] stock = run(pool(false, type, k, s, mode), x, null);
        INDArray[] fast = run(pool(true, type, k, s, mode), x, stock[2]);
        assertClose(stock[0], fast[0]);
        assertClose(stock[1], fast[1]);
    }

    @Test
    void maxAndAvgMatchDl4jOnEvenOddAndTiedInputs() {
        for (DataType dt : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            for (PoolingType type : new PoolingType[] {PoolingType.MAX, PoolingType.AVG}) {
                compare(type, dt, new long[] {4, 3, 28, 28}, false, 2, 2, ConvolutionMode.Truncate);
                compare(type, dt, new long[] {3, 5, 7, 9}, false, 2, 2, ConvolutionMode.Truncate);
                compare(type, dt, new long[] {2, 4, 12, 12}, false, 2, 2, ConvolutionMode.Same);
                compare(type, dt, new long[] {3, 2, 11, 6}, true, 2, 2, ConvolutionMode.Truncate);
            }
        }
    }

    @Test
    void largeBatchSplitAcrossThreadsMatches() {
        compare(PoolingType.MAX, DataType.FLOAT, new long[] {32, 32, 28, 28}, false, 2, 2, ConvolutionMode.Truncate);
        compare(PoolingType.MAX, DataType.FLOAT, new long[] {32, 64, 13, 13}, true, 2, 2, ConvolutionMode.Truncate);
        compare(PoolingType.AVG, DataType.FLOAT, new long[] {32, 64, 12, 12}, false, 2, 2, ConvolutionMode.Truncate);
    }

    @Test
    void otherConfigurationsFallBackToDl4j() {
        compare(PoolingType.MAX, DataType.FLOAT, new long[] {2, 3, 9, 9}, false, 3, 2, ConvolutionMode.Truncate);
        compare(PoolingType.AVG, DataType.FLOAT, new long[] {2, 3, 7, 7}, false, 2, 2, ConvolutionMode.Same);
        compare(PoolingType.PNORM, DataType.DOUBLE, new long[] {2, 3, 8, 8}, false, 2, 2, ConvolutionMode.Truncate);
        Layer l = runtime(pool(true, PoolingType.MAX, 2, 2, ConvolutionMode.Truncate), DataType.FLOAT);
        assertTrue(((FastSubsamplingLayerImpl) l).handles(Nd4j.rand(DataType.FLOAT, 2, 3, 8, 8)));
        Layer other = runtime(pool(true, PoolingType.MAX, 3, 2, ConvolutionMode.Truncate), DataType.FLOAT);
        assertTrue(!((FastSubsamplingLayerImpl) other).handles(Nd4j.rand(DataType.FLOAT, 2, 3, 8, 8)));
    }

    @Test
    void viewsAndNonContiguousInputsMatch() {
        INDArray big = Nd4j.rand(DataType.FLOAT, 4, 6, 10, 10).subi(0.5);
        INDArray view = big.get(NDArrayIndex.interval(1, 3), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all());
        INDArray permuted = Nd4j.rand(DataType.FLOAT, 2, 10, 10, 6).permute(0, 3, 1, 2);
        for (INDArray x : new INDArray[] {view, permuted}) {
            INDArray[] stock = run(pool(false, PoolingType.MAX, 2, 2, ConvolutionMode.Truncate), x, null);
            INDArray[] fast = run(pool(true, PoolingType.MAX, 2, 2, ConvolutionMode.Truncate), x, stock[2]);
            assertClose(stock[0], fast[0]);
            assertClose(stock[1], fast[1]);
        }
    }

    static MultiLayerConfiguration config(boolean fast, PoolingType type) {
        return new NeuralNetConfiguration.Builder().seed(11).dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER_UNIFORM).updater(new Adam(1e-2))
                .trainingWorkspaceMode(WorkspaceMode.ENABLED).inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                .list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.RELU).build())
                .layer(pool(fast, type, 2, 2, ConvolutionMode.Truncate))
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build())
                .layer(pool(fast, type, 2, 2, ConvolutionMode.Truncate))
                .layer(new DenseLayer.Builder().nOut(10).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX)
                        .build())
                .setInputType(InputType.convolutional(13, 13, 1))
                .build();
    }

    static DataSet data(int n) {
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.rand(DataType.FLOAT, n, 1, 13, 13);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, 3);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, i % 3, 1.0);
            x.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.interval(0, 4 * (i % 3) + 1), NDArrayIndex.all()).addi(1);
        }
        return new DataSet(x, y);
    }

    @Test
    void trainsLikeDl4jWithWorkspaces() {
        for (PoolingType type : new PoolingType[] {PoolingType.MAX, PoolingType.AVG}) {
            MultiLayerNetwork fast = new MultiLayerNetwork(config(true, type));
            fast.init();
            MultiLayerNetwork stock = new MultiLayerNetwork(config(false, type));
            stock.init();
            assertInstanceOf(FastSubsamplingLayerImpl.class, fast.getLayer(1));
            assertEquals(stock.params(), fast.params());
            DataSet d = data(24);
            double first = fast.score(d);
            for (int i = 0; i < 30; i++) {
                fast.fit(d);
                stock.fit(d);
            }
            assertTrue(fast.score(d) < 0.7 * first, "loss " + first + " -> " + fast.score(d));
            assertTrue(stock.params().equalsWithEps(fast.params(), 1e-3), "parameters drift from DL4J's");
            assertTrue(stock.output(d.getFeatures()).equalsWithEps(fast.output(d.getFeatures()), 1e-3));
        }
    }

    @Test
    void serializesClonesAndRestores() throws Exception {
        MultiLayerNetwork net = new MultiLayerNetwork(config(true, PoolingType.MAX));
        net.init();
        DataSet d = data(12);
        net.fit(d);
        INDArray expected = net.output(d.getFeatures());

        String json = net.getLayerWiseConfigurations().toJson();
        assertTrue(json.contains(FastSubsamplingLayer.class.getName()));
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(json);
        assertEquals(net.getLayerWiseConfigurations(), back);
        assertInstanceOf(FastSubsamplingLayer.class, back.getConf(1).getLayer());

        MultiLayerNetwork clone = net.clone();
        assertInstanceOf(FastSubsamplingLayerImpl.class, clone.getLayer(3));
        assertTrue(expected.equalsWithEps(clone.output(d.getFeatures()), 1e-6));

        File file = Files.createTempFile("fastpool", ".zip").toFile();
        file.deleteOnExit();
        net.save(file, true);
        MultiLayerNetwork loaded = MultiLayerNetwork.load(file, true);
        assertInstanceOf(FastSubsamplingLayerImpl.class, loaded.getLayer(1));
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
