package fashion.training;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import fashion.engine.Notebook;

/**
 * Stopping training cleanly. Inside the Jupyter kernel (whose kernelspec uses {@code interrupt_mode: signal}),
 * the notebook's interrupt button sends SIGINT to the JVM; the handler installed here turns it into a request
 * that the training loop honours at the next minibatch, keeping the model and the history so far.
 *
 * <p>When no training runs, the handler finds the thread running the cell (a thread executing JShell's
 * {@code REPL.$JShell$...} code), interrupts it (so sleeps, waits and blocking calls end with
 * {@link InterruptedException}) and, if that cell's code is still running {@value #STOP_AFTER_MILLIS} ms later
 * (a busy loop that ignores interrupts), stops that thread, which ends the cell with an error. A second
 * interrupt during training that has not stopped after {@value #STOP_AFTER_MILLIS} ms is handled the same way.
 * SIGINT never ends the kernel; the kernel's variables survive.
 */
public final class Interrupts {
    /** How long an interrupted cell may keep running before its thread is stopped. */
    static final long STOP_AFTER_MILLIS = 1000;
    private static final String REPL_PREFIX = "REPL.$JShell$";

    private static final AtomicBoolean REQUESTED = new AtomicBoolean();
    private static volatile long requestedAt;
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
        long now = System.nanoTime();
        Thread t = training;
        if (t != null) {
            // the training loop stops at the next minibatch; an interrupt repeated after a stall stops the cell
            if (REQUESTED.getAndSet(true)) {
                if (now - requestedAt > STOP_AFTER_MILLIS * 1_000_000L) {
                    stopCells(List.of(t));
                }
            } else {
                requestedAt = now;
            }
            return;
        }
        List<Thread> cells = runningCells();
        Thread cell = lastCell;
        if (cells.isEmpty() && cell != null && cell.isAlive() && cell != Thread.currentThread()) {
            cell.interrupt();
        }
        stopCells(cells);
    }

    /** Interrupts the threads, then stops those still running the same cell after {@link #STOP_AFTER_MILLIS}. */
    private static void stopCells(List<Thread> cells) {
        for (Thread cell : cells) {
            String snippet = replFrame(cell.getStackTrace());
            cell.interrupt();
            if (snippet == null) {
                continue;
            }
            Thread watchdog = new Thread(() -> {
                long deadline = System.nanoTime() + STOP_AFTER_MILLIS * 1_000_000L;
                while (System.nanoTime() < deadline) {
                    if (!snippet.equals(replFrame(cell.getStackTrace()))) {
                        return; // the cell ended by itself
                    }
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (training == cell && !REQUESTED.getAndSet(true)) {
                    requestedAt = System.nanoTime(); // training began meanwhile: it stops at the next minibatch
                    return;
                }
                if (snippet.equals(replFrame(cell.getStackTrace()))) {
                    System.err.println("Interrupted: the cell ignored the interrupt for " + STOP_AFTER_MILLIS
                            + " ms, so its thread is stopped (java.lang.ThreadDeath). Variables of earlier cells are kept.");
                    stop(cell);
                }
            }, "fashion-interrupt-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
        }
    }

    @SuppressWarnings({"deprecation", "removal"})
    private static void stop(Thread cell) {
        try {
            cell.stop(); // works on Java 17; Java 20+ throws UnsupportedOperationException
        } catch (UnsupportedOperationException | SecurityException e) {
            cell.interrupt();
        }
    }

    /** Threads (other than this one) currently executing a JShell cell. */
    static List<Thread> runningCells() {
        List<Thread> out = new ArrayList<>();
        Thread self = Thread.currentThread();
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            if (e.getKey() != self && replFrame(e.getValue()) != null) {
                out.add(e.getKey());
            }
        }
        return out;
    }

    /** The outermost JShell snippet class on the stack (identifies the running cell), or null. */
    private static String replFrame(StackTraceElement[] stack) {
        for (int i = stack.length - 1; i >= 0; i--) {
            if (stack[i].getClassName().startsWith(REPL_PREFIX)) {
                return stack[i].getClassName();
            }
        }
        return null;
    }

    /** Asks the running training loop to stop at the next minibatch (what the interrupt button does). */
    public static void request() {
        REQUESTED.set(true);
        requestedAt = System.nanoTime();
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
