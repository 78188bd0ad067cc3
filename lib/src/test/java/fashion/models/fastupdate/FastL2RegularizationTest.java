package fashion.models.fastupdate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.regularization.L1Regularization;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;

import fashion.engine.Engine;
import fashion.models.Model;
import fashion.models.Models;

class FastL2RegularizationTest {

    @Test
    void scoreIsDl4jsL2ScoreForWholeArraysAndViews() {
        Engine.init();
        Nd4j.getRandom().setSeed(4);
        INDArray all = Nd4j.randn(DataType.FLOAT, 1, 100_003);
        INDArray view = all.get(NDArrayIndex.point(0), NDArrayIndex.interval(17, 60_017));
        INDArray matrix = Nd4j.randn(DataType.FLOAT, 37, 91).dup('f');
        for (INDArray a : new INDArray[] {all, view, matrix, Nd4j.scalar(3f)}) {
            double expected = new L2Regularization(2e-4).score(a, 0, 0);
            double actual = new FastL2Regularization(2e-4).score(a, 0, 0);
            assertEquals(expected, actual, 1e-5 * expected, "array of " + a.length());
        }
        // the view's score is its own, not its parent's
        assertNotEquals(new FastL2Regularization(1).score(all, 0, 0), new FastL2Regularization(1).score(view, 0, 0), 1e-3);
    }

    @Test
    void replacesOnlyPlainL2() {
        Regularization l1 = new L1Regularization(1e-3);
        List<Regularization> out = FastL2Regularization.replacing(List.of(new L2Regularization(3e-4), l1));
        assertInstanceOf(FastL2Regularization.class, out.get(0));
        assertEquals(3e-4, ((L2Regularization) out.get(0)).getL2().valueAt(5, 2), 1e-15);
        assertSame(l1, out.get(1));
    }

    @Test
    void theModelsUseItAndItSurvivesJson() {
        Model m = Models.seedDense();
        BaseLayer dense = (BaseLayer) m.network().getLayerWiseConfigurations().getConf(0).getLayer();
        assertEquals(List.of(new FastL2Regularization(2e-4)), dense.getRegularization());
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(m.network().getLayerWiseConfigurations().toJson());
        Regularization r = ((BaseLayer) back.getConf(0).getLayer()).getRegularization().get(0);
        assertInstanceOf(FastL2Regularization.class, r);
        assertEquals(2e-4, ((L2Regularization) r).getL2().valueAt(0, 0), 1e-15);
        assertTrue(r.clone() instanceof FastL2Regularization);
        assertNotEquals(new L2Regularization(2e-4), r);
    }
}
