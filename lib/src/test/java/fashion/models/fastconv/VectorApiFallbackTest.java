package fashion.models.fastconv;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import fashion.engine.ChildJvm;
import fashion.engine.Engine;

/**
 * A JVM started without {@code --add-modules jdk.incubator.vector} (a user's own script, say) must still train the
 * convolutional models, through the native convolution, and say how to get the faster path.
 */
class VectorApiFallbackTest {

    /** Trains a 10x10 convolution (which uses the DFT when it can) for a few steps; prints what it used. */
    public static void main(String[] args) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(5)
                .dataType(DataType.FLOAT).updater(new Adam(1e-3)).list()
                .layer(new FastConvolutionLayer.Builder(10, 10).nOut(5).convolutionMode(ConvolutionMode.Same).build())
                .layer(new FastConvolutionLayer.Builder(10, 10).nOut(5).convolutionMode(ConvolutionMode.Same).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX)
                        .build())
                .setInputType(InputType.convolutionalFlat(12, 12, 1)).build());
        net.init();
        Nd4j.getRandom().setSeed(1);
        DataSet d = new DataSet(Nd4j.rand(DataType.FLOAT, 8, 144), Nd4j.eye(3).getRows(0, 1, 2, 0, 1, 2, 0, 1)
                .castTo(DataType.FLOAT));
        double first = 0;
        for (int i = 0; i < 30; i++) {
            net.fit(d);
            if (i == 0) {
                first = net.score();
            }
        }
        System.out.println("vectorApi=" + Engine.vectorApi() + " dft=" + ((FastConvolutionLayerImpl) net.getLayer(1))
                .usedFourier() + " learned=" + (net.score() < first));
        System.out.println("describe: " + Engine.describe());
    }

    @Test
    void withoutTheVectorModuleTrainingFallsBackToTheNativeConvolution() throws Exception {
        // without --add-modules jdk.incubator.vector
        String text = ChildJvm.run(VectorApiFallbackTest.class, List.of(), Map.of());
        assertTrue(text.contains("vectorApi=false dft=false learned=true"), text);
        assertTrue(text.contains("start the JVM with --add-modules jdk.incubator.vector"), text);
    }

    @Test
    void withTheVectorModuleTheSameTrainingUsesTheDft() {
        assertTrue(Engine.vectorApi(), "surefire runs with --add-modules jdk.incubator.vector (lib/pom.xml)");
        java.io.ByteArrayOutputStream buffer = new java.io.ByteArrayOutputStream();
        java.io.PrintStream before = System.out;
        System.setOut(new java.io.PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            main(new String[0]);
        } finally {
            System.setOut(before);
        }
        assertTrue(buffer.toString(StandardCharsets.UTF_8).contains("vectorApi=true dft=true learned=true"),
                buffer.toString(StandardCharsets.UTF_8));
    }
}
