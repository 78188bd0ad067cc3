package fashion.training;

import java.util.concurrent.atomic.AtomicBoolean;

import fashion.engine.Notebook;

/**
 * Stopping training cleanly. Inside the Jupyter kernel (whose kernelspec uses {@code interrupt_mode: signal}),
 * the notebook's interrupt button sends SIGINT to the JVM; the handler installed here turns it into a request
 * that the training loop honours at the next minibatch, keeping the model and the history so far. When no
 * training runs, the handler interrupts the thread of the running cell instead (so sleeps and blocking calls
 * end) and never lets SIGINT kill the kernel.
 */
public final class Interrupts {
    private static final AtomicBoolean REQUESTED = new AtomicBoolean();
    private static volatile Thread training;
    private static volatile Thread lastCell;
    private static volatile boolean installed;

    private Interrupts() {
    }

    /** Installs the SIGINT handler once, when running inside the kernel. Returns whether it is installed. */
    public static synchronized boolean install() {
        if (installed) {
            return true;
        }
        if (!Notebook.active()) {
            return false;
        }
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), signal -> onInterrupt());
            installed = true;
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            installed = false;
        }
        return installed;
    }

    static void onInterrupt() {
        REQUESTED.set(true);
        Thread t = training;
        if (t == null) {
            Thread cell = lastCell;
            if (cell != null && cell.isAlive()) {
                cell.interrupt();
            }
        }
    }

    /** Asks the running training loop to stop at the next minibatch (what the interrupt button does). */
    public static void request() {
        onInterrupt();
    }

    static boolean requested() {
        return REQUESTED.get();
    }

    static void beginTraining() {
        REQUESTED.set(false);
        Thread.interrupted(); // a stale interrupt flag must not stop the new run
        training = Thread.currentThread();
        lastCell = training;
    }

    static void endTraining() {
        training = null;
        REQUESTED.set(false);
    }

    /** Records the thread of the running cell, so that an interrupt outside training can reach it. */
    public static void noteCellThread() {
        lastCell = Thread.currentThread();
    }
}
