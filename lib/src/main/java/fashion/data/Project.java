package fashion.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the project lives, and where a run writes what it generates.
 *
 * <p>The project's root: {@code FASHION_PROJECT_DIR} (set by the kernelspec), else the nearest folder above the
 * working directory that holds both {@code pom.xml} and {@code notebooks/}.
 *
 * <p>Saved results ({@link #resultsFolder()}): {@code FASHION_RESULTS_DIR} when set; else, for an installation
 * shared by several users ({@code environment/setup --system}, whose kernelspec sets {@code FASHION_SHARED_INSTALL=1}),
 * {@code ~/fashion-mnist/results} in the home of the user whose kernel runs, so that no user writes into the
 * shared installation nor reads another user's runs; else the checkout's own {@code results/}.
 */
public final class Project {
    /** The per-user folder of a shared installation, under the user's home. */
    public static final String USER_FOLDER = "fashion-mnist";

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

    /** A folder for generated files: under the user's folder for a shared installation (see the class comment),
     *  else under the project, else under the working directory. */
    public static Path folder(String name) {
        return folder(name, System.getenv(), Path.of(System.getProperty("user.home")), root());
    }

    /** Where saved runs go and are read from (see the class comment): an absolute, normalized path. */
    public static Path resultsFolder() {
        return resultsFolder(System.getenv(), Path.of(System.getProperty("user.home")), root());
    }

    /** {@link #resultsFolder()} for the given environment, home folder and project root (a seam for tests). */
    static Path resultsFolder(Map<String, String> env, Path home, Path root) {
        String v = env.get("FASHION_RESULTS_DIR");
        if (v != null && !v.isBlank()) {
            return Path.of(v).toAbsolutePath().normalize();
        }
        return folder("results", env, home, root);
    }

    static Path folder(String name, Map<String, String> env, Path home, Path root) {
        Path base;
        if (sharedInstall(env)) {
            base = home.resolve(USER_FOLDER);
        } else if (root != null) {
            base = root;
        } else {
            base = Path.of("");
        }
        return base.resolve(name).toAbsolutePath().normalize();
    }

    /** True when the kernel runs from an installation shared by several users ({@code FASHION_SHARED_INSTALL=1}). */
    public static boolean sharedInstall() {
        return sharedInstall(System.getenv());
    }

    static boolean sharedInstall(Map<String, String> env) {
        String v = env.get("FASHION_SHARED_INSTALL");
        return v != null && !v.isBlank() && !v.equals("0");
    }
}
