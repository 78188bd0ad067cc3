package fashion.data;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import fashion.engine.Engine;

/**
 * Fashion-MNIST split as the seed report split it: the first 5000 training images are the validation
 * set, the next 55000 the training set, and the 10000 test images the test set; pixels scaled to [0, 1].
 *
 * <p>{@link #load()} looks for the files in this order: the folder in {@code FASHION_MNIST_DIR}; the
 * project's {@code data/} folder; Debian's {@code /usr/share/datasets/fashion-mnist}; else it downloads
 * them from the dataset's canonical address into {@code data/}. {@link #load(Path)} reads one named folder.
 * A location named explicitly (argument or variable) that is broken is an error, never silently replaced.
 *
 * <p>Quick mode ({@code FASHION_QUICK=1}) returns a fixed, class-balanced subset of 2000 training, 500
 * validation and 1000 test images so that every notebook runs in seconds.
 */
public final class FashionMnist {
    public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    public static final int VALIDATION_SIZE = 5000;
    public static final Path DEBIAN_FOLDER = Path.of("/usr/share/datasets/fashion-mnist");
    public static final String DOWNLOAD_BASE = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/";
    static final int QUICK_TRAIN_PER_CLASS = 200;
    static final int QUICK_VALIDATION_PER_CLASS = 50;
    static final int QUICK_TEST_PER_CLASS = 100;

    private static final Map<String, FashionMnist> CACHE = new ConcurrentHashMap<>();

    private final Path folder;
    private final boolean quick;
    private final Split train;
    private final Split validation;
    private final Split test;

    private FashionMnist(Path folder, boolean quick, Split train, Split validation, Split test) {
        this.folder = folder;
        this.quick = quick;
        this.train = train;
        this.validation = validation;
        this.test = test;
    }

    /** Finds the data (see the class comment) and loads it; honours quick mode. */
    public static FashionMnist load() {
        return load(System.getenv());
    }

    /** {@link #load()} with the given environment variables (a seam for tests: the JVM's cannot be changed). */
    static FashionMnist load(Map<String, String> env) {
        String variable = env.get("FASHION_MNIST_DIR");
        if (variable != null && !variable.isBlank()) {
            Path folder;
            try {
                folder = Project.path(variable, "the data folder named by FASHION_MNIST_DIR");
            } catch (IllegalArgumentException e) {
                String[] parts = e.getMessage().split(" How to fix: ", 2);
                throw new DataException(null, parts[0], parts.length > 1 ? parts[1] : "", e);
            }
            return load(folder, "FASHION_MNIST_DIR");
        }
        Path projectData = Project.dataFolder();
        List<Path> candidates = new ArrayList<>();
        if (projectData != null) {
            candidates.add(projectData);
        }
        candidates.add(DEBIAN_FOLDER);
        for (Path candidate : candidates) {
            if (holdsAny(candidate)) {
                if (candidate.equals(projectData) && !holdsAll(candidate)) {
                    // data/ is the download target: finish an earlier download that stopped part-way
                    Downloader.fetchAll(projectData);
                }
                return load(candidate, "found");
            }
        }
        if (projectData == null) {
            throw new DataException(null, "Fashion-MNIST was not found (no FASHION_MNIST_DIR, no project data/ folder, nothing in "
                    + DEBIAN_FOLDER + ").", "apt-get install dataset-fashion-mnist, or set FASHION_MNIST_DIR to a folder with the four IDX files");
        }
        Downloader.fetchAll(projectData);
        return load(projectData, "downloaded");
    }

    /** Loads the four files from {@code folder} (named explicitly: no other copy is tried). Honours quick mode. */
    public static FashionMnist load(Path folder) {
        fashion.engine.Arguments.required(folder, "FashionMnist.load", "the folder", "Pass Path.of(\"...\") naming the folder "
                + "with the four IDX files, or call FashionMnist.load() to find them.");
        return load(folder, "argument");
    }

    private static FashionMnist load(Path folder, String how) {
        Path absolute = folder.toAbsolutePath().normalize();
        boolean quick = QuickMode.enabled();
        String key = absolute + "|" + quick;
        FashionMnist cached = CACHE.get(key);
        if (cached != null) {
            return cached;
        }
        if (Files.exists(absolute) && !Files.isDirectory(absolute)) {
            String origin = how.equals("FASHION_MNIST_DIR") ? " (named by FASHION_MNIST_DIR)" : "";
            throw new DataException(absolute, "this is a file, not a folder" + origin + ".",
                    "name the folder that holds it and the three other files"
                            + (absolute.getParent() == null ? "" : " (perhaps " + absolute.getParent() + ")"));
        }
        if (!Files.isDirectory(absolute)) {
            String origin = how.equals("FASHION_MNIST_DIR") ? " (named by FASHION_MNIST_DIR)" : "";
            throw new DataException(absolute, "the folder" + origin + " does not exist.",
                    "point it to the folder holding train-images-idx3-ubyte.gz and the three other files"
                            + (how.equals("FASHION_MNIST_DIR") ? ", or unset FASHION_MNIST_DIR to use the default locations" : ""));
        }
        Engine.init();
        FashionMnist data = read(absolute, quick);
        CACHE.put(key, data);
        // while the student looks at the data, one core compiles the training kernels (see KernelWarmUp)
        fashion.models.KernelWarmUp.start();
        return data;
    }

    private static FashionMnist read(Path folder, boolean quick) {
        Map<IdxFile, byte[]> payloads = new EnumMap<>(IdxFile.class);
        List<IdxFile> files = List.of(IdxFile.values());
        files.parallelStream().forEach(f -> {
            Path path = f.locate(folder);
            if (path == null) {
                throw new DataException(folder.resolve(f.baseName() + ".gz"), "the file is missing (neither "
                        + f.baseName() + ".gz nor " + f.baseName() + " is in the folder).",
                        "apt-get install dataset-fashion-mnist (files in " + DEBIAN_FOLDER
                                + "), or put the four Fashion-MNIST files in this folder, or set FASHION_MNIST_DIR");
            }
            byte[] payload = f.read(path);
            synchronized (payloads) {
                payloads.put(f, payload);
            }
        });
        byte[] trainPixels = payloads.get(IdxFile.TRAIN_IMAGES);
        int[] trainLabels = labels(payloads.get(IdxFile.TRAIN_LABELS));
        INDArray testImages = pixels(payloads.get(IdxFile.TEST_IMAGES), 0, IdxFile.TEST_IMAGES.count());
        int[] testLabels = labels(payloads.get(IdxFile.TEST_LABELS));

        int n = trainLabels.length;
        Split validation = new Split("validation", pixels(trainPixels, 0, VALIDATION_SIZE),
                java.util.Arrays.copyOfRange(trainLabels, 0, VALIDATION_SIZE));
        Split train = new Split("training", pixels(trainPixels, VALIDATION_SIZE, n),
                java.util.Arrays.copyOfRange(trainLabels, VALIDATION_SIZE, n));
        Split test = new Split("test", testImages, testLabels);
        if (quick) {
            train = train.balancedHead(QUICK_TRAIN_PER_CLASS);
            validation = validation.balancedHead(QUICK_VALIDATION_PER_CLASS);
            test = test.balancedHead(QUICK_TEST_PER_CLASS);
        }
        return new FashionMnist(folder, quick, train, validation, test);
    }

    /** Images {@code from} (inclusive) to {@code to} (exclusive) of an IDX payload as a [n, 784] matrix scaled to [0, 1]. */
    private static INDArray pixels(byte[] payload, int from, int to) {
        int pixelsPerImage = IdxFile.ROWS * IdxFile.COLUMNS;
        int offset = from * pixelsPerImage;
        float[] values = new float[(to - from) * pixelsPerImage];
        java.util.stream.IntStream.range(0, to - from).parallel().forEach(image -> {
            int base = image * pixelsPerImage;
            for (int p = 0; p < pixelsPerImage; p++) {
                values[base + p] = (payload[offset + base + p] & 0xff) / 255f;
            }
        });
        return Nd4j.create(values, new long[] {to - from, pixelsPerImage}, DataType.FLOAT);
    }

    private static int[] labels(byte[] payload) {
        int[] out = new int[payload.length];
        for (int i = 0; i < payload.length; i++) {
            out[i] = payload[i] & 0xff;
            if (out[i] >= CLASS_NAMES.size()) {
                throw new IllegalStateException("label " + out[i] + " at position " + i + " is not a Fashion-MNIST class");
            }
        }
        return out;
    }

    private static boolean holdsAll(Path folder) {
        for (IdxFile f : IdxFile.values()) {
            if (f.locate(folder) == null) {
                return false;
            }
        }
        return true;
    }

    private static boolean holdsAny(Path folder) {
        if (!Files.isDirectory(folder)) {
            return false;
        }
        for (IdxFile f : IdxFile.values()) {
            if (f.locate(folder) != null) {
                return true;
            }
        }
        return false;
    }

    /** 55000 training images (2000 in quick mode). */
    public Split train() {
        return train;
    }

    /** The first 5000 training images (500 in quick mode). */
    public Split validation() {
        return validation;
    }

    /** The 10000 test images (1000 in quick mode). */
    public Split test() {
        return test;
    }

    /** The folder the files were read from. */
    public Path folder() {
        return folder;
    }

    /** Whether this is quick mode's small subset. */
    public boolean quick() {
        return quick;
    }

    public static String className(int label) {
        return CLASS_NAMES.get(label);
    }

    @Override
    public String toString() {
        return "Fashion-MNIST from " + Project.display(folder) + (quick ? " (QUICK MODE: class-balanced subset)" : "") + "\n  "
                + train + "\n  " + validation + "\n  " + test;
    }

    /** Fetches the four files into a folder: verified, then moved into place atomically. */
    static final class Downloader {
        private Downloader() {
        }

        static void fetchAll(Path folder) {
            fetchAll(folder, DOWNLOAD_BASE);
        }

        /** Fetches from {@code base} (ending in {@code /}); package-private for tests against a local server. */
        static void fetchAll(Path folder, String base) {
            try {
                Files.createDirectories(folder);
            } catch (IOException e) {
                throw new DataException(folder, "cannot create the data folder (" + e.getMessage() + ").",
                        "create it, or apt-get install dataset-fashion-mnist", e);
            }
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20))
                    .followRedirects(HttpClient.Redirect.NORMAL).build();
            for (IdxFile f : IdxFile.values()) {
                if (f.locate(folder) == null) { // files already in place were verified when they were fetched
                    fetch(client, f, folder, base);
                }
            }
        }

        static void fetch(HttpClient client, IdxFile f, Path folder, String base) {
            Path target = folder.resolve(f.baseName() + ".gz");
            URI uri = URI.create(base + f.baseName() + ".gz");
            Path part = null;
            boolean moved = false;
            try {
                // a name of its own, so that two notebooks downloading at once never write the same file
                part = Files.createTempFile(folder, f.baseName() + ".gz.", ".part");
                HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5)).build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                if (response.statusCode() != 200) {
                    throw new IOException("HTTP status " + response.statusCode());
                }
                try (InputStream in = response.body()) {
                    Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
                }
                f.read(part); // verifies gzip, header, size and SHA-256 before anything is moved into place
                try {
                    Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
                }
                moved = true;
            } catch (IOException | DataException e) {
                throw new DataException(target, "the download from " + uri + " failed (" + e.getMessage() + "); nothing was kept.",
                        "apt-get install dataset-fashion-mnist, or download the four files by hand into " + folder
                                + ", or set FASHION_MNIST_DIR", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DataException(target, "the download was interrupted; nothing was kept.", "run it again", e);
            } finally {
                if (!moved && part != null) {
                    deleteQuietly(part);
                }
            }
        }

        private static void deleteQuietly(Path p) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // nothing more can be done; the .part name never passes for a data file
            }
        }
    }
}
