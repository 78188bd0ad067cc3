package fashion.data;

/**
 * Quick mode, switched on by {@code FASHION_QUICK=1} in the environment (set by {@code environment/run --quick}; also
 * {@code true}, {@code on}, {@code yes}; another value than those or {@code 0}, {@code false}, {@code off}, {@code no}
 * is an error naming it):
 * a small class-balanced subset of the data and at most {@link #MAX_EPOCHS} epochs of training, so that every
 * notebook runs in seconds with no quick-mode code in any notebook.
 */
public final class QuickMode {
    public static final int MAX_EPOCHS = 2;
    private static volatile Boolean override;

    private QuickMode() {
    }

    public static boolean enabled() {
        Boolean o = override;
        if (o != null) {
            return o;
        }
        return fashion.engine.Engine.Switch.QUICK.on();
    }

    /** For tests and tools: forces quick mode on or off in this JVM; {@code null} returns to the environment. */
    public static void override(Boolean enabled) {
        override = enabled;
    }

    /** The epochs to run when {@code requested} were asked for. */
    public static int epochs(int requested) {
        return enabled() ? Math.min(requested, MAX_EPOCHS) : requested;
    }
}
