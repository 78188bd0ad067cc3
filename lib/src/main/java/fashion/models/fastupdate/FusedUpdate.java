package fashion.models.fastupdate;

import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

import org.deeplearning4j.nn.api.Trainable;
import org.deeplearning4j.nn.api.Updater;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.MultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.ConvexOptimizer;
import org.deeplearning4j.optimize.api.StepFunction;
import org.deeplearning4j.optimize.solvers.BaseOptimizer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;

import fashion.engine.JavaParallel;
import fashion.models.fast.FloatBlocks;
import fashion.models.fast.WarmUp;

/**
 * One pass over memory for the whole update of a training step, where Deeplearning4j makes five: it divides the
 * gradient by the minibatch size (libnd4j), adds the L2 term {@code l2 * w} (a BLAS axpy), runs the updater ({@link
 * FastAdam}, Java), and its step function subtracts the update from the parameters (libnd4j). For a network whose every
 * updater block is {@link FastAdam} with only L2 (or no) regularization and no gradient normalization, {@link
 * FusedUpdater} here does all four per element while the element is in cache, on whole vectors in place
 * ({@code VectorAdam}, when the JDK's vector API is there) and split over the cores, and the step function then leaves
 * the parameters alone. Same float operations in the same order as Deeplearning4j's (the L2 term fused as the axpy
 * fuses it), so the same weights and Adam moments bit for bit ({@code FusedUpdateTest}); it also sums the squares of
 * the weights it reads, for the loss's L2 term. Anything else (other updaters, L1, weight decay, gradient clipping,
 * external gradients) runs Deeplearning4j's own code.
 *
 * <p>{@link #install(MultiLayerNetwork)} puts it in place on a network whose optimizer exists (the project's {@code
 * SplitBatchNetwork} calls it at each step); after a fused step, as after Deeplearning4j's, the gradient view holds
 * the update that was subtracted. Until 2026-12-01 it never ran: it recognized Deeplearning4j's gradient by identity,
 * and {@code DefaultGradient.gradient()} returns a new view at every call.
 */
public final class FusedUpdate {
    static final int BLOCK = 4096;
    private static final Field STEP_FUNCTION;

    static {
        Field f = null;
        try {
            f = BaseOptimizer.class.getDeclaredField("stepFunction");
            f.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            f = null; // then the fused update is never installed
        }
        STEP_FUNCTION = f;
    }

    private FusedUpdate() {
    }

    private static final WarmUp.Once WARM_UP = new WarmUp.Once();

    /**
     * Once per JVM ({@code fashion.models.KernelWarmUp} calls it in the background once the data is loaded): has the
     * JIT compile the update's vector kernels on a scratch block, 0.5-1.7 s of one core. Without it the first
     * hundred or so steps of a network ran them as the vector API's slow, allocating Java fallback while the JIT
     * caught up, and the seed dense model's first epoch took 1.3-1.4 times as long as its second instead of about 1.1
     * (2026-12-01). Returns the seconds it took (0 when there is nothing to compile, and on later calls).
     */
    public static double compileKernels() {
        return WARM_UP.run(() -> enabled() && SumOfSquares.vectorized() ? VectorAdam.warmUp(3.0) : 0);
    }

    /** Seconds the JIT warm-up of {@link #compileKernels} took in this JVM (-1: not run yet). */
    public static double kernelWarmUpSeconds() {
        return WARM_UP.seconds();
    }

    /** Whether fused updates are turned on ({@code -Dfashion.fusedUpdate=false} or {@code FASHION_FUSED_UPDATE=0}: off). */
    public static boolean enabled() {
        return fashion.engine.Engine.Switch.FUSED_UPDATE.on() && STEP_FUNCTION != null;
    }

    /**
     * Replaces the network's updater by {@link FusedUpdater} (same state array, so saved and restored models keep their
     * Adam moments) and wraps its step function, once the network's optimizer exists; returns whether the fused update
     * is in place. Idempotent and cheap once installed.
     */
    public static boolean install(MultiLayerNetwork network) {
        if (!enabled()) {
            return false;
        }
        ConvexOptimizer optimizer = network.getOptimizer();
        if (!(optimizer instanceof BaseOptimizer base)) {
            return false;
        }
        Updater current = base.getUpdater(false);
        Updater fused;
        if (current instanceof FusedUpdater) {
            fused = current;
        } else if (current == null || current.getClass() == MultiLayerUpdater.class) {
            fused = new FusedUpdater(network, current == null ? null : current.getStateViewArray());
            base.setUpdater(fused);
        } else {
            return false;
        }
        StepFunction step = base.getStepFunction();
        if (!(step instanceof Step)) {
            try {
                STEP_FUNCTION.set(base, new Step(step, base));
            } catch (IllegalAccessException e) {
                return false;
            }
        }
        return true;
    }

    /** Deeplearning4j's {@link MultiLayerUpdater} whose update also applies itself to the parameters when it can. */
    public static final class FusedUpdater extends MultiLayerUpdater {
        private static final long serialVersionUID = 1L;
        private transient boolean applied;
        private transient Boolean fusable;
        private transient long fusedSteps;
        private transient double lastRegularizationScore = Double.NaN;

        FusedUpdater(MultiLayerNetwork network, INDArray state) {
            super(network, state);
        }

        @Override
        public synchronized void update(Gradient gradient, int iteration, int epoch, int batchSize,
                LayerWorkspaceMgr workspaceMgr) {
            applied = false;
            if (!sameMemory(gradient.gradient(), getFlattenedGradientsView()) || !fusable()) {
                super.update(gradient, iteration, epoch, batchSize, workspaceMgr);
                return;
            }
            applyFused(iteration, epoch, batchSize);
            applied = true;
        }

        /**
         * The whole update of one step, applied to the parameters: for each parameter array, the gradient (in the
         * network's flattened gradient array) divided by {@code batchSize} where Deeplearning4j divides it, plus the L2
         * term, Adam, and the step; afterwards the gradient array holds the update that was subtracted. Returns false,
         * changing nothing, when this network's updaters are not {@linkplain #fusable() all fusable}.
         */
        public boolean applyFused(int iteration, int epoch, int batchSize) {
            if (!fusable()) {
                return false;
            }
            boolean divide = isMiniBatch();
            java.util.Map<Trainable, java.util.Map<String, Double>> squares = new java.util.IdentityHashMap<>();
            for (UpdaterBlock block : getUpdaterBlocks()) {
                if (block.skipDueToPretrainConfig(false)) {
                    continue;
                }
                FastAdamUpdater adam = (FastAdamUpdater) block.getGradientUpdater();
                INDArray m = adam.getM();
                INDArray v = adam.getV();
                Adam c = adam.getConfig();
                float alpha = FastAdamUpdater.alpha(c, iteration, epoch);
                for (UpdaterBlock.ParamState p : block.getLayersAndVariablesInBlock()) {
                    Trainable layer = p.getLayer();
                    float l2 = 0f;
                    List<Regularization> rs = layer.getConfig().getRegularizationByParam(p.getParamName());
                    if (rs != null) {
                        for (Regularization r : rs) {
                            l2 += (float) ((L2Regularization) r).getL2().valueAt(iteration, epoch);
                        }
                    }
                    int within = p.getParamOffsetStart() - block.getParamOffsetStart();
                    double sumOfSquares = apply(p.getParamView(), p.getGradView(), m, v, within,
                            divide && layer.updaterDivideByMinibatch(p.getParamName()) ? batchSize : 0, l2,
                            (float) c.getBeta1(), (float) c.getBeta2(), (float) c.getEpsilon(), alpha);
                    squares.computeIfAbsent(layer, k -> new java.util.HashMap<>()).put(p.getParamName(), sumOfSquares);
                }
            }
            lastRegularizationScore = regularizationScore(squares, iteration, epoch);
            fusedSteps++;
            return true;
        }

        /** Whether {@link #lastRegularizationScore} gives the L2 part of the loss (every regularization the project's L2). */
        public boolean scoresRegularization() {
            for (Trainable layer : getOrderedLayers()) {
                for (String key : layer.paramTable(true).keySet()) {
                    List<Regularization> rs = layer.getConfig().getRegularizationByParam(key);
                    for (Regularization r : rs == null ? List.<Regularization>of() : rs) {
                        if (!(r instanceof FastL2Regularization)) {
                            return false;
                        }
                    }
                }
            }
            return true;
        }

        /**
         * The L2 part of the loss before the last {@link #applyFused} (NaN when a regularization is not a {@link
         * FastL2Regularization}): Deeplearning4j's {@code calcRegularizationScore}, summed in its order (layer by
         * layer, each layer's parameters in its table's order), from the sums of squares the update read.
         */
        public double lastRegularizationScore() {
            return lastRegularizationScore;
        }

        private double regularizationScore(java.util.Map<Trainable, java.util.Map<String, Double>> squares, int iteration,
                int epoch) {
            double total = 0.0;
            for (Trainable layer : getOrderedLayers()) {
                double layerSum = 0.0;
                for (String key : layer.paramTable(true).keySet()) {
                    List<Regularization> rs = layer.getConfig().getRegularizationByParam(key);
                    if (rs == null || rs.isEmpty()) {
                        continue;
                    }
                    for (Regularization r : rs) {
                        java.util.Map<String, Double> ofLayer = squares.get(layer);
                        Double sum = ofLayer == null ? null : ofLayer.get(key);
                        if (!(r instanceof FastL2Regularization l2) || sum == null) {
                            return Double.NaN;
                        }
                        layerSum += 0.5 * l2.getL2().valueAt(iteration, epoch) * sum;
                    }
                }
                total += layerSum;
            }
            return total;
        }

        /**
         * Whether {@code a} is the network's own gradient array: Deeplearning4j's {@code DefaultGradient.gradient()}
         * returns a new view of the flattened gradients at every call, so identity is not the test (it never held, and
         * until 2026-12-01 this update fell back to Deeplearning4j's at every step); same buffer, offset and length is.
         */
        static boolean sameMemory(INDArray a, INDArray b) {
            return a != null && b != null && (a == b || (a.length() == b.length() && a.offset() == b.offset()
                    && a.elementWiseStride() == 1 && b.elementWiseStride() == 1 && a.dataType() == b.dataType()
                    && a.data().addressPointer().address() == b.data().addressPointer().address()));
        }

        /** Number of updates this updater applied itself (for tests and benchmarks). */
        long fusedSteps() {
            return fusedSteps;
        }

        /** True when every block is FastAdam, every regularization plain L2 before the updater, no normalization. */
        public boolean fusable() {
            if (fusable == null) {
                boolean ok = true;
                for (UpdaterBlock block : getUpdaterBlocks()) {
                    ok &= block.getGradientUpdater() instanceof FastAdamUpdater a && FloatBlocks.contiguous(a.getM())
                            && FloatBlocks.contiguous(a.getV()) && a.getM().length() == block.getGradientView().length()
                            && FloatBlocks.byteAddressable(a.getM()) && FloatBlocks.byteAddressable(a.getV());
                    for (UpdaterBlock.ParamState p : block.getLayersAndVariablesInBlock()) {
                        Trainable layer = p.getLayer();
                        GradientNormalization n = layer.getConfig().getGradientNormalization();
                        ok &= n == null || n == GradientNormalization.None;
                        ok &= FloatBlocks.contiguous(p.getParamView()) && FloatBlocks.contiguous(p.getGradView());
                        List<Regularization> rs = layer.getConfig().getRegularizationByParam(p.getParamName());
                        for (Regularization r : rs == null ? new ArrayList<Regularization>() : rs) {
                            ok &= r instanceof L2Regularization && r.applyStep() == Regularization.ApplyStep.BEFORE_UPDATER;
                        }
                        // Deeplearning4j adds each L2 term with its own rounding: one fused term is the same bits only alone
                        ok &= rs == null || rs.size() <= 1;
                        // the vector kernel addresses bytes with ints
                        ok &= FloatBlocks.byteAddressable(p.getParamView()) && FloatBlocks.byteAddressable(p.getGradView());
                    }
                }
                fusable = ok;
            }
            return fusable;
        }

        /** Consumes the flag saying that the last update was applied to the parameters already. */
        boolean takeApplied() {
            boolean a = applied;
            applied = false;
            return a;
        }

        @Override
        public FusedUpdater clone() {
            return new FusedUpdater(getNetwork(), null);
        }
    }

    /**
     * Per element {@code i} of one parameter array: {@code g = g / batch} (when {@code batch > 0}), {@code g += l2 w},
     * Adam's moments and update {@code u} (as {@link FastAdamUpdater#step}), {@code w -= u}, {@code g = u}; the moments
     * are read from {@code m} and {@code v} from element {@code within}. Blocks of {@link #BLOCK} elements split over the
     * cores, on whole vectors in place when the JDK's vector API is there. Returns the sum of squares of the weights
     * before the update, block by block as {@link FastL2Regularization#score} sums it (so the same bits).
     */
    static double apply(INDArray w, INDArray g, INDArray m, INDArray v, int within, int batch, float l2, float beta1,
            float beta2, float epsilon, float alpha) {
        int n = (int) w.length();
        int wo = (int) w.offset();
        int go = (int) g.offset();
        int mo = (int) m.offset() + within;
        int vo = (int) v.offset() + within;
        float fbatch = batch;
        float[] perBlock = new float[FloatBlocks.count(n, BLOCK)];
        if (SumOfSquares.vectorized()) {
            ByteBuffer wb = FloatBlocks.nativeBytes(w);
            ByteBuffer gb = FloatBlocks.nativeBytes(g);
            ByteBuffer mb = FloatBlocks.nativeBytes(m);
            ByteBuffer vb = FloatBlocks.nativeBytes(v);
            JavaParallel.forRange(perBlock.length, BLOCK, (from, to) -> {
                for (int b = from; b < to; b++) {
                    int start = b * BLOCK;
                    perBlock[b] = VectorAdam.block(wb, wo, gb, go, mb, mo, vb, vo, start, Math.min(BLOCK, n - start),
                            fbatch, l2, beta1, beta2, epsilon, alpha);
                }
            });
        } else {
            FloatBuffer wb = w.data().asNioFloat();
            FloatBuffer gb = g.data().asNioFloat();
            FloatBuffer mb = m.data().asNioFloat();
            FloatBuffer vb = v.data().asNioFloat();
            FloatBlocks.forEach(n, BLOCK, 4, (start, len, s) -> {
                perBlock[start / BLOCK] = SumOfSquares.block(null, wb, wo + start, len);
                float[] ws = s[0];
                float[] gs = s[1];
                float[] ms = s[2];
                float[] vs = s[3];
                wb.get(wo + start, ws, 0, len);
                gb.get(go + start, gs, 0, len);
                mb.get(mo + start, ms, 0, len);
                vb.get(vo + start, vs, 0, len);
                step(ws, gs, ms, vs, len, fbatch, l2, beta1, beta2, epsilon, alpha);
                wb.put(wo + start, ws, 0, len);
                gb.put(go + start, gs, 0, len);
                mb.put(mo + start, ms, 0, len);
                vb.put(vo + start, vs, 0, len);
            });
        }
        double total = 0;
        for (float blockSum : perBlock) {
            total += blockSum;
        }
        return total;
    }


    /** The arithmetic of {@link #apply} on Java arrays ({@code batch} 0: no division). */
    static void step(float[] w, float[] g, float[] m, float[] v, int len, float batch, float l2, float beta1,
            float beta2, float epsilon, float alpha) {
        float oneMinusBeta1 = 1f - beta1;
        float oneMinusBeta2 = 1f - beta2;
        boolean divide = batch > 0f;
        for (int i = 0; i < len; i++) {
            float gi = g[i];
            if (divide) {
                gi = gi / batch;
            }
            float wi = w[i];
            gi = Math.fma(l2, wi, gi); // as the BLAS axpy of Deeplearning4j's L2Regularization.apply: one rounding
            float mi = beta1 * m[i] + gi * oneMinusBeta1;
            float vi = beta2 * v[i] + gi * gi * oneMinusBeta2;
            m[i] = mi;
            v[i] = vi;
            float u = mi * alpha / ((float) Math.sqrt(vi) + epsilon);
            g[i] = u;
            w[i] = wi - u;
        }
    }

    /** The optimizer's step function, which does nothing after a fused update (the parameters are updated already). */
    private static final class Step implements StepFunction {
        private static final long serialVersionUID = 1L;
        private final StepFunction original;
        private final transient BaseOptimizer optimizer;

        Step(StepFunction original, BaseOptimizer optimizer) {
            this.original = original;
            this.optimizer = optimizer;
        }

        /**
         * Whether the optimizer's current updater applied the last update itself: asked of the updater in place now,
         * since Deeplearning4j replaces it (setLearningRate, for one) and a new fused updater is then installed.
         */
        private boolean applied() {
            return optimizer != null && optimizer.getUpdater(false) instanceof FusedUpdater f && f.takeApplied();
        }

        @Override
        public void step(INDArray x, INDArray line, double step) {
            if (!applied()) {
                original.step(x, line, step);
            }
        }

        @Override
        public void step(INDArray x, INDArray line) {
            if (!applied()) {
                original.step(x, line);
            }
        }

        @Override
        public void step() {
            original.step();
        }
    }

}
