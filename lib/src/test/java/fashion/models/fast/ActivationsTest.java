package fashion.models.fast;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import fashion.engine.Engine;

/** The Java ReLU must compute exactly what DL4J's ReLU computes, forward and backward. */
class ActivationsTest {
    private static final LayerWorkspaceMgr NO_WS = LayerWorkspaceMgr.noWorkspaces();

    private static void compare(IActivation afn, INDArray z, INDArray eps) {
        INDArray zBefore = z.dup();
        INDArray expectedOut = afn.getActivation(z.dup(), true);
        INDArray out = Activations.activateCopy(afn, z, NO_WS);
        assertSameValues(expectedOut, out, "forward of " + afn);
        assertSameValues(zBefore, z, "the forward pass leaves z unchanged");
        INDArray expectedDelta = afn.backprop(z.dup(), eps.dup()).getFirst();
        INDArray delta = Activations.backprop(afn, z, eps);
        assertSameValues(expectedDelta, delta, "backward of " + afn);
    }

    /** Same shape and the same floats in the same places (NaN equal to NaN). */
    private static void assertSameValues(INDArray expected, INDArray actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what);
        assertArrayEquals(expected.dup('c').data().asFloat(), actual.dup('c').data().asFloat(), what);
    }

    @Test
    void reluMatchesDl4jOnLargeAndSmallArraysInBothOrders() {
        Engine.init();
        Nd4j.getRandom().setSeed(12);
        // vector loops and their scalar tails: 7 x 1171 = 8197 elements is one full block of 8192 and a block of 5
        for (long[] shape : new long[][] {{32, 32, 28, 28}, {7, 1171}, {3, 5}, {1, 1}}) {
            for (char order : new char[] {'c', 'f'}) {
                INDArray z = Nd4j.randn(DataType.FLOAT, shape).dup(order);
                z.putScalar(0, 0f); // the derivative at 0 is 0, as in DL4J
                if (z.length() > 2) {
                    z.putScalar(1, Float.NaN); // NaN propagates (the training loop's divergence check relies on it)
                    z.putScalar(2, Float.NEGATIVE_INFINITY);
                }
                if (z.length() > 3) {
                    z.putScalar(3, -0.0f); // kept as -0.0 forward, as by libnd4j
                }
                if (z.length() > 8192) {
                    z.putScalar(8193, Float.NaN); // in a tail
                    z.putScalar(8194, 0f);
                    z.putScalar(8195, -0.0f);
                }
                INDArray eps = Nd4j.randn(DataType.FLOAT, shape).dup(order);
                compare(new ActivationReLU(), z, eps);
            }
        }
    }

    @Test
    void mixedLayoutsAndOtherActivationsUseDl4j() {
        Engine.init();
        INDArray z = Nd4j.randn(DataType.FLOAT, 6, 7).dup('c');
        INDArray eps = Nd4j.randn(DataType.FLOAT, 6, 7).dup('f');
        compare(new ActivationReLU(), z, eps);
        compare(new ActivationTanH(), Nd4j.randn(DataType.FLOAT, 4, 9), Nd4j.randn(DataType.FLOAT, 4, 9));
        // a ReLU with a non-default setting is not the plain ReLU: DL4J's own code runs it
        ActivationReLU capped = new ActivationReLU(0.5, null, null);
        INDArray big = Nd4j.createFromArray(new float[] {-1f, 0.2f, 0.9f, 3f}).reshape(1, 4);
        compare(capped, big, Nd4j.ones(DataType.FLOAT, 1, 4));
        assertNotEquals(big, Activations.activateCopy(capped, big, NO_WS));
        assertEquals(0.5f, Activations.activateCopy(capped, big, NO_WS).getFloat(3), 0f);
    }
}
