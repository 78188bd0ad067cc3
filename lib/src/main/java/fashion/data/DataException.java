package fashion.data;

import java.nio.file.Path;

/**
 * A problem with the Fashion-MNIST files: the message names the file, says what is wrong and how to fix it.
 */
public class DataException extends RuntimeException {
    private final Path file;

    public DataException(Path file, String problem, String fix) {
        this(file, problem, fix, null);
    }

    public DataException(Path file, String problem, String fix, Throwable cause) {
        super((file == null ? "" : Project.display(file) + ": ") + problem + (fix == null || fix.isEmpty() ? "" : "\nHow to fix: " + fix), cause);
        this.file = file;
    }

    /** The file or folder the problem is about (may be null when no location could be named). */
    public Path file() {
        return file;
    }
}
