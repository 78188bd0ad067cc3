package fashion.training;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import fashion.engine.Notebook;
import fashion.engine.StopSignal;

/**
 * Stopping training cleanly. Inside the Jupyter kernel (whose kernelspec uses {@code interrupt_mode: signal}),
 * the notebook's interrupt button sends SIGINT to the JVM; the handler installed here turns it into a stop request
 * ({@link StopSignal}) that long work honours at its next step, keeping what it computed: training between
 * minibatches and between the chunks of its end-of-epoch evaluation, a study between settings.
 *
 * <p>Three kinds of moment:
 * <ul>
 * <li>A <b>cooperative section</b> ({@link #cooperate()}: training, a study): every press only sets the request, so
 * any number of presses stop it at its next step (within about a second) and the cell ends normally with its result.
 * Only if it has not stopped {@value #ESCALATE_AFTER_MILLIS} ms after the first press does a further press stop it as
 * a plain cell.
 * <li>A <b>shielded section</b> ({@link #uninterruptibly}: the saving of a result or model file): a press is deferred
 * until the file is written and renamed into place (never half a file, never a file lost to an interrupted write).
 * <li>Any other cell: the handler finds the thread running the cell (a thread executing JShell's
 * {@code REPL.$JShell$...} code; if the kernel is still compiling the cell, it waits for it), interrupts it (so sleeps,
 * waits and blocking calls end with {@link InterruptedException}, and an evaluation stops at its next chunk) and, if
 * that cell's code is still running {@value #STOP_AFTER_MILLIS} ms later (a busy loop that ignores interrupts), stops
 * that thread, which ends the cell with an error ({@code java.lang.ThreadDeath}). JShell runs a cell snippet by
 * snippet: until the cell ends, every later snippet of it is interrupted (and stopped) the same way, except that
 * training or a study it starts is asked to stop at its next step, as in a cooperative section. When the kernel is
 * idle an interrupt does nothing.
 * </ul>
 * SIGINT never ends the kernel, and the variables of earlier cells survive.
 */
public final class Interrupts {
    /** How long an interrupted cell may keep running before its thread is stopped. */
    static final long STOP_AFTER_MILLIS = 700;
    /**
     * How long a press made while the kernel compiles a cell (no cell code running yet) waits for the cell's code to
     * start: JShell compiles a cell snippet by snippet, each just before it runs, which can take seconds on a loaded
     * machine.
     */
    static final long FIND_CELL_MILLIS = 120_000;
    /** A cooperative section that has not stopped this long after the first press is stopped by the next press. */
    static final long ESCALATE_AFTER_MILLIS = 5000;
    private static final String REPL_PREFIX = "REPL.$JShell$";
    private static final String KERNEL_CLASS = "org.rapaio.jupyter.kernel.core.RapaioKernel";

    /** The thread running a cooperative section (training, a study), or null. */
    private static volatile Thread training;
    private static int depth; // nesting of cooperative sections (a study's training runs), guarded by the class
    /** The kernel's count when the outermost section began (-1 unknown): a section of an earlier cell is stale. */
    private static int trainingCell = -1;
    private static final AtomicInteger SHIELDED = new AtomicInteger();
    private static volatile boolean deferred;
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
        int cell = executionCount(); // the cell pressed in, read at once ("Run all" may move on meanwhile)
        if (deferIfShielded()) {
            return; // a result is being saved: honoured once it is safely written
        }
        Boolean escalate = requestStopOfTraining(now);
        if (escalate == null) {
            startWatchdog(cell, false); // no training or study running: a plain cell
        } else if (escalate) {
            startWatchdog(cell, true);
        }
    }

    /**
     * If training or a study runs (in the current cell), requests its stop and returns whether the press escalates
     * (a request pending for more than {@link #ESCALATE_AFTER_MILLIS} ms); null when none runs.
     */
    private static synchronized Boolean requestStopOfTraining(long now) {
        if (activeTraining() == null) {
            return null;
        }
        // training or a study stops at its next step; only a section stuck long after the first press is stopped
        return StopSignal.request() && now - StopSignal.requestedAt() > ESCALATE_AFTER_MILLIS * 1_000_000L;
    }

    /**
     * The thread of the running cooperative section, or null; a section left behind by an earlier cell (its thread
     * stopped before it could end the section) is cleared. Called with the class's lock held.
     */
    private static Thread activeTraining() {
        if (training != null && trainingCell >= 0 && trainingCell != executionCount()) {
            training = null;
            depth = 0;
            StopSignal.clear();
        }
        return training;
    }

    /** Defers the press while a result is being saved (see {@link #uninterruptibly}); returns whether it did. */
    private static synchronized boolean deferIfShielded() {
        if (SHIELDED.get() > 0) {
            StopSignal.request();
            deferred = true;
            return true;
        }
        return false;
    }

    private static Thread watchdog; // the last watchdog started, guarded by the class
    private static int watchdogCell;
    private static boolean watchdogEscalates;

    /**
     * Starts a watchdog for the cell {@code cell} (the kernel's count; -1 unknown) unless one already watches it;
     * {@code escalation}: it may also stop a cooperative section (training that did not stop after the first press).
     */
    private static synchronized void startWatchdog(int cell, boolean escalation) {
        if (cell >= 0 && watchdog != null && watchdog.isAlive() && watchdogCell == cell
                && (watchdogEscalates || !escalation)) {
            return; // further presses in the same cell: the running watchdog already acts on it
        }
        watchdog = new Thread(() -> stopRunningCell(cell, escalation), "fashion-interrupt-watchdog");
        watchdogCell = cell;
        watchdogEscalates = escalation;
        watchdog.setDaemon(true);
        watchdog.start();
    }

    /**
     * Interrupts the thread running the code of cell {@code cell}, then stops it if it still runs the same snippet
     * {@link #STOP_AFTER_MILLIS} ms later. A cell is run snippet by snippet (JShell compiles each just before it runs,
     * which can take seconds on a loaded machine), so this keeps watching until the cell ends: a snippet that starts
     * later in the same cell, after a press made while the kernel was compiling it or after an interrupted snippet
     * that carried on, is interrupted (and stopped) too; training or a study that starts is asked to stop at its next
     * step instead (unless {@code escalation}). Returns at once when the kernel is idle or on a later cell.
     */
    private static void stopRunningCell(int cell, boolean escalation) {
        long start = System.nanoTime();
        long findUntil = start + 2 * STOP_AFTER_MILLIS * 1_000_000L;
        long giveUpAt = start + FIND_CELL_MILLIS * 1_000_000L;
        boolean triedLastCell = false;
        Map<Thread, String> interrupted = new HashMap<>();
        Map<Thread, Long> stopAt = new HashMap<>();
        while (true) {
            long now = System.nanoTime();
            if (deferIfShielded()) {
                return; // a result is being saved: the interrupt waits until it is written
            }
            Map<Thread, StackTraceElement[]> dump = Thread.getAllStackTraces();
            if (!kernelBusy(dump) || !sameCell(cell)) {
                return; // the cell ended (the kernel is idle, or on a later cell)
            }
            boolean stillRunning = false;
            for (Map.Entry<Thread, String> c : runningCells(dump).entrySet()) {
                Thread thread = c.getKey();
                String snippet = c.getValue();
                boolean fresh = !snippet.equals(interrupted.get(thread)); // a snippet of this cell not interrupted yet
                if (fresh && cell < 0 && !interrupted.isEmpty()) {
                    continue; // without the kernel's count, a new snippet could be the next cell's
                }
                synchronized (Interrupts.class) { // as beginTraining: training either began before this, or clears it
                    if (!sameCell(cell)) {
                        return; // the cell ended
                    }
                    if (deferIfShielded()) {
                        return; // a result is being saved (it began since the look above): the interrupt waits for it
                    }
                    if (activeTraining() == thread && !escalation) {
                        StopSignal.request(); // training (or a study) began in this cell: it stops at its next step
                        return;
                    }
                    if (!stillRuns(thread, snippet, cell)) {
                        continue; // it ended since the dump
                    }
                    if (fresh) {
                        thread.interrupt(); // ends sleeps, waits and blocking calls with InterruptedException
                        interrupted.put(thread, snippet);
                        stopAt.put(thread, now + STOP_AFTER_MILLIS * 1_000_000L);
                    } else if (now >= stopAt.get(thread)) {
                        stopAt.put(thread, Long.MAX_VALUE);
                        // said before the stop, or the kernel may end the cell before the line reaches its output
                        try {
                            System.err.println("Interrupted: the cell did not react to the interrupt within "
                                    + STOP_AFTER_MILLIS + " ms, so its thread is stopped (java.lang.ThreadDeath). "
                                    + "Variables of earlier cells are kept.");
                        } catch (RuntimeException e) {
                            // a failed line must not keep the thread running: the stop is what matters
                        }
                        stop(thread);
                    }
                }
                stillRunning = true;
            }
            if (!interrupted.isEmpty() && !stillRunning && cell < 0) {
                return; // the interrupted snippet ended; without the kernel's count, the cell is taken to have ended
            }
            if (interrupted.isEmpty() && now > findUntil && !triedLastCell && cell < 0) {
                triedLastCell = true; // without the kernel's count: the last known cell thread, if not training
                synchronized (Interrupts.class) {
                    Thread last = lastCell;
                    if (last != null && last.isAlive() && last != training && SHIELDED.get() == 0) {
                        last.interrupt();
                    }
                }
            }
            if (now > giveUpAt) {
                return; // busy for minutes without running a cell's code (a magic command, say)
            }
            try {
                Thread.sleep(now > findUntil ? 50 : 10); // each look is a stack dump of every thread
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Whether {@code thread} runs {@code snippet} of cell {@code cell} right now (checked just before acting on it). */
    private static boolean stillRuns(Thread thread, String snippet, int cell) {
        return snippet.equals(replFrame(thread.getStackTrace())) && sameCell(cell);
    }

    private static boolean sameCell(int cell) {
        return cell < 0 || executionCount() == cell;
    }

    /** The kernel's count of execute requests so far (it counts each at its start), or -1 outside the kernel. */
    private static int executionCount() {
        java.util.concurrent.atomic.AtomicInteger count = ExecutionCount.COUNT;
        return count == null ? -1 : count.get();
    }

    /** The kernel's counter ({@code RapaioKernel.executionCount}, private), looked up once; null outside the kernel. */
    private static final class ExecutionCount {
        static final java.util.concurrent.atomic.AtomicInteger COUNT = find();

        private static java.util.concurrent.atomic.AtomicInteger find() {
            try {
                java.lang.reflect.Field f = Class.forName(KERNEL_CLASS).getDeclaredField("executionCount");
                f.setAccessible(true);
                return (java.util.concurrent.atomic.AtomicInteger) f.get(null);
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                return null;
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

    /** Threads (other than this one) executing a JShell cell in {@code dump}, with the cell's snippet class. */
    static Map<Thread, String> runningCells(Map<Thread, StackTraceElement[]> dump) {
        Map<Thread, String> out = new HashMap<>();
        Thread self = Thread.currentThread();
        for (Map.Entry<Thread, StackTraceElement[]> e : dump.entrySet()) {
            String snippet = replFrame(e.getValue());
            if (e.getKey() != self && snippet != null) {
                out.put(e.getKey(), snippet);
            }
        }
        return out;
    }

    /** Whether the kernel is executing a request (compiling or running a cell), according to {@code dump}. */
    private static boolean kernelBusy(Map<Thread, StackTraceElement[]> dump) {
        for (StackTraceElement[] stack : dump.values()) {
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
        StopSignal.request();
    }

    static boolean requested() {
        return StopSignal.requested();
    }

    /** A cooperative section, ended by {@link #close()}. */
    public static final class Section implements AutoCloseable {
        private boolean open = true;

        private Section() {
        }

        @Override
        public void close() {
            if (open) {
                open = false;
                endTraining();
            }
        }
    }

    /**
     * Starts a cooperative section on this thread: until it is closed, the interrupt button only requests a stop
     * ({@link StopSignal#requested()}), which the work honours at its next step. Sections nest (a study's training
     * runs); the outermost one clears a stale request when it starts and when it ends.
     *
     * <pre>
     * try (var section = Interrupts.cooperate()) {
     *     for (...) { if (StopSignal.requested()) break; ... }
     * }
     * </pre>
     */
    public static Section cooperate() {
        install();
        beginTraining();
        return new Section();
    }

    /**
     * Runs {@code work} (writing a result or model file) shielded from the interrupt button: a press meanwhile is
     * deferred until the work is done, then honoured (by the enclosing cooperative section at its next step, or else by
     * interrupting the cell as usual). A pending interrupt flag of this thread is set aside during the work, since an
     * interrupted thread's file channels close mid-write.
     */
    public static <T> T uninterruptibly(Supplier<T> work) {
        boolean wasInterrupted = beginShielded();
        try {
            return work.get();
        } finally {
            if (endShielded() && training == null) {
                StopSignal.clear();
                wasInterrupted = true;
                startWatchdog(executionCount(), false); // a plain cell: interrupted now that the file is written
            }
            if (wasInterrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Begins a shielded section (under the lock the watchdog acts under); returns this thread's interrupt flag. */
    private static synchronized boolean beginShielded() {
        boolean wasInterrupted = Thread.interrupted();
        SHIELDED.incrementAndGet();
        return wasInterrupted;
    }

    /** Ends one shielded section; returns whether it was the last and a press was deferred meanwhile. */
    private static synchronized boolean endShielded() {
        if (SHIELDED.decrementAndGet() == 0 && deferred) {
            deferred = false;
            return true;
        }
        return false;
    }

    static synchronized void beginTraining() {
        Thread self = Thread.currentThread();
        activeTraining(); // clears a section an earlier cell left behind
        if (depth == 0 || training != self) {
            depth = 0;
            trainingCell = executionCount();
            StopSignal.clear();
            Thread.interrupted(); // a stale interrupt flag must not stop the new run
            training = self;
        }
        depth++;
        lastCell = self;
    }

    static synchronized void endTraining() {
        if (--depth <= 0) {
            depth = 0;
            training = null;
            StopSignal.clear();
        }
    }
}
