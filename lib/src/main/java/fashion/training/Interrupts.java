package fashion.training;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import fashion.engine.Notebook;

/**
 * Stopping training cleanly. Inside the Jupyter kernel (whose kernelspec uses {@code interrupt_mode: signal}),
 * the notebook's interrupt button sends SIGINT to the JVM; the handler installed here turns it into a request
 * that the training loop honours at the next minibatch, keeping the model and the history so far.
 *
 * <p>When no training runs, the handler finds the thread running the cell (a thread executing JShell's
 * {@code REPL.$JShell$...} code; if the kernel is still compiling the cell, it waits for it), interrupts it
 * (so sleeps, waits and blocking calls end with {@link InterruptedException}) and, if that cell's code is still
 * running {@value #STOP_AFTER_MILLIS} ms later (a busy loop that ignores interrupts), stops that thread, which
 * ends the cell with an error ({@code java.lang.ThreadDeath}). A second interrupt during training that has not
 * stopped {@value #STOP_AFTER_MILLIS} ms after the first is handled the same way. When the kernel is idle an
 * interrupt does nothing. SIGINT never ends the kernel, and the variables of earlier cells survive.
 */
public final class Interrupts {
    /** How long an interrupted cell may keep running before its thread is stopped. */
    static final long STOP_AFTER_MILLIS = 700;
    private static final String REPL_PREFIX = "REPL.$JShell$";
    private static final String KERNEL_CLASS = "org.rapaio.jupyter.kernel.core.RapaioKernel";

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
                    startWatchdog();
                }
            } else {
                requestedAt = now;
            }
            return;
        }
        startWatchdog();
    }

    private static void startWatchdog() {
        Thread watchdog = new Thread(Interrupts::stopRunningCell, "fashion-interrupt-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    /**
     * Interrupts the thread running the current cell (waiting for it while the kernel is still compiling the
     * cell's next snippet), then stops it if it still runs the same snippet {@link #STOP_AFTER_MILLIS} ms later.
     * Returns at once when the kernel is idle.
     */
    private static void stopRunningCell() {
        long start = System.nanoTime();
        long findUntil = start + 2 * STOP_AFTER_MILLIS * 1_000_000L;
        Map<Thread, String> interrupted = new HashMap<>();
        long stopAt = Long.MAX_VALUE;
        while (true) {
            long now = System.nanoTime();
            Map<Thread, String> cells = runningCells();
            if (interrupted.isEmpty() && !cells.isEmpty()) {
                for (Map.Entry<Thread, String> c : cells.entrySet()) {
                    c.getKey().interrupt(); // ends sleeps, waits and blocking calls with InterruptedException
                    interrupted.put(c.getKey(), c.getValue());
                }
                stopAt = now + STOP_AFTER_MILLIS * 1_000_000L;
            }
            if (interrupted.isEmpty()) {
                if (now > findUntil || !kernelBusy()) {
                    Thread cell = lastCell; // outside the kernel's usual threads: the last known cell thread
                    if (cell != null && cell.isAlive() && now > findUntil) {
                        cell.interrupt();
                    }
                    return;
                }
            } else {
                boolean running = false;
                for (Map.Entry<Thread, String> c : interrupted.entrySet()) {
                    running |= c.getValue().equals(cells.get(c.getKey()));
                }
                if (!running) {
                    return; // the cell ended (with InterruptedException, or by itself)
                }
                if (now >= stopAt) {
                    for (Map.Entry<Thread, String> c : interrupted.entrySet()) {
                        Thread cell = c.getKey();
                        if (!c.getValue().equals(cells.get(cell))) {
                            continue;
                        }
                        if (training == cell && !REQUESTED.getAndSet(true)) {
                            requestedAt = System.nanoTime(); // training began meanwhile: it stops at the next minibatch
                            continue;
                        }
                        System.err.println("Interrupted: the cell did not react to the interrupt within " + STOP_AFTER_MILLIS
                                + " ms, so its thread is stopped (java.lang.ThreadDeath). Variables of earlier cells are kept.");
                        stop(cell);
                    }
                    return;
                }
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                return;
            }
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

    /** Threads (other than this one) currently executing a JShell cell, with the cell's snippet class. */
    static Map<Thread, String> runningCells() {
        Map<Thread, String> out = new HashMap<>();
        Thread self = Thread.currentThread();
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            String snippet = replFrame(e.getValue());
            if (e.getKey() != self && snippet != null) {
                out.put(e.getKey(), snippet);
            }
        }
        return out;
    }

    /** Whether the kernel is executing a request (compiling or running a cell). */
    private static boolean kernelBusy() {
        for (StackTraceElement[] stack : Thread.getAllStackTraces().values()) {
            for (StackTraceElement frame : stack) {
                if (frame.getClassName().equals(KERNEL_CLASS) && frame.getMethodName().equals("handleExecuteRequest")) {
                    return true;
                }
            }
        }
        return false;
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
}
