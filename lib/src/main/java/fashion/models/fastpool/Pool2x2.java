package fashion.models.fastpool;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * The arithmetic of 2x2 stride-2 pooling without padding on c-order NCHW data seen as {@code planes} planes of
 * {@code h x w}: output {@code (h/2) x (w/2)}, an odd last row/column is dropped (DL4J's Truncate mode). Each method
 * handles planes {@code [from, to)}, copying one plane at a time between the native buffers and Java arrays.
 * Max pooling sends the gradient to the first maximum of each window in row-major order, as libnd4j does.
 */
final class Pool2x2 {

    private Pool2x2() {
    }

    /** 1 if {@code q > p}, else 0 (finite values), computed without a branch. */
    private static int later(float p, float q) {
        return Float.floatToRawIntBits(p - q) >>> 31;
    }

    static void forward(boolean max, FloatBuffer x, FloatBuffer y, int from, int to, int h, int w) {
        int oh = h / 2;
        int ow = w / 2;
        float[] in = new float[h * w];
        float[] out = new float[oh * ow];
        for (int p = from; p < to; p++) {
            x.get(p * h * w, in, 0, h * w);
            for (int i = 0; i < oh; i++) {
                int r0 = 2 * i * w;
                int r1 = r0 + w;
                int o = i * ow;
                for (int j = 0; j < ow; j++) {
                    float a = in[r0 + 2 * j];
                    float b = in[r0 + 2 * j + 1];
                    float c = in[r1 + 2 * j];
                    float d = in[r1 + 2 * j + 1];
                    if (max) {
                        // Math.max is branch-free (an if/ternary mispredicts half of the time on real data: 10x slower)
                        out[o + j] = Math.max(Math.max(a, b), Math.max(c, d));
                    } else {
                        out[o + j] = (a + b + c + d) * 0.25f;
                    }
                }
            }
            y.put(p * oh * ow, out, 0, oh * ow);
        }
    }

    /** {@code dx} for planes [from, to); {@code x} (the layer's input) is only read for max pooling. */
    static void backward(boolean max, FloatBuffer x, FloatBuffer dy, FloatBuffer dx, int from, int to, int h, int w) {
        int oh = h / 2;
        int ow = w / 2;
        float[] in = max ? new float[h * w] : null;
        float[] g = new float[oh * ow];
        float[] d = new float[h * w];
        for (int p = from; p < to; p++) {
            if (max) {
                x.get(p * h * w, in, 0, h * w);
            }
            dy.get(p * oh * ow, g, 0, oh * ow);
            if ((h & 1) != 0 || (w & 1) != 0) {
                java.util.Arrays.fill(d, 0f);
            }
            for (int i = 0; i < oh; i++) {
                int r0 = 2 * i * w;
                int r1 = r0 + w;
                int o = i * ow;
                for (int j = 0; j < ow; j++) {
                    int k = r0 + 2 * j;
                    float gj = g[o + j];
                    if (max) {
                        // index of the first maximum without branches (a compare-and-branch mispredicts half of
                        // the time: 5x slower): the sign bit of p - q is 1 exactly when q > p (p - p is +0)
                        float a = in[k];
                        float b = in[k + 1];
                        float c = in[r1 + 2 * j];
                        float e = in[r1 + 2 * j + 1];
                        int ab = k + later(a, b);
                        int ce = r1 + 2 * j + later(c, e);
                        int at = ab + later(Math.max(a, b), Math.max(c, e)) * (ce - ab);
                        d[k] = 0f;
                        d[k + 1] = 0f;
                        d[r1 + 2 * j] = 0f;
                        d[r1 + 2 * j + 1] = 0f;
                        d[at] = gj;
                    } else {
                        float q = gj * 0.25f;
                        d[k] = q;
                        d[k + 1] = q;
                        d[r1 + 2 * j] = q;
                        d[r1 + 2 * j + 1] = q;
                    }
                }
            }
            dx.put(p * h * w, d, 0, h * w);
        }
    }

    static void forward(boolean max, DoubleBuffer x, DoubleBuffer y, int from, int to, int h, int w) {
        int oh = h / 2;
        int ow = w / 2;
        double[] in = new double[h * w];
        double[] out = new double[oh * ow];
        for (int p = from; p < to; p++) {
            x.get(p * h * w, in, 0, h * w);
            for (int i = 0; i < oh; i++) {
                int r0 = 2 * i * w;
                int r1 = r0 + w;
                for (int j = 0; j < ow; j++) {
                    double a = in[r0 + 2 * j];
                    double b = in[r0 + 2 * j + 1];
                    double c = in[r1 + 2 * j];
                    double d = in[r1 + 2 * j + 1];
                    out[i * ow + j] = max ? Math.max(Math.max(a, b), Math.max(c, d)) : (a + b + c + d) * 0.25;
                }
            }
            y.put(p * oh * ow, out, 0, oh * ow);
        }
    }

    static void backward(boolean max, DoubleBuffer x, DoubleBuffer dy, DoubleBuffer dx, int from, int to, int h,
                         int w) {
        int oh = h / 2;
        int ow = w / 2;
        double[] in = max ? new double[h * w] : null;
        double[] g = new double[oh * ow];
        double[] d = new double[h * w];
        for (int p = from; p < to; p++) {
            if (max) {
                x.get(p * h * w, in, 0, h * w);
            }
            dy.get(p * oh * ow, g, 0, oh * ow);
            java.util.Arrays.fill(d, 0.0);
            for (int i = 0; i < oh; i++) {
                int r0 = 2 * i * w;
                int r1 = r0 + w;
                for (int j = 0; j < ow; j++) {
                    int[] window = {r0 + 2 * j, r0 + 2 * j + 1, r1 + 2 * j, r1 + 2 * j + 1};
                    double gj = g[i * ow + j];
                    if (max) {
                        int at = window[0];
                        for (int k = 1; k < 4; k++) {
                            if (in[window[k]] > in[at]) {
                                at = window[k];
                            }
                        }
                        d[at] = gj;
                    } else {
                        for (int k : window) {
                            d[k] = gj * 0.25;
                        }
                    }
                }
            }
            dx.put(p * h * w, d, 0, h * w);
        }
    }
}
