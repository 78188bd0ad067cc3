package fashion.data;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
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
            return path(v, "the project folder (FASHION_PROJECT_DIR)").toAbsolutePath().normalize();
        }
        for (Path p = path(System.getProperty("user.dir"), "the working folder"); p != null; p = p.getParent()) {
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
     * {@code Path.of(text)}; when the JVM cannot represent the name's letters (a non-ASCII name under a C/POSIX locale),
     * an {@link IllegalArgumentException} that says it is the locale and how to fix it, instead of the JDK's
     * "Malformed input or input contains unmappable characters". {@code what} names the path ("the data folder").
     */
    public static Path path(String text, String what) {
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException(localeProblem(what + " '" + text + "'"), e);
        }
    }

    /** "X cannot be named by this JVM: ... How to fix: ...", for a path the file-name encoding cannot represent. */
    public static String localeProblem(String what) {
        String vars = "";
        for (String v : new String[] {"LC_ALL", "LC_CTYPE", "LANG"}) {
            String value = System.getenv(v);
            if (value != null && !value.isEmpty()) {
                vars += (vars.isEmpty() ? "" : ", ") + v + "=" + value;
            }
        }
        return what + " cannot be named by this JVM: its file-name encoding is " + System.getProperty("sun.jnu.encoding")
                + ", set by the locale (" + (vars.isEmpty() ? "none set, so C/POSIX" : vars) + "), and cannot represent "
                + "the name's non-ASCII letters. How to fix: use a UTF-8 locale, e.g. `export LC_ALL=C.UTF-8` before "
                + "starting Jupyter or java, then restart the kernel (the kernel installed by environment/setup switches to "
                + "C.UTF-8 by itself when the locale is not UTF-8; run environment/setup again if yours does not).";
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
