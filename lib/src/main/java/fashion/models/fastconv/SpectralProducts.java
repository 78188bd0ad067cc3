package fashion.models.fastconv;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The per-frequency channel products of {@link FourierConvolution}, vectorized across the minibatch with the JDK's
 * vector API (a minibatch half of 16 images is two 8-float vectors with AVX2; about 8 times faster than the same loops
 * left to the JIT, which did not vectorize them). Only loaded when the module is present
 * ({@link FourierConvolution#available()}).
 *
 * <p>Layouts (float arrays, real parts then imaginary parts): spectra of images {@code [t][f][channel][b]}, kernel and
 * weight-gradient spectra {@code [t][f][c][o]}; {@code f} runs over {@code freqs} frequencies.
 */
final class SpectralProducts {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    private SpectralProducts() {
    }

    /**
     * Runs {@link #multiply} (both directions) and {@link #correlate} on small scratch spectra until the JIT has
     * compiled them (about 0.2-0.4 s): until then the vector API's operations run as its slow, allocating Java fallback,
     * and the first few hundred training steps of a network with DFT convolutions were 1.5 to 2.5 times as slow as later
     * ones. Returns the seconds it took.
     */
    static double warmUp(int calls) {
        long t0 = System.nanoTime();
        int freqs = 24;
        int batch = 20; // vector loop and scalar tail both run (an epoch's last minibatch of 24 reaches here as halves of 12)
        int[][] shapes = {{5, 5}, {1, 5}, {5, 16}}; // in and out channels, as in the seed's and the studies' layers
        for (int[] shape : shapes) {
            int inC = shape[0];
            int outC = shape[1];
            float[] g = new float[2 * freqs * inC * outC];
            float[] x = new float[2 * freqs * inC * batch];
            float[] y = new float[2 * freqs * outC * batch];
            float[] s = new float[2 * freqs * inC * outC];
            for (int i = 0; i < x.length; i++) {
                x[i] = (i % 13 - 6) * 0.1f;
            }
            for (int i = 0; i < g.length; i++) {
                g[i] = (i % 7 - 3) * 0.1f;
            }
            for (int c = 0; c < calls / shapes.length; c++) {
                multiply(g, x, y, freqs, inC, outC, batch, false);
                multiply(g, y, x, freqs, inC, outC, batch, true);
                correlate(y, x, s, freqs, inC, outC, batch);
            }
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /**
     * The channel product at every frequency (complex): {@code y[t][f][o][b] = sum_c g[f][c][o] x[t][f][c][b]}, or,
     * with {@code adjoint}, its adjoint {@code y[t][f][c][b] = sum_o conj(g[f][c][o]) x[t][f][o][b]} (the input
     * gradient from the output gradient).
     */
    static void multiply(float[] g, float[] x, float[] y, int freqs, int inC, int outC, int batch, boolean adjoint) {
        // summed over i (channels of x), for each j (channels of y); g's index is f*inC*outC + i*gi + j*gj
        int xChannels = adjoint ? outC : inC;
        int yChannels = adjoint ? inC : outC;
        int gi = adjoint ? 1 : outC;
        int gj = adjoint ? outC : 1;
        float sign = adjoint ? -1f : 1f; // the conjugate's imaginary part
        int lanes = SPECIES.length();
        int bound = SPECIES.loopBound(batch);
        int imX = freqs * xChannels * batch;
        int imY = freqs * yChannels * batch;
        int imG = freqs * inC * outC;
        for (int f = 0; f < freqs; f++) {
            for (int j = 0; j < yChannels; j++) {
                int yo = (f * yChannels + j) * batch;
                int k0 = f * inC * outC + j * gj;
                for (int b = 0; b < bound; b += lanes) {
                    FloatVector re = FloatVector.zero(SPECIES);
                    FloatVector im = FloatVector.zero(SPECIES);
                    for (int i = 0; i < xChannels; i++) {
                        int k = k0 + i * gi;
                        FloatVector gr = FloatVector.broadcast(SPECIES, g[k]);
                        FloatVector gm = FloatVector.broadcast(SPECIES, sign * g[imG + k]);
                        int xo = (f * xChannels + i) * batch + b;
                        FloatVector xr = FloatVector.fromArray(SPECIES, x, xo);
                        FloatVector xi = FloatVector.fromArray(SPECIES, x, imX + xo);
                        re = xr.fma(gr, re);
                        re = xi.fma(gm.neg(), re);
                        im = xi.fma(gr, im);
                        im = xr.fma(gm, im);
                    }
                    re.intoArray(y, yo + b);
                    im.intoArray(y, imY + yo + b);
                }
                for (int b = bound; b < batch; b++) {
                    float re = 0;
                    float im = 0;
                    for (int i = 0; i < xChannels; i++) {
                        int k = k0 + i * gi;
                        float gm = sign * g[imG + k];
                        int xo = (f * xChannels + i) * batch + b;
                        re += g[k] * x[xo] - gm * x[imX + xo];
                        im += g[k] * x[imX + xo] + gm * x[xo];
                    }
                    y[yo + b] = re;
                    y[imY + yo + b] = im;
                }
            }
        }
    }

    /** {@code s[t][f][c][o] = sum_b dy[t][f][o][b] conj(x[t][f][c][b])}: the spectrum of the weight gradient. */
    static void correlate(float[] dy, float[] x, float[] s, int freqs, int inC, int outC, int batch) {
        int lanes = SPECIES.length();
        int bound = SPECIES.loopBound(batch);
        int imX = freqs * inC * batch;
        int imY = freqs * outC * batch;
        int imS = freqs * inC * outC;
        for (int f = 0; f < freqs; f++) {
            for (int c = 0; c < inC; c++) {
                int xo = (f * inC + c) * batch;
                for (int o = 0; o < outC; o++) {
                    int yo = (f * outC + o) * batch;
                    FloatVector re = FloatVector.zero(SPECIES);
                    FloatVector im = FloatVector.zero(SPECIES);
                    for (int b = 0; b < bound; b += lanes) {
                        FloatVector xr = FloatVector.fromArray(SPECIES, x, xo + b);
                        FloatVector xi = FloatVector.fromArray(SPECIES, x, imX + xo + b);
                        FloatVector yr = FloatVector.fromArray(SPECIES, dy, yo + b);
                        FloatVector yi = FloatVector.fromArray(SPECIES, dy, imY + yo + b);
                        re = yr.fma(xr, re);
                        re = yi.fma(xi, re);
                        im = yi.fma(xr, im);
                        im = yr.neg().fma(xi, im);
                    }
                    float sr = re.reduceLanes(VectorOperators.ADD);
                    float si = im.reduceLanes(VectorOperators.ADD);
                    for (int b = bound; b < batch; b++) {
                        sr += dy[yo + b] * x[xo + b] + dy[imY + yo + b] * x[imX + xo + b];
                        si += dy[imY + yo + b] * x[xo + b] - dy[yo + b] * x[imX + xo + b];
                    }
                    int k = (f * inC + c) * outC + o;
                    s[k] = sr;
                    s[imS + k] = si;
                }
            }
        }
    }
}
