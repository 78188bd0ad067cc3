package fashion.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

/**
 * Broken copies of the real files (made in a temporary folder) give an error that names the file, says what is
 * wrong and how to fix it; an explicitly named broken location is never replaced by another copy; a failed
 * download leaves nothing behind.
 */
class DataErrorsTest {
    static final Path DEBIAN = FashionMnist.DEBIAN_FOLDER;

    @TempDir
    Path dir;

    @AfterEach
    void environmentQuickMode() {
        QuickMode.override(null);
    }

    static byte[] decompressed(IdxFile f) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(DEBIAN.resolve(f.baseName() + ".gz")))) {
            return in.readAllBytes();
        }
    }

    static void gzip(byte[] bytes, Path target) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(target))) {
            out.write(bytes);
        }
    }

    /** A folder holding copies of the four genuine files. */
    Path genuineCopy() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("copy"));
        for (IdxFile f : IdxFile.values()) {
            Files.copy(DEBIAN.resolve(f.baseName() + ".gz"), folder.resolve(f.baseName() + ".gz"));
        }
        return folder;
    }

    /** The decompressed genuine file with the 32-bit header field at {@code offset} replaced. */
    static byte[] withHeaderField(IdxFile f, int offset, int value) throws IOException {
        byte[] raw = decompressed(f);
        ByteBuffer.wrap(raw).putInt(offset, value);
        return raw;
    }

    static DataException assertDataError(Path file, Runnable action, String... phrases) {
        DataException e = assertThrows(DataException.class, action::run);
        assertEquals(file.toAbsolutePath().normalize(), e.file().toAbsolutePath().normalize(), e.getMessage());
        assertTrue(e.getMessage().startsWith(e.file().toString()), "the message names the file: " + e.getMessage());
        assertTrue(e.getMessage().contains("How to fix:"), "the message says how to fix it: " + e.getMessage());
        for (String phrase : phrases) {
            assertTrue(e.getMessage().contains(phrase), "'" + phrase + "' in: " + e.getMessage());
        }
        return e;
    }

    @Test
    void missingFolderIsNamed() {
        Path missing = dir.resolve("nowhere");
        assertDataError(missing, () -> FashionMnist.load(missing), "does not exist");
    }

    @Test
    void missingFileIsNamedAndNotTakenFromElsewhere() throws IOException {
        Path folder = genuineCopy();
        Files.delete(folder.resolve("t10k-labels-idx1-ubyte.gz"));
        // the Debian copy exists, but an explicitly named folder is never silently replaced by it
        assertDataError(folder.resolve("t10k-labels-idx1-ubyte.gz"), () -> FashionMnist.load(folder), "missing",
                "apt-get install dataset-fashion-mnist");
    }

    @Test
    void truncatedGzipIsReported() throws IOException {
        Path file = dir.resolve("t10k-images-idx3-ubyte.gz");
        byte[] whole = Files.readAllBytes(DEBIAN.resolve(file.getFileName()));
        Files.write(file, Arrays.copyOf(whole, whole.length / 2));
        assertDataError(file, () -> IdxFile.TEST_IMAGES.read(file), "truncated");
    }

    @Test
    void nonGzipFileNamedGzIsReported() throws IOException {
        Path file = dir.resolve("t10k-labels-idx1-ubyte.gz");
        Files.writeString(file, "<html>404 Not Found</html>");
        assertDataError(file, () -> IdxFile.TEST_LABELS.read(file), "not gzip-compressed");
    }

    @Test
    void corruptGzipDataIsReported() throws IOException {
        Path file = dir.resolve("t10k-labels-idx1-ubyte.gz");
        byte[] bytes = Files.readAllBytes(DEBIAN.resolve(file.getFileName()));
        for (int i = 20; i < bytes.length - 20; i += 7) {
            bytes[i] ^= 0x5a;
        }
        Files.write(file, bytes);
        assertDataError(file, () -> IdxFile.TEST_LABELS.read(file), "gzip data is corrupt");
    }

    @Test
    void wrongMagicNumberIsReported() throws IOException {
        Path file = dir.resolve("t10k-images-idx3-ubyte.gz");
        gzip(withHeaderField(IdxFile.TEST_IMAGES, 0, 0x00000801), file); // a labels file's magic
        assertDataError(file, () -> IdxFile.TEST_IMAGES.read(file), "wrong IDX magic number 0x00000801, expected 0x00000803");
    }

    @Test
    void wrongDimensionsAreReported() throws IOException {
        Path file = dir.resolve("t10k-images-idx3-ubyte.gz");
        gzip(withHeaderField(IdxFile.TEST_IMAGES, 8, 27), file); // rows
        assertDataError(file, () -> IdxFile.TEST_IMAGES.read(file), "wrong image dimensions 27x28, expected 28x28");
    }

    @Test
    void labelCountDifferentFromImageCountIsReported() throws IOException {
        Path folder = genuineCopy();
        Path file = folder.resolve("t10k-labels-idx1-ubyte.gz");
        byte[] raw = decompressed(IdxFile.TEST_LABELS);
        byte[] fewer = Arrays.copyOf(raw, raw.length - 1); // 9999 labels for 10000 images
        ByteBuffer.wrap(fewer).putInt(4, 9999);
        gzip(fewer, file);
        assertDataError(file, () -> FashionMnist.load(folder), "label count 9999 differs from the image count 10000");
    }

    @Test
    void truncatedPayloadIsReported() throws IOException {
        Path file = dir.resolve("t10k-labels-idx1-ubyte.gz");
        byte[] raw = decompressed(IdxFile.TEST_LABELS);
        gzip(Arrays.copyOf(raw, raw.length - 100), file);
        assertDataError(file, () -> IdxFile.TEST_LABELS.read(file), "truncated", "expected 10008");
    }

    @Test
    void checksumMismatchIsReported() throws IOException {
        Path file = dir.resolve("t10k-labels-idx1-ubyte.gz");
        byte[] raw = decompressed(IdxFile.TEST_LABELS);
        raw[raw.length - 1] = (byte) ((raw[raw.length - 1] + 1) % 10); // still a valid class, wrong data
        gzip(raw, file);
        assertDataError(file, () -> IdxFile.TEST_LABELS.read(file), "checksum mismatch", IdxFile.TEST_LABELS.sha256());
    }

    @Test
    void plainUncompressedGenuineFileIsAccepted() throws IOException {
        Path file = dir.resolve("t10k-labels-idx1-ubyte");
        Files.write(file, decompressed(IdxFile.TEST_LABELS));
        assertEquals(10000, IdxFile.TEST_LABELS.read(file).length);
    }

    @Test
    void brokenFolderNamedByTheVariableIsAnErrorNotReplaced() throws IOException {
        QuickMode.override(true);
        Path folder = genuineCopy();
        Path file = folder.resolve("train-labels-idx1-ubyte.gz");
        Files.writeString(file, "garbage");
        assertDataError(file, () -> FashionMnist.load(Map.of("FASHION_MNIST_DIR", folder.toString())), "not gzip-compressed");
        Path missing = dir.resolve("missing");
        assertDataError(missing, () -> FashionMnist.load(Map.of("FASHION_MNIST_DIR", missing.toString())),
                "named by FASHION_MNIST_DIR", "unset FASHION_MNIST_DIR");
    }

    @Test
    void genuineFolderNamedByTheVariableIsUsed() throws IOException {
        QuickMode.override(true);
        Path folder = genuineCopy();
        FashionMnist data = FashionMnist.load(Map.of("FASHION_MNIST_DIR", folder.toString()));
        assertEquals(folder.toAbsolutePath().normalize(), data.folder());
        assertEquals(2000, data.train().size());
    }

    @Test
    void failedDownloadsLeaveNoFileBehind() throws IOException {
        byte[] labels = Files.readAllBytes(DEBIAN.resolve("train-images-idx3-ubyte.gz"));
        byte[] truncated = Arrays.copyOf(labels, 5000);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/truncated/", exchange -> {
            exchange.sendResponseHeaders(200, truncated.length);
            exchange.getResponseBody().write(truncated);
            exchange.close();
        });
        server.createContext("/garbage/", exchange -> {
            byte[] body = "<html>this is not the file you are looking for</html>".getBytes();
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.createContext("/missing/", exchange -> {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            for (String kind : List.of("truncated", "garbage", "missing")) {
                Path folder = dir.resolve(kind);
                DataException e = assertDataError(folder.resolve("train-images-idx3-ubyte.gz"),
                        () -> FashionMnist.Downloader.fetchAll(folder, base + "/" + kind + "/"), "download", "nothing was kept");
                assertTrue(e.getMessage().contains(base + "/" + kind + "/train-images-idx3-ubyte.gz"), e.getMessage());
                try (Stream<Path> left = Files.list(folder)) {
                    List<Path> files = left.toList();
                    assertTrue(files.isEmpty(), kind + ": files left behind: " + files);
                }
            }
        } finally {
            server.stop(0);
        }
    }

    @Test
    void anInterruptedDownloadIsCompletedWithOnlyTheMissingFiles() throws IOException {
        Path folder = dir.resolve("partial");
        Files.createDirectories(folder);
        for (IdxFile f : List.of(IdxFile.TRAIN_IMAGES, IdxFile.TRAIN_LABELS, IdxFile.TEST_IMAGES)) {
            Files.copy(DEBIAN.resolve(f.baseName() + ".gz"), folder.resolve(f.baseName() + ".gz"));
        }
        List<String> requested = new java.util.concurrent.CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String name = exchange.getRequestURI().getPath().substring(1);
            requested.add(name);
            byte[] body = Files.readAllBytes(DEBIAN.resolve(name));
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            FashionMnist.Downloader.fetchAll(folder, "http://127.0.0.1:" + server.getAddress().getPort() + "/");
        } finally {
            server.stop(0);
        }
        assertEquals(List.of("t10k-labels-idx1-ubyte.gz"), requested);
        QuickMode.override(true);
        assertEquals(1000, FashionMnist.load(folder).test().size());
    }

    @Test
    void dataExceptionWithoutAFileStillReadsWell() {
        DataException e = new DataException(null, "Fashion-MNIST was not found.", "apt-get install dataset-fashion-mnist");
        assertFalse(e.getMessage().startsWith("null"));
        assertTrue(e.getMessage().endsWith("How to fix: apt-get install dataset-fashion-mnist"));
    }
}
