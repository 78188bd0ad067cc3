package fashion.data;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * One of the four Fashion-MNIST IDX files: its expected header and SHA-256, and a strict reader
 * that accepts the gzip-compressed or the plain file.
 */
public enum IdxFile {
    TRAIN_IMAGES("train-images-idx3-ubyte", 0x00000803, 60000, 47040016L,
            "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
    TRAIN_LABELS("train-labels-idx1-ubyte", 0x00000801, 60000, 60008L,
            "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
    TEST_IMAGES("t10k-images-idx3-ubyte", 0x00000803, 10000, 7840016L,
            "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
    TEST_LABELS("t10k-labels-idx1-ubyte", 0x00000801, 10000, 10008L,
            "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34");

    public static final int ROWS = 28;
    public static final int COLUMNS = 28;

    private final String baseName;
    private final int magic;
    private final int count;
    private final long bytes;
    private final String sha256;

    IdxFile(String baseName, int magic, int count, long bytes, String sha256) {
        this.baseName = baseName;
        this.magic = magic;
        this.count = count;
        this.bytes = bytes;
        this.sha256 = sha256;
    }

    public String baseName() {
        return baseName;
    }

    public boolean isImages() {
        return magic == 0x00000803;
    }

    /** Number of items (images or labels) the genuine file holds. */
    public int count() {
        return count;
    }

    /** SHA-256 of the decompressed file. */
    public String sha256() {
        return sha256;
    }

    /** The file in {@code folder}: {@code NAME.gz} if present, else the plain {@code NAME}, else null. */
    public Path locate(Path folder) {
        Path gz = folder.resolve(baseName + ".gz");
        if (Files.isRegularFile(gz)) {
            return gz;
        }
        Path plain = folder.resolve(baseName);
        return Files.isRegularFile(plain) ? plain : null;
    }

    /**
     * Reads and checks the file: gzip integrity, IDX magic number, dimensions, size, and the SHA-256
     * of the decompressed bytes. Returns the payload after the header (pixels or labels, one byte each).
     */
    public byte[] read(Path file) {
        byte[] raw = decompressedBytes(file);
        return checkedPayload(file, raw);
    }

    private byte[] decompressedBytes(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new DataException(file, "the file is missing.",
                    "install Debian's package (apt-get install dataset-fashion-mnist) or set FASHION_MNIST_DIR to a folder holding "
                            + baseName + ".gz");
        }
        boolean gzip;
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(2);
            gzip = head.length == 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b;
            if (file.getFileName().toString().endsWith(".gz") && !gzip) {
                throw new DataException(file, "the file is named .gz but is not gzip-compressed data.",
                        "replace it with a genuine copy (apt-get install --reinstall dataset-fashion-mnist, or download "
                                + baseName + ".gz again)");
            }
        } catch (IOException e) {
            throw new DataException(file, "the file cannot be read (" + e.getMessage() + ").", "check its permissions", e);
        }
        try (InputStream in = gzip ? new GZIPInputStream(Files.newInputStream(file), 1 << 16) : Files.newInputStream(file)) {
            // the genuine size plus one byte: a longer file shows up as too long without reading it all
            byte[] buffer = new byte[(int) bytes + 1];
            int n = in.readNBytes(buffer, 0, buffer.length);
            if (n == buffer.length) {
                ByteArrayOutputStream rest = new ByteArrayOutputStream();
                rest.write(buffer, 0, n);
                in.transferTo(rest);
                return rest.toByteArray();
            }
            return java.util.Arrays.copyOf(buffer, n);
        } catch (EOFException e) {
            throw new DataException(file, "the compressed file is truncated (it ends before the gzip stream does).",
                    "delete it and fetch a complete copy (apt-get install --reinstall dataset-fashion-mnist, or download again)", e);
        } catch (ZipException e) {
            throw new DataException(file, "the gzip data is corrupt (" + e.getMessage() + ").",
                    "delete it and fetch a genuine copy (apt-get install --reinstall dataset-fashion-mnist, or download again)", e);
        } catch (IOException e) {
            throw new DataException(file, "the file cannot be read (" + e.getMessage() + ").", "check the file and its permissions", e);
        }
    }

    private byte[] checkedPayload(Path file, byte[] raw) {
        String fix = "replace it with a genuine copy of " + baseName
                + " (apt-get install --reinstall dataset-fashion-mnist, or delete it to download it again)";
        int headerBytes = isImages() ? 16 : 8;
        if (raw.length < headerBytes) {
            throw new DataException(file, "the file is truncated: " + raw.length + " bytes, shorter than the "
                    + headerBytes + "-byte IDX header.", fix);
        }
        ByteBuffer header = ByteBuffer.wrap(raw, 0, headerBytes);
        int actualMagic = header.getInt();
        if (actualMagic != magic) {
            throw new DataException(file, String.format("wrong IDX magic number 0x%08x, expected 0x%08x (%s).",
                    actualMagic, magic, isImages() ? "unsigned-byte images, 3 dimensions" : "unsigned-byte labels, 1 dimension"), fix);
        }
        int items = header.getInt();
        if (items != count) {
            throw new DataException(file, isImages()
                    ? "the header says " + items + " images; Fashion-MNIST's " + baseName + " has " + count + "."
                    : "label count " + items + " differs from the image count " + count
                    + " of the matching images file (every image needs exactly one label).", fix);
        }
        if (isImages()) {
            int rows = header.getInt();
            int columns = header.getInt();
            if (rows != ROWS || columns != COLUMNS) {
                throw new DataException(file, "wrong image dimensions " + rows + "x" + columns + ", expected 28x28.", fix);
            }
        }
        long expectedLength = headerBytes + (long) count * (isImages() ? ROWS * COLUMNS : 1);
        if (raw.length != expectedLength) {
            throw new DataException(file, (raw.length < expectedLength ? "the file is truncated: " : "the file is too long: ")
                    + raw.length + " bytes (decompressed), expected " + expectedLength + ".", fix);
        }
        String actual = sha256Hex(raw);
        if (!actual.equals(sha256)) {
            throw new DataException(file, "checksum mismatch: SHA-256 of the decompressed bytes is " + actual
                    + ", expected " + sha256 + ".", fix);
        }
        byte[] payload = new byte[raw.length - headerBytes];
        System.arraycopy(raw, headerBytes, payload, 0, payload.length);
        return payload;
    }

    static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
