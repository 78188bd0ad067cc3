package fashion.models.fastpool;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;

import fashion.engine.JavaParallel;

/**
 * Runtime layer created by {@link FastSubsamplingLayer}: 2x2 stride-2 MAX/AVG pooling of NCHW float or double data
 * in plain Java loops ({@link Pool2x2}) over the planes, split across cores; every other configuration runs DL4J's
 * own implementation (the superclass). Outputs are allocated through the {@link LayerWorkspaceMgr} exactly as the
 * superclass does. Max-pooling back-propagation finds each window's maximum again from the input (no state is kept
 * between the passes). Like DL4J's layer, no dropout is applied (DL4J M2.1's pooling layer ignores it).
 */
public class FastSubsamplingLayerImpl extends SubsamplingLayer {

    public FastSubsamplingLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** True when this layer's configuration and {@code in} are handled by the Java loops. */
    boolean handles(INDArray in) {
        org.deeplearning4j.nn.conf.layers.SubsamplingLayer c = layerConf();
        if (in == null || in.rank() != 4 || (in.dataType() != DataType.FLOAT && in.dataType() != DataType.DOUBLE)) {
            return false;
        }
        if (c.getCnn2dDataFormat() != null && c.getCnn2dDataFormat() != CNN2DFormat.NCHW) {
            return false;
        }
        PoolingType type = c.getPoolingType();
        if (type != PoolingType.MAX && type != PoolingType.AVG) {
            return false;
        }
        if (!Arrays.equals(c.getKernelSize(), new int[] {2, 2}) || !Arrays.equals(c.getStride(), new int[] {2, 2})
                || (c.getPadding() != null && !Arrays.equals(c.getPadding(), new int[] {0, 0}))
                || (c.getDilation() != null && !Arrays.equals(c.getDilation(), new int[] {1, 1}))) {
            return false;
        }
        boolean even = in.size(2) % 2 == 0 && in.size(3) % 2 == 0;
        ConvolutionMode mode = convolutionMode == null ? c.getConvolutionMode() : convolutionMode;
        // Same and Strict are identical to Truncate (no padding) when the sizes are even
        return (mode == ConvolutionMode.Truncate || even && (mode == ConvolutionMode.Same || mode == ConvolutionMode.Strict))
                && in.size(2) >= 2 && in.size(3) >= 2 && in.length() < Integer.MAX_VALUE;
    }

    static INDArray contiguous(INDArray a) {
        return a.ordering() == 'c' && a.offset() == 0 && Shape.hasDefaultStridesForShape(a) ? a : a.dup('c');
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        INDArray in = input.castTo(dataType);
        if (!handles(in)) {
            return super.activate(training, workspaceMgr);
        }
        in = contiguous(in);
        int n = (int) in.size(0);
        int c = (int) in.size(1);
        int h = (int) in.size(2);
        int w = (int) in.size(3);
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, in.dataType(),
                new long[] {n, c, h / 2, w / 2}, 'c');
        boolean max = layerConf().getPoolingType() == PoolingType.MAX;
        if (in.dataType() == DataType.FLOAT) {
            FloatBuffer x = in.data().asNioFloat();
            FloatBuffer y = out.data().asNioFloat();
            JavaParallel.forRange(n * c, (long) h * w, (from, to) -> Pool2x2.forward(max, x, y, from, to, h, w));
        } else {
            DoubleBuffer x = in.data().asNioDouble();
            DoubleBuffer y = out.data().asNioDouble();
            JavaParallel.forRange(n * c, (long) h * w, (from, to) -> Pool2x2.forward(max, x, y, from, to, h, w));
        }
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        INDArray in = input.castTo(dataType);
        if (!handles(in)) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        in = contiguous(in);
        INDArray dy = contiguous(epsilon.castTo(in.dataType()));
        int n = (int) in.size(0);
        int c = (int) in.size(1);
        int h = (int) in.size(2);
        int w = (int) in.size(3);
        if (dy.rank() != 4 || dy.size(0) != n || dy.size(1) != c || dy.size(2) != h / 2 || dy.size(3) != w / 2) {
            throw new IllegalArgumentException("Epsilon shape " + Arrays.toString(dy.shape()) + " does not match output of "
                    + "input " + Arrays.toString(in.shape()) + " " + layerId());
        }
        INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, in.dataType(), in.shape(), 'c');
        boolean max = layerConf().getPoolingType() == PoolingType.MAX;
        if (in.dataType() == DataType.FLOAT) {
            FloatBuffer x = in.data().asNioFloat();
            FloatBuffer g = dy.data().asNioFloat();
            FloatBuffer d = dx.data().asNioFloat();
            JavaParallel.forRange(n * c, (long) h * w, (from, to) -> Pool2x2.backward(max, x, g, d, from, to, h, w));
        } else {
            DoubleBuffer x = in.data().asNioDouble();
            DoubleBuffer g = dy.data().asNioDouble();
            DoubleBuffer d = dx.data().asNioDouble();
            JavaParallel.forRange(n * c, (long) h * w, (from, to) -> Pool2x2.backward(max, x, g, d, from, to, h, w));
        }
        return new Pair<>(new DefaultGradient(), dx);
    }
}
