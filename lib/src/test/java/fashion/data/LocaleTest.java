package fashion.data;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import fashion.engine.ChildJvm;

/**
 * A data folder with non-ASCII letters under {@code LC_ALL=C} (issue 15, kind 4): the JVM, started in a C locale
 * (a child process of this test), cannot name it; the error says it is the locale and how to fix it, instead of the
 * JDK's "Malformed input or input contains unmappable characters".
 */
class LocaleTest {
    @TempDir
    Path dir;

    /** Run in the child JVM: loads the data named by FASHION_MNIST_DIR and prints what happened. */
    public static void main(String[] args) {
        try {
            System.out.println("loaded: " + FashionMnist.load().train().size());
        } catch (RuntimeException e) {
            System.out.println(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    String child(Path folder, String locale) throws Exception {
        return ChildJvm.run(LocaleTest.class, List.of("--add-modules", "jdk.incubator.vector"),
                Map.of("LC_ALL", locale, "FASHION_MNIST_DIR", folder.toString(), "FASHION_QUICK", "1"));
    }

    @Test
    void aNonAsciiDataFolderUnderTheCLocaleSaysItIsTheLocale() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("Données-été"));
        for (IdxFile f : IdxFile.values()) {
            Files.createSymbolicLink(folder.resolve(f.baseName() + ".gz"), FashionMnist.DEBIAN_FOLDER.resolve(f.baseName() + ".gz"));
        }
        String out = child(folder, "C");
        assertTrue(out.contains("cannot be named by this JVM") && out.contains("LC_ALL=C")
                && out.contains("export LC_ALL=C.UTF-8"), out);
        assertTrue(!out.contains("Malformed input"), out);
        // with a UTF-8 locale (what the project's scripts and kernel switch to) the same folder loads
        String ok = child(folder, "C.UTF-8");
        assertTrue(ok.contains("loaded: 2000"), ok);
    }
}
