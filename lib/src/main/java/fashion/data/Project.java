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

    /**
     * How to name {@code path} in printed messages and reports: relative to the project root when it lies inside the
     * project ({@code results/part1/x.json}), with {@code ~} for the user's home folder otherwise, so that exported
     * reports never carry a user's local folders. Null gives "(none)".
     */
    public static String display(Path path) {
        if (path == null) {
            return "(none)";
        }
        Path p = path.toAbsolutePath().normalize();
        Path root = root();
        if (root != null && p.startsWith(root)) {
            Path rel = root.relativize(p);
            return rel.toString().isEmpty() ? "." : rel.toString();
        }
        String home = System.getProperty("user.home");
        if (home != null && !home.isBlank() && !home.equals("/")) {
            Path h = Path.of(home).toAbsolutePath().normalize();
            if (p.startsWith(h)) {
                return "~/" + h.relativize(p);
            }
        }
        return p.toString();
    }

    /** A folder under the project for generated files ({@code results/}, ...), or under the working directory. */
    public static Path folder(String name) {
        Path root = root();
        return (root == null ? Path.of("").toAbsolutePath() : root).resolve(name);
    }
}
