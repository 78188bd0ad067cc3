package fashion.kernel;

import java.lang.invoke.MethodHandles;

import net.bytebuddy.ByteBuddy;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.pool.TypePool;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesNoArguments;

/**
 * Defines rapaio-jupyter-kernel 3.0.1's {@code org.rapaio.jupyter.kernel.channels.LoopThread} with one change: its
 * {@code start()} sets the {@code running} flag <em>before</em> the thread starts.
 *
 * <p>The kernel's own {@code start()} calls {@code super.start()} and only then sets {@code running = true}; its
 * {@code run()} loops {@code while (running)}. When the new thread reaches that test first, it ends at once, and
 * the channel it served (shell, control or heartbeat) is dead for the rest of the session. The patched class
 * is otherwise the kernel's own bytes (Byte Buddy rewrites the one method through {@link Advice}).
 *
 * <p>It must run before anything loads {@code LoopThread}, i.e. first in {@code main}: the class is defined
 * in the kernel's package through a private {@link MethodHandles.Lookup} on another class of that package
 * ({@code MessageHandler}, an interface that loads nothing else). Both sit in the class path's unnamed module.
 */
final class LoopThreadPatch {

    static final String LOOP_THREAD = "org.rapaio.jupyter.kernel.channels.LoopThread";
    private static final String SAME_PACKAGE = "org.rapaio.jupyter.kernel.channels.MessageHandler";

    private LoopThreadPatch() {
    }

    /**
     * Defines the patched LoopThread in the system class loader.
     *
     * @throws IllegalStateException if LoopThread was already loaded, or the kernel on the class path has no
     *                               LoopThread with a {@code running} field and a {@code start()} method (another
     *                               kernel version: the launcher is written for 3.0.1)
     */
    static void install() throws ReflectiveOperationException {
        ClassLoader loader = ClassLoader.getSystemClassLoader();
        TypePool pool = TypePool.Default.of(ClassFileLocator.ForClassLoader.of(loader));
        var description = pool.describe(LOOP_THREAD);
        if (!description.isResolved()) {
            throw new IllegalStateException(LOOP_THREAD + " is not on the class path: put rapaio-jupyter-kernel "
                    + "3.0.1's jar on -cp beside the launcher");
        }
        var type = description.resolve();
        if (type.getDeclaredFields().filter(named("running")).isEmpty()
                || type.getDeclaredMethods().filter(named("start").and(takesNoArguments())).isEmpty()) {
            throw new IllegalStateException(LOOP_THREAD + " has no field 'running' or no start(): this launcher is "
                    + "written for rapaio-jupyter-kernel 3.0.1");
        }
        byte[] patched = new ByteBuddy()
                .redefine(type, ClassFileLocator.ForClassLoader.of(loader))
                .visit(Advice.to(MarkRunningFirst.class).on(named("start").and(takesNoArguments())))
                .make()
                .getBytes();
        var lookup = MethodHandles.privateLookupIn(Class.forName(SAME_PACKAGE, false, loader), MethodHandles.lookup());
        try {
            lookup.defineClass(patched);
        } catch (LinkageError e) {
            throw new IllegalStateException(LOOP_THREAD + " was loaded before the launcher could patch it", e);
        }
    }

    /** Advice inlined at the entry of LoopThread.start(): the flag is set before Thread.start() runs. */
    static final class MarkRunningFirst {
        @Advice.OnMethodEnter
        static void enter(@Advice.FieldValue(value = "running", readOnly = false) boolean running) {
            running = true;
        }
    }
}
