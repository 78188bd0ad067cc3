package fashion.models.fastconv;

import java.util.Arrays;

/**
 * Chooses between two exact ways of computing a layer's training step by timing both on the real work: a layer whose
 * cost estimate does not clearly favour one (see {@link FourierConvolution#gain}) starts with the estimate's choice,
 * then, once the JIT has compiled the Java paths, alternates the two for a few steps and keeps the one with the lower
 * median time. One instance per layer; not thread-safe.
 */
final class TimedChoice {
    /** Steps before the trials (the DFT path is Java code the JIT compiles during the first hundred or so steps). */
    static volatile int warmupSteps = 200;
    /** Timed steps of each option. */
    static volatile int trialsPerOption = 16;

    private final boolean guess;
    private int step;
    private long[][] nanos;
    private int[] counts;
    private Boolean decided;

    TimedChoice(boolean guess) {
        this.guess = guess;
    }

    /** The option for this step (true: the first, e.g. the DFT): the guess, then alternately both, then the faster. */
    boolean next() {
        if (decided != null) {
            return decided;
        }
        int s = step++;
        if (s < warmupSteps) {
            return guess;
        }
        return (s - warmupSteps) % 2 == 0;
    }

    /** Whether this step is a timed trial (its time should be {@link #record recorded}). */
    boolean measuring() {
        return decided == null && step > warmupSteps;
    }

    /** The time of one step with {@code first} (true) or the second option; decides once both have their trials. */
    void record(boolean first, long stepNanos) {
        if (decided != null) {
            return;
        }
        if (nanos == null) {
            nanos = new long[2][trialsPerOption];
            counts = new int[2];
        }
        int k = first ? 0 : 1;
        if (counts[k] < nanos[k].length) {
            nanos[k][counts[k]++] = stepNanos;
        }
        if (counts[0] == nanos[0].length && counts[1] == nanos[1].length) {
            decided = median(nanos[0]) <= median(nanos[1]);
            nanos = null;
        }
    }

    /** The decision, or null while still guessing or measuring. */
    Boolean decision() {
        return decided;
    }

    private static long median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
