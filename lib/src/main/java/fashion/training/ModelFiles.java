package fashion.training;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;

import fashion.engine.Arguments;
import fashion.models.Model;

/**
 * Saving and loading a model's trained network (Deeplearning4j's zip format, with the updater state, so that
 * training can go on). Saving writes a temporary file beside the target and renames it into place, so a reader
 * (or another notebook saving at the same time) never sees a half-written file. Loading checks every entry's
 * CRC first: a truncated or corrupted file is an error naming it, never silently used.
 *
 * <pre>
 * ModelFiles.save(model, Path.of("models/part1.zip"));
 * ModelFiles.restore(model, Path.of("models/part1.zip"));   // same architecture: copies weights and updater state
 * </pre>
 */
public final class ModelFiles {
    private ModelFiles() {
    }

    /** A saved model that is missing, unreadable, corrupted or does not fit: the message names the file and the fix. */
    public static class ModelFileException extends RuntimeException {
        private final Path file;

        ModelFileException(Path file, String problem, String fix, Throwable cause) {
            super(fashion.data.Project.display(file) + ": " + problem + " How to fix: " + fix, cause);
            this.file = file;
        }

        public Path file() {
            return file;
        }
    }

    /** Writes the network (with its updater state) to {@code file} atomically; creates missing folders. */
    public static Path save(Model model, Path file) {
        Arguments.required(model, "ModelFiles.save", "the model", "Pass the model to save.");
        Arguments.required(file, "ModelFiles.save", "the file", "Pass Path.of(\"models/name.zip\").");
        Path target = file.toAbsolutePath().normalize();
        // an interrupt while writing would close the file channel mid-write: it waits until the file is in place
        return Interrupts.uninterruptibly(() -> write(model, target));
    }

    private static Path write(Model model, Path target) {
        Path tmp = null;
        try {
            Files.createDirectories(target.getParent());
            tmp = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", ".tmp");
            ModelSerializer.writeModel(model.network(), tmp.toFile(), true);
            verify(tmp); // never move a file into place that would not load
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
            return target;
        } catch (IOException e) {
            throw new ModelFileException(target, "the model could not be saved (" + e.getMessage() + ").",
                    "check that the folder is writable and the disk not full", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a leftover hidden .tmp file is never read as a model
                }
            }
        }
    }

    /** Reads a saved network (with its updater state), after checking the file is complete and intact. */
    public static MultiLayerNetwork load(Path file) {
        Arguments.required(file, "ModelFiles.load", "the file", "Pass Path.of(\"models/name.zip\").");
        Path source = file.toAbsolutePath().normalize();
        if (!Files.isRegularFile(source)) {
            throw new ModelFileException(source, "no saved model here.", "save one with ModelFiles.save(model, path), "
                    + "or check the path", null);
        }
        verify(source);
        try {
            return ModelSerializer.restoreMultiLayerNetwork(source.toFile(), true);
        } catch (Exception | LinkageError e) {
            throw new ModelFileException(source, "the file is not a saved Deeplearning4j network (" + e + ").",
                    "delete it and save the model again", e);
        }
    }

    /** Loads {@code file} into {@code model}, whose architecture must match: its weights and updater state are replaced. */
    public static Model restore(Model model, Path file) {
        Arguments.required(model, "ModelFiles.restore", "the model", "Build the model first, e.g. Models.seedDense().");
        MultiLayerNetwork saved = load(file);
        MultiLayerNetwork net = model.network();
        if (!sameArchitecture(saved, net)) {
            throw new ModelFileException(file.toAbsolutePath().normalize(), "the saved network (" + saved.numParams()
                    + " parameters, " + saved.getnLayers() + " layers) does not match the model '" + model.name() + "' ("
                    + net.numParams() + " parameters, " + net.getnLayers() + " layers).",
                    "build the model with the same settings it was saved with, or use ModelFiles.load(path)", null);
        }
        net.setParams(saved.params());
        INDArray state = saved.getUpdater() == null ? null : saved.getUpdater().getStateViewArray();
        if (state != null && net.getUpdater().getStateViewArray() != null) {
            net.getUpdater().getStateViewArray().assign(state);
        }
        net.setIterationCount(saved.getIterationCount());
        net.setEpochCount(saved.getEpochCount());
        return model;
    }

    /** Same layer types and the same parameter names and shapes. */
    private static boolean sameArchitecture(MultiLayerNetwork a, MultiLayerNetwork b) {
        if (a.getnLayers() != b.getnLayers() || a.numParams() != b.numParams()) {
            return false;
        }
        for (int i = 0; i < a.getnLayers(); i++) {
            if (!a.getLayer(i).conf().getLayer().getClass().equals(b.getLayer(i).conf().getLayer().getClass())) {
                return false;
            }
        }
        Map<String, INDArray> pa = a.paramTable();
        Map<String, INDArray> pb = b.paramTable();
        if (!pa.keySet().equals(pb.keySet())) {
            return false;
        }
        for (Map.Entry<String, INDArray> e : pa.entrySet()) {
            if (!Arrays.equals(e.getValue().shape(), pb.get(e.getKey()).shape())) {
                return false;
            }
        }
        return true;
    }

    /** Reads every zip entry to its end (which checks its CRC) and requires the network's configuration and weights. */
    static void verify(Path file) {
        Set<String> entries = new HashSet<>();
        byte[] buffer = new byte[1 << 16];
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(file))) {
            ZipEntry entry;
            while ((entry = zip.getNextEntry()) != null) {
                entries.add(entry.getName());
                InputStream in = zip;
                while (in.read(buffer) >= 0) {
                    // reading to the end verifies the entry's size and CRC
                }
            }
        } catch (IOException e) {
            throw new ModelFileException(file, "the saved model is corrupted or truncated (" + e.getMessage() + ").",
                    "delete it and save the model again (it was not used)", e);
        }
        if (!entries.contains("configuration.json") || !entries.contains("coefficients.bin")) {
            throw new ModelFileException(file, "the file is incomplete or not a saved model (entries found: "
                    + (entries.isEmpty() ? "none" : String.join(", ", entries)) + ").",
                    "delete it and save the model again (it was not used)", null);
        }
    }
}
