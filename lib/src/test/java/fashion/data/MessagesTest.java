package fashion.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Messages say what the thing is (a file is not "a folder that does not exist"), and printed paths are the project's. */
class MessagesTest {
    @TempDir
    Path dir;

    @Test
    void aFileNamedAsTheDataFolderIsCalledAFile() throws Exception {
        Path file = Files.writeString(dir.resolve("train-images-idx3-ubyte.gz"), "not a folder");
        DataException e = assertThrows(DataException.class, () -> FashionMnist.load(Map.of("FASHION_MNIST_DIR", file.toString())));
        assertTrue(e.getMessage().contains("is a file, not a folder"), e.getMessage());
        assertTrue(e.getMessage().contains("FASHION_MNIST_DIR"), e.getMessage());
        assertFalse(e.getMessage().contains("does not exist"), e.getMessage());
        assertTrue(e.getMessage().contains(dir.toString()), "suggests the folder holding it: " + e.getMessage());
    }

    @Test
    void aMissingFolderIsStillCalledMissing() {
        Path missing = dir.resolve("nothing-here");
        DataException e = assertThrows(DataException.class, () -> FashionMnist.load(Map.of("FASHION_MNIST_DIR", missing.toString())));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void aNullFolderIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FashionMnist.load((Path) null));
        assertTrue(e.getMessage().startsWith("FashionMnist.load: the folder is null"), e.getMessage());
    }

    @Test
    void pathsInsideTheProjectAreShownRelativeToIt() {
        Path root = Project.root();
        assertTrue(root != null, "the tests run inside the project");
        assertEquals("results/part1/x.json", Project.display(root.resolve("results/part1/x.json")));
        String home = System.getProperty("user.home");
        assertEquals("~/some/file", Project.display(Path.of(home, "some", "file")));
        assertEquals("(none)", Project.display(null));
    }
}
