package fashion.models.fastnorm;

import java.nio.FloatBuffer;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

import fashion.engine.JavaParallel;

/**
 * Runtime layer created by {@link FastBatchNormalization}. For 4-D NCHW float input it replaces DL4J's
 * {@link #preOutput} and {@link #backpropGradient} arithmetic by the per-channel Java loops of {@link ChannelNorm}
 * (channels split across cores), keeping DL4J's formulas, its running mean/variance "gradients"
 * ({@code (1 - decay) (global - batch)}, or the log10-std form) and its inference rule ({@code std = sqrt(var + eps)}
 * from the global estimates). Anything else runs the superclass.
 */
public class FastBatchNormalizationImpl extends BatchNormalization {

    /** Mean and std used by the last fast forward pass, and whether they are the batch's own statistics. */
    private transient float[] lastMean;
    private transient float[] lastStd;
    private transient double[] lastBatchVar;
    private transient boolean lastFromBatch;

    public FastBatchNormalizationImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private boolean handles(INDArray x) {
        org.deeplearning4j.nn.conf.layers.BatchNormalization c = layerConf();
        return x != null && x.rank() == 4 && dataType == DataType.FLOAT
                && (c.getCnn2DFormat() == null || c.getCnn2DFormat() == CNN2DFormat.NCHW)
                && x.size(1) == c.getNOut() && x.length() < Integer.MAX_VALUE;
    }

    private static INDArray contiguous(INDArray a) {
        return a.ordering() == 'c' && a.offset() == 0 && Shape.hasDefaultStridesForShape(a) ? a : a.dup('c');
    }

    private static float[] floats(INDArray a) {
        return a.castTo(DataType.FLOAT).reshape(a.length()).toFloatVector();
    }

    private static float[] floats(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            f[i] = (float) a[i];
        }
        return f;
    }

    private static void write(INDArray view, double[] values) {
        view.assign(Nd4j.createFromArray(values).castTo(view.dataType()).reshape(view.shape()));
    }

    @Override
    public INDArray preOutput(INDArray x, TrainingMode training, LayerWorkspaceMgr workspaceMgr) {
        if (!handles(x)) {
            return super.preOutput(x, training, workspaceMgr);
        }
        org.deeplearning4j.nn.conf.layers.BatchNormalization c = layerConf();
        x = contiguous(x.castTo(dataType));
        int n = (int) x.size(0);
        int ch = (int) x.size(1);
        int hw = (int) (x.size(2) * x.size(3));
        FloatBuffer in = x.data().asNioFloat();
        float[] mean;
        double[] var;
        if (training == TrainingMode.TRAIN) {
            double[] m = new double[ch];
            var = new double[ch];
            JavaParallel.forRange(ch, (long) n * hw, (from, to) -> ChannelNorm.statistics(in, n, ch, hw, from, to, m, var));
            mean = floats(m);
            lastBatchVar = var;
        } else {
            mean = floats(getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN));
            var = new double[ch];
            if (c.isUseLogStd()) {
                float[] log10Std = floats(getParam(BatchNormalizationParamInitializer.GLOBAL_LOG_STD));
                for (int i = 0; i < ch; i++) {
                    double s = Math.pow(10.0, log10Std[i]);
                    var[i] = s * s;
                }
            } else {
                float[] v = floats(getParam(BatchNormalizationParamInitializer.GLOBAL_VAR));
                for (int i = 0; i < ch; i++) {
                    var[i] = v[i];
                }
            }
            lastBatchVar = null;
        }
        float[] std = new float[ch];
        for (int i = 0; i < ch; i++) {
            std[i] = (float) Math.sqrt((float) var[i] + c.getEps());
        }
        lastMean = mean;
        lastStd = std;
        lastFromBatch = training == TrainingMode.TRAIN;
        this.std = null;
        this.xMu = null;
        this.xHat = null;

        float[] gamma = null;
        float[] beta = null;
        if (!c.isLockGammaBeta()) {
            gamma = floats(getParam(BatchNormalizationParamInitializer.GAMMA));
            beta = floats(getParam(BatchNormalizationParamInitializer.BETA));
        } else if (c.getGamma() != 1.0 && c.getBeta() != 0.0) {
            // DL4J applies fixed gamma/beta only when both differ from their defaults
            gamma = new float[ch];
            beta = new float[ch];
            java.util.Arrays.fill(gamma, (float) c.getGamma());
            java.util.Arrays.fill(beta, (float) c.getBeta());
        }
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, x.shape(), 'c');
        FloatBuffer y = out.data().asNioFloat();
        float[] g = gamma;
        float[] b = beta;
        JavaParallel.forRange(ch, (long) n * hw, (from, to) -> ChannelNorm.normalize(in, y, n, ch, hw, from, to, mean, std, g, b));
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        if (!handles(input) || epsilon.rank() != 4) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        org.deeplearning4j.nn.conf.layers.BatchNormalization c = layerConf();
        INDArray x = contiguous(input.castTo(dataType));
        INDArray dy = contiguous(epsilon.castTo(dataType));
        int n = (int) x.size(0);
        int ch = (int) x.size(1);
        int hw = (int) (x.size(2) * x.size(3));
        FloatBuffer in = x.data().asNioFloat();
        if (lastMean == null || lastMean.length != ch) {
            preOutput(input, TrainingMode.TRAIN, LayerWorkspaceMgr.noWorkspaces()); // no forward pass seen: as DL4J
        }
        float[] mean = lastMean;
        float[] std = lastStd;
        double[] batchMean = new double[ch];
        double[] batchVar;
        if (lastFromBatch) {
            for (int i = 0; i < ch; i++) {
                batchMean[i] = mean[i];
            }
            batchVar = lastBatchVar;
        } else {
            batchVar = new double[ch];
            JavaParallel.forRange(ch, (long) n * hw, (from, to) -> ChannelNorm.statistics(in, n, ch, hw, from, to, batchMean, batchVar));
        }

        float[] gamma;
        INDArray dGammaView;
        INDArray dBetaView;
        if (c.isLockGammaBeta()) {
            gamma = new float[ch];
            java.util.Arrays.fill(gamma, (float) c.getGamma());
            dGammaView = Nd4j.createUninitialized(dataType, new long[] {ch}, 'c');
            dBetaView = Nd4j.createUninitialized(dataType, new long[] {ch}, 'c');
        } else {
            gamma = floats(getParam(BatchNormalizationParamInitializer.GAMMA));
            dGammaView = gradientViews.get(BatchNormalizationParamInitializer.GAMMA);
            dBetaView = gradientViews.get(BatchNormalizationParamInitializer.BETA);
        }
        INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, x.shape(), 'c');
        FloatBuffer g = dy.data().asNioFloat();
        FloatBuffer d = dx.data().asNioFloat();
        double[] dGamma = new double[ch];
        double[] dBeta = new double[ch];
        JavaParallel.forRange(ch, 2L * n * hw,
                (from, to) -> ChannelNorm.backward(in, g, d, n, ch, hw, from, to, mean, std, gamma, dGamma, dBeta));
        write(dGammaView, dGamma);
        write(dBetaView, dBeta);

        Gradient ret = new DefaultGradient();
        ret.setGradientFor(BatchNormalizationParamInitializer.GAMMA, dGammaView);
        ret.setGradientFor(BatchNormalizationParamInitializer.BETA, dBetaView);
        globalUpdates(ret, batchMean, batchVar);
        this.xHat = null;
        this.xMu = null;
        return new Pair<>(ret, dx);
    }

    /**
     * DL4J's running-estimate "gradients": {@code (1 - decay) (globalMean - batchMean)}, and either
     * {@code (1 - decay) (globalVar - batchVar)} or, for the log10-std form,
     * {@code log(var / (decay var + (1 - decay) batchVar)) / (2 ln 10)}; the updater subtracts them.
     */
    private void globalUpdates(Gradient ret, double[] batchMean, double[] batchVar) {
        org.deeplearning4j.nn.conf.layers.BatchNormalization c = layerConf();
        double decay = c.getDecay();
        int ch = batchMean.length;
        float[] globalMean = floats(params.get(BatchNormalizationParamInitializer.GLOBAL_MEAN));
        double[] dMean = new double[ch];
        for (int i = 0; i < ch; i++) {
            dMean[i] = ((double) globalMean[i] - (float) batchMean[i]) * (1 - decay);
        }
        INDArray dMeanView = gradientViews.get(BatchNormalizationParamInitializer.GLOBAL_MEAN);
        write(dMeanView, dMean);
        ret.setGradientFor(BatchNormalizationParamInitializer.GLOBAL_MEAN, dMeanView);
        double[] dVar = new double[ch];
        if (c.isUseLogStd()) {
            float[] log10Std = floats(params.get(BatchNormalizationParamInitializer.GLOBAL_LOG_STD));
            for (int i = 0; i < ch; i++) {
                double s = Math.pow(10.0, log10Std[i]);
                double vari = s * s;
                double next = vari * decay + (float) batchVar[i] * (1 - decay);
                dVar[i] = Math.log(vari / next) / (2 * Math.log(10.0));
            }
            INDArray view = gradientViews.get(BatchNormalizationParamInitializer.GLOBAL_LOG_STD);
            write(view, dVar);
            ret.setGradientFor(BatchNormalizationParamInitializer.GLOBAL_LOG_STD, view);
        } else {
            float[] globalVar = floats(params.get(BatchNormalizationParamInitializer.GLOBAL_VAR));
            for (int i = 0; i < ch; i++) {
                dVar[i] = ((double) globalVar[i] - (float) batchVar[i]) * (1 - decay);
            }
            INDArray view = gradientViews.get(BatchNormalizationParamInitializer.GLOBAL_VAR);
            write(view, dVar);
            ret.setGradientFor(BatchNormalizationParamInitializer.GLOBAL_VAR, view);
        }
    }
}
