package fashion.models.fastnorm;

import java.nio.FloatBuffer;

/**
 * The per-channel loops of batch normalization on c-order NCHW float data ({@code n} examples, {@code c} channels,
 * {@code hw} pixels per plane), each for channels {@code [from, to)}: statistics over (N, H, W), the normalization
 * and the input gradient. Sums are accumulated in double; element-wise arithmetic is done in float in the same order
 * as DL4J's layer ({@code x - mean}, then {@code / std}, then {@code * gamma + beta}).
 */
final class ChannelNorm {

    private ChannelNorm() {
    }

    /** Population mean and variance of each channel into {@code mean}, {@code var}. */
    static void statistics(FloatBuffer x, int n, int c, int hw, int from, int to, double[] mean, double[] var) {
        float[] plane = new float[hw];
        double count = (double) n * hw;
        for (int ch = from; ch < to; ch++) {
            double shift = x.get(ch * hw);
            double sum = 0;
            double squares = 0;
            for (int e = 0; e < n; e++) {
                x.get((e * c + ch) * hw, plane, 0, hw);
                // two independent accumulator pairs: the additions' latency, not memory, limits this loop
                double s0 = 0;
                double s1 = 0;
                double q0 = 0;
                double q1 = 0;
                int i = 0;
                for (; i + 1 < hw; i += 2) {
                    double d0 = plane[i] - shift;
                    double d1 = plane[i + 1] - shift;
                    s0 += d0;
                    s1 += d1;
                    q0 += d0 * d0;
                    q1 += d1 * d1;
                }
                for (; i < hw; i++) {
                    double d = plane[i] - shift;
                    s0 += d;
                    q0 += d * d;
                }
                sum += s0 + s1;
                squares += q0 + q1;
            }
            mean[ch] = shift + sum / count;
            var[ch] = Math.max(0, (squares - sum * sum / count) / count);
        }
    }

    /** {@code y = (x - mean) / std * gamma + beta}, or {@code (x - mean) / std} when {@code gamma} is null. */
    static void normalize(FloatBuffer x, FloatBuffer y, int n, int c, int hw, int from, int to, float[] mean,
                          float[] std, float[] gamma, float[] beta) {
        float[] plane = new float[hw];
        for (int ch = from; ch < to; ch++) {
            float m = mean[ch];
            float s = std[ch];
            for (int e = 0; e < n; e++) {
                int at = (e * c + ch) * hw;
                x.get(at, plane, 0, hw);
                if (gamma == null) {
                    for (int i = 0; i < hw; i++) {
                        plane[i] = (plane[i] - m) / s;
                    }
                } else {
                    float g = gamma[ch];
                    float b = beta[ch];
                    for (int i = 0; i < hw; i++) {
                        plane[i] = (plane[i] - m) / s * g + b;
                    }
                }
                y.put(at, plane, 0, hw);
            }
        }
    }

    /**
     * Input gradient of each channel from the output gradient {@code dy}, with DL4J's formulas: {@code dBeta = sum dy},
     * {@code dGamma = sum dy * xHat}, {@code dx = dxHat / std + (x - mean) * dVar * 2 / M + dMean / M} where
     * {@code dxHat = dy * gamma}, {@code dVar = -0.5 sum(dxHat (x - mean)) / std^3},
     * {@code dMean = -sum(dxHat) / std - 2 / M * sum(x - mean) * dVar} and {@code M = N H W}.
     */
    static void backward(FloatBuffer x, FloatBuffer dy, FloatBuffer dx, int n, int c, int hw, int from, int to,
                         float[] mean, float[] std, float[] gamma, double[] dGamma, double[] dBeta) {
        float[] xs = new float[hw];
        float[] gs = new float[hw];
        double count = (double) n * hw;
        for (int ch = from; ch < to; ch++) {
            float m = mean[ch];
            double sumG = 0;
            double sumGX = 0;
            double sumX = 0;
            for (int e = 0; e < n; e++) {
                int at = (e * c + ch) * hw;
                x.get(at, xs, 0, hw);
                dy.get(at, gs, 0, hw);
                double g0 = 0;
                double g1 = 0;
                double gx0 = 0;
                double gx1 = 0;
                double x0 = 0;
                double x1 = 0;
                int i = 0;
                for (; i + 1 < hw; i += 2) {
                    float xm0 = xs[i] - m;
                    float xm1 = xs[i + 1] - m;
                    g0 += gs[i];
                    g1 += gs[i + 1];
                    gx0 += gs[i] * (double) xm0;
                    gx1 += gs[i + 1] * (double) xm1;
                    x0 += xm0;
                    x1 += xm1;
                }
                for (; i < hw; i++) {
                    float xm = xs[i] - m;
                    g0 += gs[i];
                    gx0 += gs[i] * (double) xm;
                    x0 += xm;
                }
                sumG += g0 + g1;
                sumGX += gx0 + gx1;
                sumX += x0 + x1;
            }
            double s = std[ch];
            double g = gamma[ch];
            dBeta[ch] = sumG;
            dGamma[ch] = sumGX / s;
            double dVar = g * sumGX * -0.5 / (s * s * s);
            double dMean = -(g * sumG) / s + sumX * (-2.0 / count) * dVar;
            float a = (float) (g / s);
            float k = (float) (dVar * 2.0 / count);
            float b = (float) (dMean / count);
            for (int e = 0; e < n; e++) {
                int at = (e * c + ch) * hw;
                x.get(at, xs, 0, hw);
                dy.get(at, gs, 0, hw);
                for (int i = 0; i < hw; i++) {
                    gs[i] = gs[i] * a + (xs[i] - m) * k + b;
                }
                dx.put(at, gs, 0, hw);
            }
        }
    }
}
