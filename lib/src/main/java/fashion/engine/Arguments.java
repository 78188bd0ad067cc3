package fashion.engine;

/**
 * Checks of the arguments that notebook cells pass to the library's public entry points: a missing argument is an
 * {@link IllegalArgumentException} that names the parameter, the method, and what to pass, never a bare
 * {@link NullPointerException} from deep inside the library.
 */
public final class Arguments {
    private Arguments() {
    }

    /**
     * Returns {@code value}; if it is null, throws {@link IllegalArgumentException}
     * "{@code method}: {@code parameter} is null. {@code fix}".
     */
    public static <T> T required(T value, String method, String parameter, String fix) {
        if (value == null) {
            throw new IllegalArgumentException(method + ": " + parameter + " is null. " + fix);
        }
        return value;
    }
}
