package fashion.models.fastconv;

import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;

/**
 * Output-phase folding of narrow stride-1 convolutions for {@link FastConvolutionLayerImpl}: which fold factors to use
 * (by the CPU's vector width) and the folded convolution itself (weights shifted into phase groups, one strided native
 * convolution, outputs re-interleaved). One instance per layer holds the scratch buffers; not thread-safe.
 */
final class PhaseFolding {

    /** A native convolution of {@code x} with {@code w} (plus {@code bias} if not null) into {@code out}, iArgs {@code args}. */
    interface Convolution {
        void run(String what, INDArray x, INDArray w, INDArray bias, INDArray out, long[] args);
    }

    /**
     * Output-phase folding (on by default; {@code -Dfashion.fastconv.fold=false} turns it off). oneDNN pads the output
     * channels of a convolution to its vector width (5 to 16 with AVX-512, so two thirds of the arithmetic of the seed's
     * 5-filter layers is wasted; 5 to 8 with AVX2). A stride-1 convolution whose output sides are multiples of
     * {@code fh} and {@code fw} equals a stride-{@code (fh, fw)} convolution with {@code fh*fw} times as many output
     * channels, one per output phase {@code (py, px)}, whose kernels
     * are the original kernel shifted by {@code (py, px)} inside a {@code (kH+fh-1) x (kW+fw-1)} window of zeros:
     * {@code out[n, o, fh*Y+py, fw*X+px] = conv(in, W')[n, (py*fw+px)*oC+o, Y, X]}. The products are those of the
     * direct convolution plus exact zeros, so the result equals it up to the order of summation, which depends on
     * oneDNN's kernel (the test allows 1e-6); oneDNN then runs, for instance, 80 useful channels instead of 5 padded
     * to 16 (AVX-512, 4x4: the seed's 10x10 layers went from 3.4 to 2.2 ms per convolution on one core, including the
     * re-interleaving below). The weight gradient, itself a convolution with 5 output channels, is folded the same
     * way. The factors: {@link #candidates}.
     */
    static volatile boolean enabled = !"false".equals(System.getProperty("fashion.fastconv.fold", "true"));
    /** Output channels from which the padding waste is small enough not to fold. */
    private static final long FOLD_MAX_CHANNELS = 8;

    /**
     * The fold factors {@code {fh, fw}} for a convolution with iArgs {@code args} writing {@code out}, or null for none:
     * the first of {@link #candidates} that divides the output sides.
     */
    static int[] factors(INDArray weights, INDArray out, long[] args) {
        if (!enabled || weights.dataType() != DataType.FLOAT || out.dataType() != DataType.FLOAT || weights.size(0) > FOLD_MAX_CHANNELS
                || args[2] != 1 || args[3] != 1 || args[6] != 1 || args[7] != 1 || args[9] != 0 || args[10] != 1
                || !Shape.hasDefaultStridesForShape(out)) {
            return null;
        }
        long oH = out.size(2);
        long oW = out.size(3);
        boolean weightGradient = oH < weights.size(2) || oW < weights.size(3);
        for (int[] f : candidates(weightGradient, wideVectors)) {
            if (oH % f[0] == 0 && oW % f[1] == 0 && oH >= f[0] && oW >= f[1]) {
                return f;
            }
        }
        return null;
    }

    /**
     * Fold factors to try, best first, measured with the seed's layers (5 filters of 10x10 on 28x28 images, batch 32)
     * on the two kinds of CPU this project has run on (AVX-512 figures on one core, AVX2 figures with 2 threads).
     * oneDNN's kernels differ with the vector width, and so does the best fold:
     * <ul>
     * <li>16-float vectors (AVX-512): 4x4 for image-sized outputs (forward pass and input gradient: 3.4 to 2.0 ms per
     * convolution on one core), 2x1 for the small outputs of a weight gradient, whose "kernel" (the output gradient) is
     * larger than its output (4.6 to 2.6 ms; 2x2 gave 3.9 ms, 2x5 and 5x2 slower than no folding);</li>
     * <li>8-float vectors (AVX2; oneDNN runs the 4x4-folded layer as im2col and GEMM): 7x1 for image-sized outputs
     * (8.7 ms unfolded, 4.1-4.4 ms folded 4x4, 3.0-3.5 ms folded 7x1, 3.6-3.8 ms 14x1), 2x2 for weight gradients (4.7
     * ms unfolded, 2.6-3.0 ms 2x1, 2.2 ms 2x2).</li>
     * </ul>
     */
    static int[][] candidates(boolean weightGradient, boolean wide) {
        if (weightGradient) {
            return wide ? new int[][] {{2, 1}} : new int[][] {{2, 2}, {2, 1}};
        }
        return wide ? new int[][] {{4, 4}, {2, 2}} : new int[][] {{7, 1}, {4, 4}, {2, 2}};
    }

    /** True when the CPU has 16-float vectors (AVX-512), which changes the best fold factors. */
    static volatile boolean wideVectors = cpuHasAvx512();

    private static boolean cpuHasAvx512() {
        String forced = System.getProperty("fashion.fastconv.avx512");
        if (forced != null) {
            return Boolean.parseBoolean(forced);
        }
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("flags")) {
                    return java.util.Arrays.asList(line.split("\\s+")).contains("avx512f");
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux: assume 8-float vectors
        }
        return false;
    }

    private float[] foldWeightsIn;
    private java.util.Map<String, float[]> foldedWeights;
    private float[] foldSource;
    private float[] foldTarget;

    /** Floats re-interleaved per block (bounds the scratch arrays for inference batches of 1000 images). */
    private static final int UNFOLD_BLOCK = 1 << 18;

    private static float[] atLeast(float[] a, int n) {
        return a != null && a.length >= n ? a : new float[n];
    }

    /**
     * The stride-1 convolution with iArgs {@code args} (explicit padding or "same" mode) of {@code x} with {@code w}
     * (plus {@code bias} if not null) into {@code out}, computed with output-phase folding by {@code f = {fh, fw}}
     * (see {@link #enabled}); {@code conv} runs the strided convolution.
     */
    void convolve(String what, INDArray x, INDArray w, INDArray bias, INDArray out, long[] args, int[] f,
                  ArrayType scratch, LayerWorkspaceMgr mgr, Convolution conv) {
        int fh = f[0];
        int fw = f[1];
        int oC = (int) w.size(0);
        int iC = (int) w.size(1);
        int kH = (int) w.size(2);
        int kW = (int) w.size(3);
        int fkH = kH + fh - 1;
        int fkW = kW + fw - 1;
        int groups = fh * fw;
        // folded weights [fh*fw*oC, iC, kH+fh-1, kW+fw-1]: group (py, px) holds W shifted by (py, px)
        int wLen = oC * iC * kH * kW;
        int fwLen = groups * oC * iC * fkH * fkW;
        foldWeightsIn = atLeast(foldWeightsIn, wLen);
        float[] wIn = foldWeightsIn;
        // one buffer per geometry: the zeros around the shifted kernels stay in place from call to call
        String geometry = oC + "," + iC + "," + kH + "," + kW + "," + fh + "," + fw;
        if (foldedWeights == null) {
            foldedWeights = new java.util.HashMap<>();
        }
        float[] wOut = foldedWeights.get(geometry);
        if (wOut == null) {
            wOut = new float[fwLen];
            foldedWeights.put(geometry, wOut);
        }
        INDArray wc = Shape.hasDefaultStridesForShape(w) ? w : w.dup('c');
        wc.data().asNioFloat().get(wIn, 0, wLen);
        shiftKernels(wIn, wOut, fh, fw, oC * iC, kH, kW);
        INDArray wf = mgr.createUninitialized(scratch, DataType.FLOAT, new long[] {groups * oC, iC, fkH, fkW}, 'c');
        wf.data().asNioFloat().put(wOut, 0, fwLen);
        INDArray bf = null;
        if (bias != null) {
            float[] b = new float[oC];
            (Shape.hasDefaultStridesForShape(bias) ? bias : bias.dup('c')).data().asNioFloat().get(b, 0, oC);
            float[] b2 = new float[groups * oC];
            for (int g = 0; g < groups; g++) {
                System.arraycopy(b, 0, b2, g * oC, oC);
            }
            bf = mgr.createUninitialized(scratch, DataType.FLOAT, new long[] {1, groups * oC}, 'c');
            bf.data().asNioFloat().put(b2, 0, groups * oC);
        }
        int n = (int) out.size(0);
        int oH = (int) out.size(2);
        int oW = (int) out.size(3);
        int fH = oH / fh;
        int fW = oW / fw;
        INDArray folded = mgr.createUninitialized(scratch, DataType.FLOAT, new long[] {n, groups * oC, fH, fW}, 'c');
        conv.run(what, x, wf, bf, folded, new long[] {fkH, fkW, fh, fw, args[4], args[5], 1, 1, args[8], 0, 1});

        // re-interleave: folded [n, py, px, oC, fH, fW] -> out [n, oC, fH, py, fW, px], a block of images at a time
        int per = oC * oH * oW;
        int chunk = Math.max(1, Math.min(n, UNFOLD_BLOCK / per));
        foldSource = atLeast(foldSource, chunk * per);
        foldTarget = atLeast(foldTarget, chunk * per);
        float[] a = foldSource;
        float[] t = foldTarget;
        java.nio.FloatBuffer src = folded.data().asNioFloat();
        java.nio.FloatBuffer dst = out.data().asNioFloat();
        int srcBase = src.position();
        int dstBase = dst.position();
        for (int b0 = 0; b0 < n; b0 += chunk) {
            int nb = Math.min(chunk, n - b0);
            src.position(srcBase + b0 * per);
            src.get(a, 0, nb * per);
            interleave(a, t, nb, fh, fw, oC, oH, oW);
            dst.position(dstBase + b0 * per);
            dst.put(t, 0, nb * per);
        }
    }

    // The two loop nests as methods of their own: small methods the JIT compiles once each, instead of on-stack
    // replacements of each loop of convolve and then convolve itself again (2026-12-01: four C2 compilations of
    // convolve, 0.6 s, during the seed CNN's first epoch).

    /**
     * Writes each of the {@code kernels} {@code kH x kW} kernels of {@code w} into the {@code fh * fw} phase groups of
     * {@code folded} ({@code [group][kernel][kH+fh-1][kW+fw-1]}), shifted by the group's phase {@code (py, px)}; the
     * other elements of {@code folded} are left as they are (zeros).
     */
    private static void shiftKernels(float[] w, float[] folded, int fh, int fw, int kernels, int kH, int kW) {
        int fkW = kW + fw - 1;
        int plane = (kH + fh - 1) * fkW;
        for (int py = 0; py < fh; py++) {
            for (int px = 0; px < fw; px++) {
                int g = py * fw + px;
                for (int k = 0; k < kernels; k++) {
                    int src = k * kH * kW;
                    int dst = (g * kernels + k) * plane + py * fkW + px;
                    for (int r = 0; r < kH; r++) {
                        System.arraycopy(w, src + r * kW, folded, dst + r * fkW, kW);
                    }
                }
            }
        }
    }

    /**
     * Re-interleaves {@code nb} images: {@code folded} {@code [nb][py][px][oC][oH/fh][oW/fw]} into {@code out}
     * {@code [nb][oC][oH/fh][py][oW/fw][px]}, that is {@code [nb][oC][oH][oW]}.
     */
    private static void interleave(float[] folded, float[] out, int nb, int fh, int fw, int oC, int oH, int oW) {
        int fH = oH / fh;
        int fW = oW / fw;
        int si = 0;
        for (int b = 0; b < nb; b++) {
            for (int py = 0; py < fh; py++) {
                for (int px = 0; px < fw; px++) {
                    for (int c = 0; c < oC; c++) {
                        int base = ((b * oC + c) * oH + py) * oW + px;
                        for (int yy = 0; yy < fH; yy++) {
                            int d = base + yy * fh * oW;
                            for (int xx = 0; xx < fW; xx++) {
                                out[d + xx * fw] = folded[si++];
                            }
                        }
                    }
                }
            }
        }
    }
}
