package fashion.data;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the project lives: {@code FASHION_PROJECT_DIR} (set by the kernelspec), else the nearest folder
 * above the working directory that holds both {@code pom.xml} and {@code notebooks/}.
 */
public final class Project {
    private Project() {
    }

    /** The project's root folder, or null when run outside the project. */
    public static Path root() {
        String v = System.getenv("FASHION_PROJECT_DIR");
        if (v != null && !v.isBlank()) {
            return Path.of(v).toAbsolutePath().normalize();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("pom.xml")) && Files.isDirectory(p.resolve("notebooks"))) {
                return p;
            }
        }
        return null;
    }

    /** The project's {@code data/} folder, or null outside the project. */
    public static Path dataFolder() {
        Path root = root();
        return root == null ? null : root.resolve("data");
    }

    /** A folder under the project for generated files ({@code results/}, ...), or under the working directory. */
    public static Path folder(String name) {
        Path root = root();
        return (root == null ? Path.of("").toAbsolutePath() : root).resolve(name);
    }
}
