package fashion.kernel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Logger;

import org.rapaio.jupyter.kernel.MainApp;
import org.rapaio.jupyter.kernel.channels.Channels;
import org.rapaio.jupyter.kernel.core.ConnectionProperties;
import org.rapaio.jupyter.kernel.core.Transform;

/**
 * The kernelspec's main class: starts rapaio-jupyter-kernel 3.0.1 as its own {@code MainApp} would, without its
 * start-up races.
 *
 * <pre>java -cp rapaio-jupyter-kernel-3.0.1.jar:fashion-kernel-launcher.jar:byte-buddy.jar \
 *     fashion.kernel.KernelLauncher CONNECTION_FILE</pre>
 *
 * <p>What differs from {@code MainApp}: (1) {@code LoopThread} marks itself running before its thread starts
 * ({@link LoopThreadPatch}); (2) the channels are connected by {@link OrderedConnect}: the message handlers and
 * the kernel's channel registration are in place before any socket is bound; (3) the control channel's thread is named "Control-N", not
 * "Shell-N"; (4) {@code kernel_info_reply} carries {@code status: "ok"}, history requests are answered, and
 * inspection finds the word before the cursor ({@link OrderedConnect}); (5) java.util.logging keeps the
 * configuration given to the JVM ({@code -Djava.util.logging.config.file}) instead of the kernel's bundled one.
 * The kernel object is the kernel's own {@code MainApp.kernel}, which {@code display(...)} in cells reaches.
 *
 * <p>Exit status 2 with a message on standard error when the argument is missing or not a readable connection
 * file, the transport is not tcp (the kernel speaks tcp only), or a socket cannot be bound.
 */
public final class KernelLauncher {

    private static final Logger LOGGER = Logger.getLogger(KernelLauncher.class.getSimpleName());

    private KernelLauncher() {
    }

    public static void main(String[] args) throws Exception {
        // first: nothing may load the kernel's LoopThread before it is patched
        LoopThreadPatch.install();
        if (args.length != 1) {
            fail("usage: KernelLauncher CONNECTION_FILE (the kernelspec passes {connection_file})");
        }
        Path connectionFile = Path.of(args[0]);
        if (!Files.isRegularFile(connectionFile)) {
            fail("the connection file " + connectionFile + " does not exist or is not a file");
        }
        ConnectionProperties connection = Transform.fromJson(Files.readString(connectionFile), ConnectionProperties.class);
        if (!"tcp".equals(connection.transport())) {
            fail("the connection file asks for transport '" + connection.transport()
                    + "'; rapaio-jupyter-kernel speaks tcp only (start Jupyter with --transport=tcp, the default)");
        }
        var kernel = MainApp.kernel; // the kernel's JShell starts here, before any socket exists
        runStartupStatements(kernel);
        Channels channels = new Channels(connection);
        try {
            OrderedConnect.connect(channels, kernel, connection);
        } catch (Throwable e) {
            // A port Jupyter chose as free may have been taken meanwhile (seen once in 300 starts: "Address already
            // in use", 5 kernels starting at once on a loaded machine). End the process, so that Jupyter sees a dead
            // kernel (a notebook server then starts it again on new ports) instead of a live one that never answers.
            e.printStackTrace();
            fail("could not bind the kernel's sockets (" + e + "); the ports of " + connectionFile + " may be taken");
        }
        LOGGER.info("kernel ready: handlers registered, then channels bound (" + connectionFile + ")");
        channels.joinUntilClose();
    }

    /**
     * Evaluates the statements of {@code FASHION_KERNEL_STARTUP} (Java statements, for example
     * {@code fashion.training.Interrupts.install();}) in the kernel's JShell before any socket is bound, so that they
     * are in force before the first cell. The kernel's own start-up script ({@code RJK_INIT_SCRIPT}) is evaluated as
     * one snippet and holds only the import lines (JShell rejects a statement after imports in one snippet). A failing
     * statement is logged and the kernel starts anyway.
     */
    private static void runStartupStatements(org.rapaio.jupyter.kernel.core.RapaioKernel kernel) {
        String statements = System.getenv("FASHION_KERNEL_STARTUP");
        if (statements == null || statements.isBlank()) {
            return;
        }
        try {
            kernel.eval(statements);
            LOGGER.info("start-up statements evaluated: " + statements);
        } catch (Exception | LinkageError e) {
            LOGGER.warning("start-up statements failed (" + statements + "): " + e);
        }
    }

    private static void fail(String message) {
        System.err.println("[fashion kernel launcher] " + message);
        Runtime.getRuntime().halt(2); // at once: the JShell threads must not keep the process alive
    }
}
