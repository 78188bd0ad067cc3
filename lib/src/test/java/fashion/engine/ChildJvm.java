package fashion.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a test class's {@code main} in a child JVM (this JVM's java, the test class path), for tests of what depends on
 * how the JVM was started: its options, its environment, its locale.
 */
public final class ChildJvm {
    /** How long a child may run before it is killed and the test fails. */
    static final long TIME_LIMIT_SECONDS = 120;

    private ChildJvm() {
    }

    /**
     * Runs {@code main} with the given JVM options and environment changes (a null value removes the variable) and
     * returns its standard output and error, interleaved. Fails the test (with the output's last lines) when the child
     * exits with a status other than 0, or kills it and fails when it runs longer than {@value #TIME_LIMIT_SECONDS} s.
     */
    public static String run(Class<?> main, List<String> jvmOptions, Map<String, String> environment) throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        File log = File.createTempFile("child-jvm", ".txt");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log);
            environment.forEach((name, value) -> {
                if (value == null) {
                    builder.environment().remove(name);
                } else {
                    builder.environment().put(name, value);
                }
            });
            Process p = builder.start();
            if (!p.waitFor(TIME_LIMIT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("the child JVM (" + main.getSimpleName() + ") did not finish in "
                        + TIME_LIMIT_SECONDS + " s");
            }
            String text = Files.readString(log.toPath(), StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), () -> "the child JVM failed; its last lines:\n" + tail(text, 40));
            return text;
        } finally {
            log.delete();
        }
    }

    /** The last {@code lines} lines of {@code text}, for failure messages. */
    public static String tail(String text, int lines) {
        String[] all = text.split("\n");
        return String.join("\n", Arrays.copyOfRange(all, Math.max(0, all.length - lines), all.length));
    }
}
