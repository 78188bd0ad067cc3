package fashion.studies;

import java.nio.file.Path;

/** A study or saved result that cannot be used: the message names the file or setting and what to do. */
public class StudyException extends RuntimeException {
    private final Path file;

    public StudyException(String message) {
        this(null, message, null);
    }

    public StudyException(Path file, String message, Throwable cause) {
        super(file == null ? message : fashion.data.Project.display(file) + ": " + message, cause);
        this.file = file;
    }

    /** The saved file concerned, or null. */
    public Path file() {
        return file;
    }
}
