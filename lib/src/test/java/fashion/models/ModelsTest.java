package fashion.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ModelsTest {
    @Test
    void seedDenseHasTheSeedsShapeAndParameterCount() {
        Model model = Models.seedDense();
        assertEquals(556_510, model.parameterCount()); // 784*700 + 700 + 700*10 + 10
        assertEquals(Model.Input.FLAT, model.input());
        assertEquals(2, model.network().getnLayers());
        INDArray out = model.network().output(Nd4j.rand(7, 784));
        assertArrayEquals(new long[] {7, 10}, out.shape());
        assertEquals(7.0, out.sumNumber().doubleValue(), 1e-4); // softmax rows sum to 1
        assertEquals(2, model.summary().rowCount());
    }

    @Test
    void seedCnnTakesImagesAndHasTheSeedsLayers() {
        Model model = Models.seedCnn();
        assertEquals(Model.Input.IMAGE, model.input());
        // 3 conv (1->5, 5->5, 5->5, 10x10) + pool + conv 5->16 5x5 + pool + dense 400->84 + output 84->10
        long expected = (1 * 5 * 100 + 5) + 2 * (5 * 5 * 100 + 5) + (5 * 16 * 25 + 16) + (400 * 84 + 84) + (84 * 10 + 10);
        assertEquals(expected, model.parameterCount());
        INDArray out = model.network().output(Nd4j.rand(3, 1, 28, 28));
        assertArrayEquals(new long[] {3, 10}, out.shape());
    }

    @Test
    void denseBuilderVariesDepthAndWidth() {
        Model deep = Models.dense().depth(10).width(500).build();
        assertEquals(784L * 500 + 500 + 9L * (500 * 500 + 500) + 500 * 10 + 10, deep.parameterCount());
        assertEquals(10, deep.settings().get("depth"));
    }

    @Test
    void sameSeedGivesTheSameInitialWeights() {
        assertEquals(Models.seedDense().network().params(), Models.seedDense().network().params());
    }
}
