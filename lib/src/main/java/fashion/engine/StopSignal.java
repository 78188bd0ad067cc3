package fashion.engine;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The request to stop long work cleanly (the notebook's interrupt button, through {@code fashion.training.Interrupts}).
 * Loops that can stop between steps without losing what they computed (training between minibatches, evaluation
 * between chunks of images, a study between settings) ask {@link #requested()} and end early; code that cannot end
 * early with a result calls {@link #check(String)}, which throws {@link Stopped}, for its caller to keep what was
 * finished. The flag is cleared when a new training run or study begins.
 */
public final class StopSignal {
    private static final AtomicBoolean REQUESTED = new AtomicBoolean();
    private static volatile long requestedAt;

    private StopSignal() {
    }

    /** Thrown by {@link #check(String)}: the work was stopped on request; its message says where. */
    public static final class Stopped extends RuntimeException {
        public Stopped(String message) {
            super(message);
        }
    }

    /** Whether a stop was requested, or this thread was interrupted (an interrupt flag that is left set). */
    public static boolean requested() {
        return REQUESTED.get() || Thread.currentThread().isInterrupted();
    }

    /** Requests a stop; returns whether one was already pending. */
    public static boolean request() {
        boolean before = REQUESTED.getAndSet(true);
        if (!before) {
            requestedAt = System.nanoTime();
        }
        return before;
    }

    /** When the pending request was made ({@link System#nanoTime()}). */
    public static long requestedAt() {
        return requestedAt;
    }

    /** Whether a request is pending (the flag only, not this thread's interrupt status). */
    public static boolean pending() {
        return REQUESTED.get();
    }

    public static void clear() {
        REQUESTED.set(false);
    }

    /** Throws {@link Stopped} with "{@code where}" as its message if a stop was {@link #requested()}. */
    public static void check(String where) {
        if (requested()) {
            throw new Stopped(where);
        }
    }
}
