package fashion.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ProjectTest {
    static final Path HOME = Path.of("/home/student");
    static final Path INSTALL = Path.of("/usr/local/share/fashion-mnist/fashion-java");

    @Test
    void aCheckoutKeepsItsResultsInsideIt() {
        assertEquals(Path.of("/work/checkout/results"), Project.resultsFolder(Map.of(), HOME, Path.of("/work/checkout")));
    }

    @Test
    void aSharedInstallationWritesUnderEachUsersHome() {
        Path results = Project.resultsFolder(Map.of("FASHION_SHARED_INSTALL", "1"), HOME, INSTALL);
        assertEquals(Path.of("/home/student/fashion-mnist/results"), results);
        assertFalse(results.startsWith(INSTALL));
        assertEquals(Path.of("/home/other/fashion-mnist/results"),
                Project.resultsFolder(Map.of("FASHION_SHARED_INSTALL", "1"), Path.of("/home/other"), INSTALL));
    }

    @Test
    void theVariableNamesTheResultsFolderEverywhere() {
        assertEquals(Path.of("/srv/grading/alice"), Project.resultsFolder(
                Map.of("FASHION_RESULTS_DIR", "/srv/grading/alice/", "FASHION_SHARED_INSTALL", "1"), HOME, INSTALL));
        assertEquals(Path.of("/srv/grading/bob"), Project.resultsFolder(
                Map.of("FASHION_RESULTS_DIR", "/srv/grading/x/../bob"), HOME, Path.of("/work/checkout")));
    }

    @Test
    void sharedInstallFlag() {
        assertTrue(Project.sharedInstall(Map.of("FASHION_SHARED_INSTALL", "1")));
        assertFalse(Project.sharedInstall(Map.of("FASHION_SHARED_INSTALL", "0")));
        assertFalse(Project.sharedInstall(Map.of()));
    }

    @Test
    void outsideAnyProjectTheWorkingDirectory() {
        assertEquals(Path.of("").toAbsolutePath().resolve("results"), Project.resultsFolder(Map.of(), HOME, null));
    }
}
