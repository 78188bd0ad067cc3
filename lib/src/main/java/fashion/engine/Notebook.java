package fashion.engine;

import org.rapaio.jupyter.kernel.global.Global;

/**
 * The bridge to the Jupyter kernel (rapaio-jupyter-kernel) when the library runs inside one: rich output and
 * live updates of an output in place. Outside a kernel (tests, benchmark, plain Java) {@link #active()} is false
 * and callers print to the console instead.
 */
public final class Notebook {
    private static final boolean ACTIVE = detect();

    private Notebook() {
    }

    /** Whether this JVM is a Jupyter kernel that can show rich output. */
    public static boolean active() {
        return ACTIVE;
    }

    private static boolean detect() {
        if ("0".equals(System.getenv("FASHION_KERNEL"))) {
            return false;
        }
        String command = System.getProperty("sun.java.command", "");
        boolean kernelProcess = "1".equals(System.getenv("FASHION_KERNEL")) || command.contains("rapaio-jupyter-kernel")
                || command.contains("org.rapaio.jupyter.kernel.MainApp");
        if (!kernelProcess) {
            return false;
        }
        try {
            Class.forName("org.rapaio.jupyter.kernel.global.Global", false, Notebook.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * Shows {@code content} of the given MIME type in the running cell; returns the display id for {@link #update}.
     * An interrupt pending on this thread is set aside for the send and kept (see {@link #update}).
     */
    public static String show(String mime, String content) {
        return withInterruptSetAside(() -> Global.display(mime, content));
    }

    /**
     * Replaces the output shown under {@code id}. The kernel sends output from the calling thread through a JeroMQ
     * socket, whose write fails on a thread with its interrupt flag set (the cell then ends with "Errno 4" instead of
     * showing it); the flag is therefore cleared for the send and set again afterwards, so the interrupt still reaches
     * the cell's next sleep, wait or check.
     */
    public static void update(String id, String mime, String content) {
        withInterruptSetAside(() -> {
            Global.updateDisplay(id, mime, content);
            return null;
        });
    }

    /** Runs {@code send} with this thread's interrupt flag cleared, and sets the flag again afterwards if it was set. */
    private static <T> T withInterruptSetAside(java.util.function.Supplier<T> send) {
        boolean interrupted = Thread.interrupted();
        try {
            return send.get();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
