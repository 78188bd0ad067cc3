package fashion.models.fastconv;

import java.nio.FloatBuffer;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

import fashion.models.fast.MatrixProduct;

/**
 * Stride-1 convolution (cross-correlation, as in DL4J and Keras) through the discrete Fourier transform, with its
 * backward pass: for the seed's 10x10 kernels on 28x28 images it needs about a quarter of the arithmetic of the direct
 * convolution, and most of what remains is large matrix products.
 *
 * <p>How. With both image axes taken modulo {@code n1 x n2} (at least the input side plus its larger padding, so that
 * no output reads a wrapped-around pixel), the convolution is a cyclic one, which the DFT turns into a product per
 * frequency: {@code Y[o] = sum_c G[o,c] X[c]}, where {@code G} is the spectrum of the kernel placed at offsets
 * {@code (pad - p) mod n}. The input gradient is the adjoint, {@code dX[c] = sum_o conj(G[o,c]) dY[o]}; the weight
 * gradient is the cyclic correlation {@code sum_batch dY[o] conj(X[c])} read back at the kernel's offsets; the bias
 * gradient is the zero-frequency term of {@code dY}; the bias itself is added to the zero frequency of {@code Y}. All
 * exact, up to float rounding (tests: {@code FourierConvolutionTest}, against the native convolution).
 *
 * <p>The transforms are real-input 2-D DFTs done as two matrix products each (along the width with the real DFT
 * matrix, {@code n2/2+1} frequencies, then along the height with the complex one), through ND4J's BLAS; between them
 * one transposition in Java. The input of a transform is only the image (not the zero padding), and an inverse
 * transform computes only the pixels needed, so the products are small: {@code [B*C*H, W] x [W, 2V]} and
 * {@code [2n1, 2H] x [2H, V*C*B]}. Kernels are transformed the same way, with matrices for their offsets. The
 * per-frequency channel products ({@link SpectralProducts}) use the JDK's vector API across the minibatch
 * ({@link #available()}: the JVM must run with {@code --add-modules jdk.incubator.vector}, as the project's kernel,
 * benchmark and tests do; this class itself does not use the module, so that callers can ask).
 *
 * <p>Spectra are float arrays {@code [t][f][channel][image]} ({@code t}: real, imaginary; {@code f = u*nv + v}); the
 * kernel spectrum and the weight-gradient spectrum are {@code [t][f][c][o]}.
 *
 * <p>One instance per layer: it keeps the weight spectrum and the input spectrum of the last training forward pass for
 * the backward pass, and its scratch buffers. Not thread-safe.
 */
final class FourierConvolution {

    /** Whether this JVM can run it: the vector API module must be resolved ({@code --add-modules jdk.incubator.vector}). */
    static boolean available() {
        return fashion.engine.Engine.vectorApi();
    }

    /** Geometry: batch, channels, sides, kernel, top/left padding. */
    private int batch;
    private int inC;
    private int outC;
    private int inH;
    private int inW;
    private int outH;
    private int outW;
    private int kH;
    private int kW;
    private int top;
    private int left;
    /** DFT lengths, width frequencies kept ({@code n2/2+1}), and frequencies in all ({@code n1*nv}). */
    private int n1;
    private int n2;
    private int nv;
    private int freqs;

    /** DFT matrices (detached float arrays): for images of the input and output sizes, and for the kernel offsets. */
    private INDArray rowFwdIn;
    private INDArray colFwdIn;
    private INDArray rowFwdOut;
    private INDArray colFwdOut;
    private INDArray colInvOut;
    private INDArray rowInvOut;
    private INDArray colInvIn;
    private INDArray rowInvIn;
    private INDArray rowFwdKernel;
    private INDArray colFwdKernel;
    private INDArray colInvKernel;
    private INDArray rowInvKernel;

    /** Weight spectrum {@code [t][f][c][o]}. */
    private float[] g;
    /** Input spectrum of the last forward pass {@code [t][f][c][b]}. */
    private float[] xSpec;
    private boolean xSpecValid;
    /** Output (or output-gradient) spectrum {@code [t][f][o][b]}; weight-gradient spectrum {@code [t][f][c][o]}. */
    private float[] ySpec;
    private float[] sSpec;

    /** The matrix products' reused operation and context (Nd4j.gemm builds both for every product). */
    private final MatrixProduct product = new MatrixProduct();

    /** Scratch: first product, transposed first product (native and heap), spectrum (native). */
    private INDArray first;
    private INDArray second;
    private INDArray spectrum;
    private float[] heapFirst;
    private float[] heapSecond;

    /**
     * The DFT length for one axis: at least {@code side + max(padBefore, padAfter)} (no output reads a wrapped pixel)
     * and the kernel and output sides.
     */
    static int length(int side, int kernel, int out, int padBefore) {
        int padAfter = out + kernel - 1 - side - padBefore;
        return Math.max(Math.max(side + Math.max(Math.max(padBefore, padAfter), 0), kernel), out);
    }

    /**
     * Floating-point operations of a training step (forward, weight gradient and, if {@code inputGradient}, input
     * gradient) of the direct convolution divided by those of this one, estimated per image: the direct one does
     * {@code oH oW kH kW C O} multiply-adds per pass; this one transforms the {@code C} input and {@code O}
     * output-gradient channels, inverse-transforms the {@code O} outputs (and the {@code C} input-gradient channels),
     * two dense DFT products each, and does two (three) channel products of {@code n1 nv C O} complex multiply-adds.
     * The seed's 5-channel 10x10 layers: 3.0 (measured: 2-3 times faster); its first layer (one channel, no input
     * gradient): 0.8 (measured 3.2 vs 4.6 ms per step: faster through the DFT, since oneDNN does poorly with one input
     * channel, which the estimate does not know); its 5x5 layer on 14x14 maps: 1.5 (measured: within noise). Layers
     * in between are therefore timed ({@link TimedChoice}).
     */
    static double gain(int c, int o, int h, int w, int oh, int ow, int kh, int kw, int padTop, int padLeft,
                       boolean inputGradient) {
        int n1 = length(h, kh, oh, padTop);
        int n2 = length(w, kw, ow, padLeft);
        int nv = n2 / 2 + 1;
        double transformIn = 2.0 * (h * w * 2.0 * nv + 2.0 * n1 * 2.0 * h * nv);
        double transformOut = 2.0 * (oh * ow * 2.0 * nv + 2.0 * n1 * 2.0 * oh * nv);
        int passes = inputGradient ? 3 : 2;
        double dft = (c + (inputGradient ? c : 0)) * transformIn + 2.0 * o * transformOut
                + passes * 8.0 * n1 * nv * c * o;
        double direct = passes * 2.0 * oh * ow * kh * kw * c * o;
        return direct / dft;
    }

    /** Whether the geometry can be done: paddings not negative and narrower than the kernel (stride 1 is the caller's). */
    static boolean supports(int side, int kernel, int out, int padBefore) {
        int padAfter = out + kernel - 1 - side - padBefore;
        return padBefore >= 0 && padAfter >= 0 && padBefore < kernel && padAfter < kernel;
    }

    private void plan(int b, int c, int o, int h, int w, int oh, int ow, int kh, int kw, int t, int l) {
        boolean sameShape = h == inH && w == inW && oh == outH && ow == outW && kh == kH && kw == kW && t == top
                && l == left && c == inC && o == outC;
        if (sameShape && b == batch) {
            return;
        }
        if (!sameShape || rowFwdIn == null) {
            inC = c;
            outC = o;
            inH = h;
            inW = w;
            outH = oh;
            outW = ow;
            kH = kh;
            kW = kw;
            top = t;
            left = l;
            n1 = length(h, kh, oh, t);
            n2 = length(w, kw, ow, l);
            nv = n2 / 2 + 1;
            freqs = n1 * nv;
            int[] kernelRows = new int[kh];
            for (int p = 0; p < kh; p++) {
                kernelRows[p] = Math.floorMod(t - p, n1);
            }
            int[] kernelCols = new int[kw];
            for (int q = 0; q < kw; q++) {
                kernelCols[q] = Math.floorMod(l - q, n2);
            }
            rowFwdIn = rowForward(range(w));
            colFwdIn = colForward(range(h));
            rowFwdOut = rowForward(range(ow));
            colFwdOut = colForward(range(oh));
            colInvOut = colInverse(range(oh));
            rowInvOut = rowInverse(range(ow));
            colInvIn = colInverse(range(h));
            rowInvIn = rowInverse(range(w));
            rowFwdKernel = rowForward(kernelCols);
            colFwdKernel = colForward(kernelRows);
            colInvKernel = colInverse(kernelRows);
            rowInvKernel = rowInverse(kernelCols);
            g = new float[2 * freqs * c * o];
            sSpec = new float[2 * freqs * c * o];
        }
        batch = b;
        int firstLength = Math.max(b * Math.max(c, o) * Math.max(h, oh), o * c * kh) * 2 * nv;
        int spectrumLength = 2 * freqs * Math.max(Math.max(c, o) * b, c * o);
        views.clear();
        first = detached(firstLength);
        second = detached(firstLength);
        spectrum = detached(spectrumLength);
        heapFirst = new float[firstLength];
        heapSecond = new float[firstLength];
        xSpec = new float[2 * freqs * c * b];
        ySpec = new float[2 * freqs * o * b];
        xSpecValid = false;
    }

    private static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        return r;
    }

    /** An array made outside any workspace (kept from step to step by this object). */
    private static INDArray detached(java.util.function.Supplier<INDArray> make) {
        try (org.nd4j.linalg.api.memory.MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return make.get();
        }
    }

    private static INDArray detached(long length) {
        return detached(() -> Nd4j.createUninitialized(DataType.FLOAT, length));
    }

    private static INDArray matrix(double[] values, int rows, int cols) {
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        return detached(() -> Nd4j.create(f, new long[] {rows, cols}, 'c'));
    }

    private double angle(long frequency, long position, int n) {
        return 2 * Math.PI * (frequency * position % n) / n;
    }

    /** {@code [cols, 2nv]}: real DFT along the width of values at positions {@code pos}: columns {@code cos}, {@code -sin}. */
    private INDArray rowForward(int[] pos) {
        double[] m = new double[pos.length * 2 * nv];
        for (int q = 0; q < pos.length; q++) {
            for (int v = 0; v < nv; v++) {
                double a = angle(v, pos[q], n2);
                m[q * 2 * nv + v] = Math.cos(a);
                m[q * 2 * nv + nv + v] = -Math.sin(a);
            }
        }
        return matrix(m, pos.length, 2 * nv);
    }

    /** {@code [2n1, 2rows]}: complex DFT along the height on stacked (real; imaginary) rows: {@code [[C, S], [-S, C]]}. */
    private INDArray colForward(int[] pos) {
        int side = pos.length;
        double[] m = new double[2 * n1 * 2 * side];
        int cols = 2 * side;
        for (int u = 0; u < n1; u++) {
            for (int r = 0; r < side; r++) {
                double a = angle(u, pos[r], n1);
                double c = Math.cos(a);
                double s = Math.sin(a);
                m[u * cols + r] = c;
                m[u * cols + side + r] = s;
                m[(n1 + u) * cols + r] = -s;
                m[(n1 + u) * cols + side + r] = c;
            }
        }
        return matrix(m, 2 * n1, 2 * side);
    }

    /** {@code [2rows, 2n1]}: inverse complex DFT along the height at positions {@code pos}, the transpose of {@link #colForward}. */
    private INDArray colInverse(int[] pos) {
        return detachedCopy(colForward(pos).transpose());
    }

    /**
     * {@code [2nv, cols]}: real part of the inverse along the width at positions {@code pos}: {@link #rowForward}
     * transposed, its rows weighted for the half spectrum (1 for frequency 0 and n2/2, 2 for the others) and 1/(n1 n2).
     */
    private INDArray rowInverse(int[] pos) {
        double scale = 1.0 / ((double) n1 * n2);
        float[] weights = new float[2 * nv];
        for (int v = 0; v < nv; v++) {
            weights[v] = (float) ((v == 0 || 2 * v == n2) ? scale : 2 * scale);
            weights[nv + v] = weights[v];
        }
        INDArray m = detachedCopy(rowForward(pos).transpose());
        m.muliColumnVector(Nd4j.createFromArray(weights).reshape(2 * nv, 1));
        return m;
    }

    private static INDArray detachedCopy(INDArray a) {
        return detached(() -> a.dup('c'));
    }

    /**
     * Forward convolution of {@code x [B, C, H, W]} with {@code w [O, C, kH, kW]} (plus {@code bias [O]} or null) into
     * {@code out [B, O, oH, oW]} (contiguous), padding {@code top}/{@code left} (bottom and right follow from the
     * sides); keeps the input spectrum for {@link #backward}.
     */
    void forward(INDArray x, INDArray w, INDArray bias, INDArray out, int padTop, int padLeft) {
        plan((int) x.size(0), (int) x.size(1), (int) w.size(0), (int) x.size(2), (int) x.size(3), (int) out.size(2),
                (int) out.size(3), (int) w.size(2), (int) w.size(3), padTop, padLeft);
        // kernel spectrum [t][f][c][o]: the weights [O, C, kH, kW] as O "images" of C channels at the kernel offsets
        transform(w, outC, inC, kH, kW, rowFwdKernel, colFwdKernel, g);
        transform(x, batch, inC, inH, inW, rowFwdIn, colFwdIn, xSpec);
        xSpecValid = true;
        SpectralProducts.multiply(g, xSpec, ySpec, freqs, inC, outC, batch, false);
        if (bias != null) {
            // a constant added to every pixel is (n1 n2) times that constant at frequency zero
            float[] bv = bias.dup('c').data().asFloat();
            float scale = (float) n1 * n2;
            for (int o = 0; o < outC; o++) {
                for (int b = 0; b < batch; b++) {
                    ySpec[o * batch + b] += bv[o] * scale;
                }
            }
        }
        inverse(ySpec, batch, outC, outH, outW, colInvOut, rowInvOut, out);
    }

    /**
     * Backward pass of the last {@link #forward} (same weights): the weight gradient into {@code weightGrad [O, C, kH,
     * kW]}, the bias gradient into {@code biasGrad} (if not null) and, if {@code inputGrad} is not null, the input
     * gradient {@code [B, C, H, W]}, from the output gradient {@code delta [B, O, oH, oW]}.
     */
    void backward(INDArray delta, INDArray weightGrad, INDArray biasGrad, INDArray inputGrad) {
        if (!xSpecValid) {
            throw new IllegalStateException("FourierConvolution.backward without a forward pass");
        }
        xSpecValid = false;
        float[] dy = ySpec;
        transform(delta, batch, outC, outH, outW, rowFwdOut, colFwdOut, dy);
        if (biasGrad != null) {
            float[] sums = new float[outC];
            for (int o = 0; o < outC; o++) {
                double s = 0;
                for (int b = 0; b < batch; b++) {
                    s += dy[o * batch + b];
                }
                sums[o] = (float) s;
            }
            biasGrad.assign(Nd4j.createFromArray(sums).reshape(biasGrad.shape()));
        }
        SpectralProducts.correlate(dy, xSpec, sSpec, freqs, inC, outC, batch);
        // the kernel gradient [O, C, kH, kW] at the kernel offsets
        inverse(sSpec, outC, inC, kH, kW, colInvKernel, rowInvKernel, weightGrad);
        if (inputGrad == null) {
            return;
        }
        float[] dx = xSpec; // the input spectrum is no longer needed
        SpectralProducts.multiply(g, dy, dx, freqs, inC, outC, batch, true);
        inverse(dx, batch, inC, inH, inW, colInvIn, rowInvIn, inputGrad);
    }

    /**
     * Spectrum {@code [t][f][inner][outer]} (into {@code dest}) of {@code a [outer, inner, rows, cols]}: width
     * transform {@code [outer*inner*rows, cols] x [cols, 2nv]}, transposition to {@code [(t, rows), (v, inner,
     * outer)]}, height transform.
     */
    private void transform(INDArray a, int outer, int inner, int rows, int cols, INDArray rowFwd, INDArray colFwd,
                           float[] dest) {
        INDArray src = Shape.hasDefaultStridesForShape(a) ? a : a.dup('c');
        int m = outer * inner * rows;
        int length = m * 2 * nv;
        product.multiply(src.reshape('c', m, cols), rowFwd, view(first, m, 2 * nv));
        read(first, heapFirst, length);
        int step = inner * outer;
        int vio = nv * step;
        int twoNv = 2 * nv;
        float[] h1 = heapFirst;
        float[] h2 = heapSecond;
        // loops ordered so that the lines written stay in the L1 cache while all images pass
        for (int c = 0; c < inner; c++) {
            for (int r = 0; r < rows; r++) {
                for (int b = 0; b < outer; b++) {
                    int from = ((b * inner + c) * rows + r) * twoNv;
                    int toRe = r * vio + c * outer + b;
                    int toIm = (rows + r) * vio + c * outer + b;
                    for (int v = 0; v < nv; v++) {
                        h2[toRe + v * step] = h1[from + v];
                        h2[toIm + v * step] = h1[from + nv + v];
                    }
                }
            }
        }
        write(second, h2, length);
        product.multiply(colFwd, view(second, 2 * rows, vio), view(spectrum, 2 * n1, vio));
        read(spectrum, dest, 2 * n1 * vio);
    }

    /** Values {@code [outer, inner, rows, cols]} (into {@code out}) of the spectrum {@code spec [t][f][inner][outer]}. */
    private void inverse(float[] spec, int outer, int inner, int rows, int cols, INDArray colInv, INDArray rowInv,
                         INDArray out) {
        int step = inner * outer;
        int vio = nv * step;
        write(spectrum, spec, 2 * n1 * vio);
        product.multiply(colInv, view(spectrum, 2 * n1, vio), view(first, 2 * rows, vio));
        int m = outer * inner * rows;
        int length = m * 2 * nv;
        read(first, heapFirst, length);
        float[] h1 = heapFirst;
        float[] h2 = heapSecond;
        int twoNv = 2 * nv;
        for (int c = 0; c < inner; c++) {
            for (int r = 0; r < rows; r++) {
                for (int b = 0; b < outer; b++) {
                    int to = ((b * inner + c) * rows + r) * twoNv;
                    int fromRe = r * vio + c * outer + b;
                    int fromIm = (rows + r) * vio + c * outer + b;
                    for (int v = 0; v < nv; v++) {
                        h2[to + v] = h1[fromRe + v * step];
                        h2[to + nv + v] = h1[fromIm + v * step];
                    }
                }
            }
        }
        write(second, h2, length);
        if (Shape.hasDefaultStridesForShape(out)) {
            product.multiply(view(second, m, twoNv), rowInv, out.reshape('c', m, cols));
        } else {
            out.assign(view(second, m, twoNv).mmul(rowInv).reshape(out.shape()));
        }
    }

    /** Matrix views of the scratch buffers, made once per plan (each new view costs native shape bookkeeping). */
    private final java.util.Map<INDArray, java.util.Map<Long, INDArray>> views = new java.util.IdentityHashMap<>();

    private INDArray view(INDArray flat, long rows, long cols) {
        return views.computeIfAbsent(flat, k -> new java.util.HashMap<>()).computeIfAbsent(rows << 32 | cols,
                k -> flat.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, rows * cols)).reshape('c', rows, cols));
    }

    private static void read(INDArray flat, float[] dest, int length) {
        FloatBuffer fb = flat.data().asNioFloat();
        fb.position(0);
        fb.get(dest, 0, length);
    }

    private static void write(INDArray flat, float[] src, int length) {
        FloatBuffer fb = flat.data().asNioFloat();
        fb.position(0);
        fb.put(src, 0, length);
    }
}
