package fashion.models.fastconv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.file.Files;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The fast layer must compute exactly what DL4J's own {@link ConvolutionLayer} computes: same output, same
 * gradients (float, through the oneDNN path) and correct gradients by finite differences (double).
 */
class FastConvolutionLayerTest {

    private static final int SIDE = 12;

    private static Layer conv(boolean fast, int kernel, int nOut, ConvolutionMode mode, Activation act, boolean bias) {
        if (fast) {
            return new FastConvolutionLayer.Builder(kernel, kernel).nOut(nOut).convolutionMode(mode).activation(act)
                    .hasBias(bias).l2(2e-4).build();
        }
        return new ConvolutionLayer.Builder(kernel, kernel).nOut(nOut).convolutionMode(mode).activation(act)
                .hasBias(bias).l2(2e-4).build();
    }

    /** A small version of the seed's CNN: even kernel with Same padding, avg pooling, valid conv, dense. */
    static MultiLayerConfiguration config(boolean fast, DataType type, boolean updater) {
        return new NeuralNetConfiguration.Builder().seed(7).dataType(type)
                .weightInit(WeightInit.XAVIER_UNIFORM)
                .updater(updater ? new Adam(1e-3) : new NoOp())
                .list()
                .layer(new FastConvolutionLayer.Builder(4, 4).nIn(1).nOut(3).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.RELU).build())
                .layer(conv(fast, 3, 2, ConvolutionMode.Same, Activation.TANH, true))
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.AVG).kernelSize(2, 2).stride(2, 2).build())
                .layer(conv(fast, 3, 4, ConvolutionMode.Truncate, Activation.SIGMOID, false))
                .layer(new DenseLayer.Builder().nOut(6).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX)
                        .build())
                .setInputType(InputType.convolutionalFlat(SIDE, SIDE, 1))
                .build();
    }

    /** Same network with every convolution either fast or DL4J's own (first layer is always of the chosen kind). */
    static MultiLayerNetwork network(boolean fast, DataType type, boolean updater) {
        MultiLayerConfiguration c = config(fast, type, updater);
        if (!fast) {
            // replace the first layer, built as fast above, by DL4J's layer with the same settings
            c = new NeuralNetConfiguration.Builder().seed(7).dataType(type)
                    .weightInit(WeightInit.XAVIER_UNIFORM)
                    .updater(updater ? new Adam(1e-3) : new NoOp())
                    .list()
                    .layer(new ConvolutionLayer.Builder(4, 4).nIn(1).nOut(3).convolutionMode(ConvolutionMode.Same)
                            .activation(Activation.RELU).build())
                    .layer(conv(false, 3, 2, ConvolutionMode.Same, Activation.TANH, true))
                    .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.AVG).kernelSize(2, 2).stride(2, 2).build())
                    .layer(conv(false, 3, 4, ConvolutionMode.Truncate, Activation.SIGMOID, false))
                    .layer(new DenseLayer.Builder().nOut(6).activation(Activation.TANH).build())
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                            .activation(Activation.SOFTMAX).build())
                    .setInputType(InputType.convolutionalFlat(SIDE, SIDE, 1))
                    .build();
        }
        MultiLayerNetwork net = new MultiLayerNetwork(c);
        net.init();
        return net;
    }

    static DataSet data(DataType type, int n) {
        Nd4j.getRandom().setSeed(11);
        INDArray x = Nd4j.rand(type, n, SIDE * SIDE);
        INDArray y = Nd4j.zeros(type, n, 3);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, i % 3, 1.0);
        }
        return new DataSet(x, y);
    }

    @Test
    void layersAreFastOnlyWhereAsked() {
        MultiLayerNetwork fast = network(true, DataType.FLOAT, false);
        MultiLayerNetwork stock = network(false, DataType.FLOAT, false);
        assertInstanceOf(FastConvolutionLayerImpl.class, fast.getLayer(0));
        assertInstanceOf(FastConvolutionLayerImpl.class, fast.getLayer(3));
        assertEquals(org.deeplearning4j.nn.layers.convolution.ConvolutionLayer.class, stock.getLayer(0).getClass());
        assertEquals(stock.numParams(), fast.numParams());
    }

    @Test
    void sameOutputAndGradientsAsDl4jConvolutionLayer() {
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            MultiLayerNetwork fast = network(true, type, false);
            MultiLayerNetwork stock = network(false, type, false);
            stock.setParams(fast.params().dup());
            DataSet d = data(type, 5);
            double tol = type == DataType.FLOAT ? 1e-5 : 1e-10;

            INDArray outFast = fast.output(d.getFeatures());
            INDArray outStock = stock.output(d.getFeatures());
            assertTrue(outFast.equalsWithEps(outStock, tol), () -> "outputs differ " + outFast + " vs " + outStock);
            for (int layer = 0; layer < 4; layer++) {
                INDArray a = fast.feedForwardToLayer(layer, d.getFeatures(), false).get(layer + 1);
                INDArray b = stock.feedForwardToLayer(layer, d.getFeatures(), false).get(layer + 1);
                assertTrue(a.equalsWithEps(b, tol), "activations of layer " + layer + " differ");
            }

            fast.setInput(d.getFeatures());
            fast.setLabels(d.getLabels());
            fast.computeGradientAndScore();
            stock.setInput(d.getFeatures());
            stock.setLabels(d.getLabels());
            stock.computeGradientAndScore();
            assertEquals(stock.score(), fast.score(), tol * 10);
            Gradient gf = fast.gradient();
            Gradient gs = stock.gradient();
            for (String key : gs.gradientForVariable().keySet()) {
                INDArray a = gf.getGradientFor(key);
                INDArray b = gs.getGradientFor(key);
                double scale = Math.max(1.0, b.amaxNumber().doubleValue());
                double diff = a.sub(b).amaxNumber().doubleValue() / scale;
                assertTrue(diff < (type == DataType.FLOAT ? 1e-4 : 1e-9),
                        type + " gradient " + key + " differs by " + diff + "\n" + a + "\n" + b);
            }
        }
    }

    @Test
    void inputGradientMatchesWhenAskedFor() {
        // MultiLayerNetwork.backpropGradient returns the gradient with respect to the network input: the fast layer
        // must compute it there (it skips it only inside fit, where DL4J discards it)
        INDArray[] eps = new INDArray[2];
        INDArray params = null;
        for (int i = 0; i < 2; i++) {
            boolean fast = i == 0;
            MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(9)
                    .weightInit(WeightInit.XAVIER_UNIFORM).updater(new NoOp()).list()
                    .layer(conv(fast, 4, 3, ConvolutionMode.Same, Activation.TANH, true))
                    .layer(conv(fast, 3, 2, ConvolutionMode.Same, Activation.SIGMOID, true))
                    .layer(new DenseLayer.Builder().nOut(4).activation(Activation.IDENTITY).build())
                    .setInputType(InputType.convolutional(SIDE, SIDE, 1))
                    .build());
            net.init();
            if (params == null) {
                params = net.params().dup();
            } else {
                net.setParams(params);
            }
            Nd4j.getRandom().setSeed(3);
            INDArray x = Nd4j.rand(DataType.FLOAT, 5, 1, SIDE, SIDE);
            INDArray outputGradient = Nd4j.rand(DataType.FLOAT, 5, 4);
            net.setInput(x);
            net.feedForward(true, false);
            eps[i] = net.backpropGradient(outputGradient, LayerWorkspaceMgr.noWorkspaces()).getSecond();
        }
        assertTrue(eps[0] != null && eps[0].amaxNumber().doubleValue() > 0, "input gradient missing");
        assertTrue(eps[0].equalsWithEps(eps[1], 1e-5), "input gradients differ");
    }

    @Test
    void stridedAndPaddedLayersUseTheNativeBackwardCorrectly() {
        MultiLayerNetwork[] nets = new MultiLayerNetwork[2];
        for (int i = 0; i < 2; i++) {
            boolean fast = i == 0;
            NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder().seed(5).dataType(DataType.DOUBLE)
                    .weightInit(WeightInit.XAVIER_UNIFORM).updater(new NoOp()).list();
            b.layer(fast ? new FastConvolutionLayer.Builder(3, 3).nIn(1).nOut(2).stride(2, 2).padding(1, 1)
                    .convolutionMode(ConvolutionMode.Truncate).activation(Activation.TANH).build()
                    : new ConvolutionLayer.Builder(3, 3).nIn(1).nOut(2).stride(2, 2).padding(1, 1)
                    .convolutionMode(ConvolutionMode.Truncate).activation(Activation.TANH).build());
            b.layer(fast ? new FastConvolutionLayer.Builder(3, 3).nOut(3).padding(1, 1)
                    .convolutionMode(ConvolutionMode.Truncate).activation(Activation.RELU).build()
                    : new ConvolutionLayer.Builder(3, 3).nOut(3).padding(1, 1)
                    .convolutionMode(ConvolutionMode.Truncate).activation(Activation.RELU).build());
            b.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).build());
            b.setInputType(InputType.convolutionalFlat(SIDE, SIDE, 1));
            nets[i] = new MultiLayerNetwork(b.build());
            nets[i].init();
        }
        nets[1].setParams(nets[0].params().dup());
        DataSet d = data(DataType.DOUBLE, 4);
        for (MultiLayerNetwork net : nets) {
            net.setInput(d.getFeatures());
            net.setLabels(d.getLabels());
            net.computeGradientAndScore();
        }
        assertEquals(nets[1].score(), nets[0].score(), 1e-10);
        assertTrue(nets[0].gradient().gradient().equalsWithEps(nets[1].gradient().gradient(), 1e-9));
    }

    @Test
    void numericalGradientCheck() {
        DataType before = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            MultiLayerNetwork fast = network(true, DataType.DOUBLE, false);
            DataSet d = data(DataType.DOUBLE, 4);
            boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(fast)
                    .input(d.getFeatures()).labels(d.getLabels()).epsilon(1e-6).maxRelError(1e-3)
                    .minAbsoluteError(1e-8).print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
            assertTrue(ok, "finite-difference gradient check failed");
        } finally {
            Nd4j.setDefaultDataTypes(before, before);
        }
    }

    @Test
    void trainingMatchesDl4jLayerStepByStep() {
        MultiLayerNetwork fast = network(true, DataType.FLOAT, true);
        MultiLayerNetwork stock = network(false, DataType.FLOAT, true);
        stock.setParams(fast.params().dup());
        DataSet d = data(DataType.FLOAT, 16);
        for (int i = 0; i < 20; i++) {
            fast.fit(d);
            stock.fit(d);
        }
        double diff = fast.params().sub(stock.params()).amaxNumber().doubleValue();
        assertTrue(diff < 1e-4, "parameters drifted apart by " + diff);
        assertEquals(stock.score(), fast.score(), 1e-4);
    }

    @Test
    void dftConvolutionsGiveTheSameGradientsAndTraining() {
        // every layer of the test network through the DFT (by default only kernels of 5x5 and more)
        assertTrue(FourierConvolution.available(), "tests run with --add-modules jdk.incubator.vector (lib/pom.xml)");
        String before = FastConvolutionLayerImpl.fourierMode;
        try {
            FastConvolutionLayerImpl.fourierMode = "on";
            sameOutputAndGradientsAsDl4jConvolutionLayer();
            trainingMatchesDl4jLayerStepByStep();
            inputGradientMatchesWhenAskedFor();
        } finally {
            FastConvolutionLayerImpl.fourierMode = before;
        }
    }

    @Test
    void dftConvolutionIsUsedWhereItSavesArithmetic() {
        // 3x3 from one channel: the DFT would cost more; 10x10 between 5 channels: about 4 times less (FourierConvolution.gain)
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3)
                .dataType(DataType.FLOAT).updater(new NoOp()).list()
                .layer(new FastConvolutionLayer.Builder(3, 3).nOut(5).convolutionMode(ConvolutionMode.Same).build())
                .layer(new FastConvolutionLayer.Builder(10, 10).nOut(5).convolutionMode(ConvolutionMode.Same).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX)
                        .build())
                .setInputType(InputType.convolutionalFlat(SIDE, SIDE, 1)).build());
        net.init();
        DataSet d = data(DataType.FLOAT, 4);
        net.setInput(d.getFeatures());
        net.setLabels(d.getLabels());
        net.computeGradientAndScore();
        assertTrue(!((FastConvolutionLayerImpl) net.getLayer(0)).usedFourier(), "3x3 layer should not use the DFT");
        assertTrue(((FastConvolutionLayerImpl) net.getLayer(1)).usedFourier(), "10x10 layer should use the DFT");
        assertTrue(FourierConvolution.gain(1, 5, SIDE, SIDE, SIDE, SIDE, 3, 3, 1, 1, false) < FastConvolutionLayerImpl.fourierMinGain);
        assertTrue(FourierConvolution.gain(5, 5, SIDE, SIDE, SIDE, SIDE, 10, 10, 4, 4, true) > FastConvolutionLayerImpl.fourierMinGain);
    }

    @Test
    void foldedConvolutionsMatchDirectOnes() {
        // both fold tables (16-float and 8-float vectors), whatever this machine's CPU
        boolean before = PhaseFolding.wideVectors;
        try {
            for (boolean wide : new boolean[] {true, false}) {
                PhaseFolding.wideVectors = wide;
                foldedConvolutionsMatchDirectOnes(wide);
            }
        } finally {
            PhaseFolding.wideVectors = before;
        }
    }

    @Test
    void foldFactorsFollowTheVectorWidthAndDivideTheOutput() {
        INDArray weights = Nd4j.create(DataType.FLOAT, 5, 5, 10, 10);
        long[] same = {10, 10, 1, 1, 4, 4, 1, 1, 1, 0, 1};
        INDArray image28 = Nd4j.create(DataType.FLOAT, 2, 5, 28, 28);
        INDArray image24 = Nd4j.create(DataType.FLOAT, 2, 5, 24, 24);
        INDArray image9 = Nd4j.create(DataType.FLOAT, 2, 5, 9, 9);
        INDArray kernelGradient = Nd4j.create(DataType.FLOAT, 5, 5, 10, 10); // output smaller than its "kernel"
        INDArray outputGradient = Nd4j.create(DataType.FLOAT, 5, 2, 28, 28);
        boolean before = PhaseFolding.wideVectors;
        try {
            PhaseFolding.wideVectors = true;
            assertArrayEquals(new int[] {4, 4}, PhaseFolding.factors(weights, image28, same));
            assertArrayEquals(new int[] {2, 1}, PhaseFolding.factors(outputGradient, kernelGradient, same));
            PhaseFolding.wideVectors = false;
            assertArrayEquals(new int[] {7, 1}, PhaseFolding.factors(weights, image28, same));
            assertArrayEquals(new int[] {4, 4}, PhaseFolding.factors(weights, image24, same));
            assertArrayEquals(new int[] {2, 2}, PhaseFolding.factors(outputGradient, kernelGradient, same));
            assertNull(PhaseFolding.factors(weights, image9, same), "9x9 output: no factor divides it");
            INDArray wide = Nd4j.create(DataType.FLOAT, 16, 5, 10, 10);
            assertNull(PhaseFolding.factors(wide, Nd4j.create(DataType.FLOAT, 2, 16, 28, 28), same),
                    "16 filters are not folded");
        } finally {
            PhaseFolding.wideVectors = before;
        }
    }

    private void foldedConvolutionsMatchDirectOnes(boolean wide) {
        // the seed's geometry: 5 filters of 10x10 on 28x28 images with "same" padding, where output-phase folding
        // is used for the forward pass and the input gradient; then a valid layer (16 filters: not folded)
        Gradient[] grads = new Gradient[2];
        INDArray[] outs = new INDArray[2];
        INDArray params = null;
        boolean before = PhaseFolding.enabled;
        try {
            for (int i = 0; i < 2; i++) {
                PhaseFolding.enabled = i == 0;
                MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(13)
                        .weightInit(WeightInit.XAVIER_UNIFORM).updater(new NoOp()).list()
                        .layer(new FastConvolutionLayer.Builder(10, 10).nOut(5).convolutionMode(ConvolutionMode.Same)
                                .activation(Activation.RELU).build())
                        .layer(new FastConvolutionLayer.Builder(10, 10).nOut(5).convolutionMode(ConvolutionMode.Same)
                                .activation(Activation.TANH).build())
                        .layer(new FastConvolutionLayer.Builder(5, 5).nOut(16).convolutionMode(ConvolutionMode.Truncate)
                                .activation(Activation.RELU).build())
                        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                                .activation(Activation.SOFTMAX).build())
                        .setInputType(InputType.convolutional(28, 28, 1))
                        .build());
                net.init();
                if (params == null) {
                    params = net.params().dup();
                } else {
                    net.setParams(params);
                }
                Nd4j.getRandom().setSeed(17);
                INDArray x = Nd4j.rand(DataType.FLOAT, 6, 1, 28, 28);
                INDArray y = Nd4j.zeros(DataType.FLOAT, 6, 3);
                for (int r = 0; r < 6; r++) {
                    y.putScalar(r, r % 3, 1.0);
                }
                outs[i] = net.output(Nd4j.rand(DataType.FLOAT, 150, 1, 28, 28)); // more images than one re-interleaving block
                net.setInput(x);
                net.setLabels(y);
                net.computeGradientAndScore();
                grads[i] = net.gradient();
            }
        } finally {
            PhaseFolding.enabled = before;
        }
        assertTrue(outs[0].equalsWithEps(outs[1], 1e-6), "outputs differ, wide vectors " + wide);
        assertTrue(grads[0].gradient().equalsWithEps(grads[1].gradient(), 1e-6), "gradients differ, wide vectors " + wide);
    }

    @Test
    void serializesClonesAndRestores() throws Exception {
        MultiLayerNetwork net = network(true, DataType.FLOAT, true);
        DataSet d = data(DataType.FLOAT, 8);
        net.fit(d);
        INDArray expected = net.output(d.getFeatures());

        String json = net.getLayerWiseConfigurations().toJson();
        assertTrue(json.contains(FastConvolutionLayer.class.getName()));
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(json);
        assertEquals(net.getLayerWiseConfigurations(), back);
        assertInstanceOf(FastConvolutionLayer.class, back.getConf(0).getLayer());

        MultiLayerNetwork clone = net.clone();
        assertInstanceOf(FastConvolutionLayerImpl.class, clone.getLayer(0));
        assertTrue(expected.equalsWithEps(clone.output(d.getFeatures()), 1e-6));

        File file = Files.createTempFile("fastconv", ".zip").toFile();
        file.deleteOnExit();
        net.save(file, true);
        MultiLayerNetwork loaded = MultiLayerNetwork.load(file, true);
        assertInstanceOf(FastConvolutionLayerImpl.class, loaded.getLayer(3));
        assertTrue(expected.equalsWithEps(loaded.output(d.getFeatures()), 1e-6));
        assertEquals(net.getUpdater().getStateViewArray(), loaded.getUpdater().getStateViewArray());

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(net, bytes, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes.toByteArray()), true);
        assertTrue(expected.equalsWithEps(restored.output(d.getFeatures()), 1e-6));
        // and it keeps training
        restored.fit(d);
        net.fit(d);
        assertTrue(net.params().equalsWithEps(restored.params(), 1e-6));
    }
}
