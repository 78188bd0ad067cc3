package fashion.models.fastconv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The DFT convolution against libnd4j's direct {@code conv2d} and {@code conv2d_bp}: same output, same weight, bias
 * and input gradients, for the seed's geometry and for odd, even, valid, padded and non-square ones.
 */
class FourierConvolutionTest {

    /** iArgs of libnd4j's conv2d for a stride-1 convolution with explicit top/left padding. */
    private static int[] args(int kh, int kw, int top, int left) {
        return new int[] {kh, kw, 1, 1, top, left, 1, 1, 0, 0, 1};
    }

    private static double relativeDifference(INDArray a, INDArray b) {
        double scale = Math.max(1e-3, b.amaxNumber().doubleValue());
        return a.sub(b).amaxNumber().doubleValue() / scale;
    }

    /**
     * One geometry: batch b, channels c to o, input h x w, kernel kh x kw, padding top/left (bottom/right chosen so
     * that the output is oh x ow).
     */
    private static void check(int b, int c, int o, int h, int w, int kh, int kw, int top, int left, int oh, int ow,
                              boolean bias) {
        Nd4j.getRandom().setSeed(b * 1000 + c * 100 + kh * 10 + kw);
        INDArray x = Nd4j.rand(DataType.FLOAT, b, c, h, w).subi(0.5);
        INDArray weights = Nd4j.rand(DataType.FLOAT, o, c, kh, kw).subi(0.5);
        INDArray bv = bias ? Nd4j.rand(DataType.FLOAT, o).subi(0.5) : null;
        INDArray delta = Nd4j.rand(DataType.FLOAT, b, o, oh, ow).subi(0.5);

        // the direct convolution: pad explicitly (bottom/right may differ from top/left), then a valid conv2d
        int bottom = oh + kh - 1 - h - top;
        int right = ow + kw - 1 - w - left;
        INDArray padded = Nd4j.zeros(DataType.FLOAT, b, c, h + top + bottom, w + left + right);
        padded.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(top, top + h),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(left, left + w)).assign(x);
        INDArray expected = Nd4j.create(DataType.FLOAT, b, o, oh, ow);
        INDArray[] convInputs = bias ? new INDArray[] {padded, weights, bv} : new INDArray[] {padded, weights};
        Nd4j.exec(DynamicCustomOp.builder("conv2d").addInputs(convInputs).addOutputs(expected)
                .addIntegerArguments(args(kh, kw, 0, 0)).build());
        INDArray paddedGrad = Nd4j.create(DataType.FLOAT, padded.shape());
        INDArray expectedWeightGrad = Nd4j.create(DataType.FLOAT, weights.shape());
        INDArray expectedBiasGrad = Nd4j.create(DataType.FLOAT, o);
        INDArray[] bpInputs = bias ? new INDArray[] {padded, weights, bv, delta} : new INDArray[] {padded, weights, delta};
        INDArray[] bpOutputs = bias ? new INDArray[] {paddedGrad, expectedWeightGrad, expectedBiasGrad}
                : new INDArray[] {paddedGrad, expectedWeightGrad};
        Nd4j.exec(DynamicCustomOp.builder("conv2d_bp").addInputs(bpInputs).addOutputs(bpOutputs)
                .addIntegerArguments(args(kh, kw, 0, 0)).build());
        INDArray expectedInputGrad = paddedGrad.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(top, top + h),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(left, left + w));

        FourierConvolution fourier = new FourierConvolution();
        INDArray out = Nd4j.create(DataType.FLOAT, b, o, oh, ow);
        fourier.forward(x, weights, bv, out, top, left);
        String geometry = String.format("[%d,%d,%d,%d] * [%d,%d,%d,%d] pad %d/%d -> %dx%d", b, c, h, w, o, c, kh, kw,
                top, left, oh, ow);
        assertClose(geometry, "output", out, expected);

        INDArray weightGrad = Nd4j.create(DataType.FLOAT, weights.shape());
        INDArray biasGrad = bias ? Nd4j.create(DataType.FLOAT, o) : null;
        INDArray inputGrad = Nd4j.create(DataType.FLOAT, x.shape());
        fourier.backward(delta, weightGrad, biasGrad, inputGrad);
        assertClose(geometry, "weight gradient", weightGrad, expectedWeightGrad);
        assertClose(geometry, "input gradient", inputGrad, expectedInputGrad);
        if (bias) {
            assertClose(geometry, "bias gradient", biasGrad, expectedBiasGrad);
        }
    }

    private static void assertClose(String geometry, String what, INDArray actual, INDArray expected) {
        double d = relativeDifference(actual, expected);
        assertTrue(d < 1e-5, geometry + ": " + what + " differs by " + d);
    }

    @Test
    void seedLayersMatchTheDirectConvolution() {
        // 10x10 kernels, Keras "same" padding (4 before, 5 after), 28x28 images: first layer and the two 5-channel ones
        check(6, 1, 5, 28, 28, 10, 10, 4, 4, 28, 28, true);
        check(7, 5, 5, 28, 28, 10, 10, 4, 4, 28, 28, true);
    }

    @Test
    void otherGeometriesMatchTheDirectConvolution() {
        check(3, 5, 16, 14, 14, 5, 5, 0, 0, 10, 10, true);   // valid, the seed's second block
        check(2, 3, 4, 9, 9, 3, 3, 1, 1, 9, 9, false);       // odd kernel, same
        check(2, 2, 3, 12, 9, 4, 3, 1, 1, 12, 9, true);      // non-square input and kernel
        check(1, 2, 2, 8, 8, 5, 5, 2, 2, 8, 8, true);        // one image
        check(3, 4, 2, 7, 7, 3, 3, 2, 2, 9, 9, true);        // explicit padding wider than "same"
        check(5, 2, 3, 28, 28, 1, 1, 0, 0, 28, 28, true);    // 1x1 kernel
    }

    @Test
    void changingBatchSizeReplansAndStaysExact() {
        check(4, 5, 5, 28, 28, 10, 10, 4, 4, 28, 28, true);
        check(3, 5, 5, 28, 28, 10, 10, 4, 4, 28, 28, true);
    }

    @Test
    void transformLengthAvoidsWrappedPixels() {
        // 28 pixels, kernel 10, "same" padding 4 before and 5 after: outputs read pixels -4..32, so at least 28 + 5
        assertEquals(33, FourierConvolution.length(28, 10, 28, 4));
        assertEquals(14, FourierConvolution.length(14, 5, 10, 0));
        assertTrue(FourierConvolution.supports(28, 10, 28, 4));
        assertTrue(!FourierConvolution.supports(28, 3, 30, 0)); // 30 outputs need 4 pixels of padding after: wider than the kernel
    }

    @Test
    void backwardWithoutForwardIsRefused() {
        FourierConvolution fourier = new FourierConvolution();
        assertThrows(IllegalStateException.class, () -> fourier.backward(Nd4j.zeros(DataType.FLOAT, 1, 1, 3, 3),
                Nd4j.zeros(DataType.FLOAT, 1, 1, 1, 1), null, null));
    }
}
