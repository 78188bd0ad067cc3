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
        if (Files.isDirectory(source)) {
            throw new ModelFileException(source, "this is a folder, not a saved model file.", "name the .zip file inside it "
                    + "that ModelFiles.save wrote", null);
        }
        if (!Files.isRegularFile(source)) {
            throw new ModelFileException(source, "no saved model here.", "save one with ModelFiles.save(model, path), "
                    + "or check the path", null);
        }
        verify(source);
        try {
            return ModelSerializer.restoreMultiLayerNetwork(source.toFile(), true);
        } catch (Exception | LinkageError e) {
            // verify() found a network's configuration and weights: what fails is reading them with this version
            String version = org.deeplearning4j.nn.conf.NeuralNetConfiguration.class.getPackage().getImplementationVersion();
            throw new ModelFileException(source, "the file holds a Deeplearning4j network's entries, but this Deeplearning4j ("
                    + (version == null ? "1.0.0-M2.1" : version) + ") cannot read them (" + e + "): it was probably written "
                    + "by another version of Deeplearning4j, with layer classes this one does not have, or as a "
                    + "ComputationGraph rather than a MultiLayerNetwork.",
                    "save the network again with Deeplearning4j 1.0.0-M2.1 as a MultiLayerNetwork (ModelSerializer.writeModel), "
                    + "or rebuild it and load its weights yourself", e);
        }
    }

    /**
     * Loads {@code file} into {@code model}: its weights, and its updater state (Adam's moments) when the updaters
     * match. The file may come from this project or from plain Deeplearning4j: layers are compared by what they
     * compute (DL4J's stock class, of which the project's fast layers are drop-in subclasses; sizes; activation; loss;
     * kernel, stride, padding and pooling), not by class name. Prints what differed and what was loaded. When the
     * networks compute different things, throws {@link ModelFileException} listing each difference (layer types,
     * shapes, activations, ...), and nothing of the model is changed.
     */
    public static Model restore(Model model, Path file) {
        Arguments.required(model, "ModelFiles.restore", "the model", "Build the model first, e.g. Models.seedDense().");
        MultiLayerNetwork saved = load(file);
        MultiLayerNetwork net = model.network();
        Path source = file.toAbsolutePath().normalize();
        java.util.List<String> differences = new java.util.ArrayList<>();
        java.util.List<String> notes = new java.util.ArrayList<>();
        if (saved.getnLayers() != net.getnLayers()) {
            differences.add("the file has " + saved.getnLayers() + " layers (" + layerList(saved) + "), the model "
                    + net.getnLayers() + " (" + layerList(net) + ")");
        } else {
            for (int i = 0; i < net.getnLayers(); i++) {
                String a = describe(saved.getLayer(i).conf().getLayer());
                String b = describe(net.getLayer(i).conf().getLayer());
                if (!a.equals(b)) {
                    differences.add("layer " + i + ": the file's is " + a + ", the model's " + b);
                }
                String ca = saved.getLayer(i).conf().getLayer().getClass().getSimpleName();
                String cb = net.getLayer(i).conf().getLayer().getClass().getSimpleName();
                if (a.equals(b) && !ca.equals(cb)) {
                    notes.add("layer " + i + ": " + ca + " in the file, " + cb + " in the model (same computation)");
                }
            }
            Map<String, INDArray> pa = saved.paramTable();
            Map<String, INDArray> pb = net.paramTable();
            if (differences.isEmpty() && !pa.keySet().equals(pb.keySet())) {
                differences.add("parameters " + new java.util.TreeSet<>(pa.keySet()) + " in the file, "
                        + new java.util.TreeSet<>(pb.keySet()) + " in the model");
            }
            for (Map.Entry<String, INDArray> e : pb.entrySet()) {
                INDArray other = pa.get(e.getKey());
                if (differences.isEmpty() && other != null && !Arrays.equals(other.shape(), e.getValue().shape())) {
                    differences.add("parameter " + e.getKey() + " has shape " + Arrays.toString(other.shape()) + " in the file, "
                            + Arrays.toString(e.getValue().shape()) + " in the model");
                }
            }
        }
        if (!differences.isEmpty()) {
            throw new ModelFileException(source, "the saved network (" + saved.numParams() + " parameters, " + saved.getnLayers()
                    + " layers) does not match the model '" + model.name() + "' (" + net.numParams()
                    + " parameters, " + net.getnLayers() + " layers): " + String.join("; ", differences) + ".",
                    "build the model with the settings the file was saved with (see the differences above), or use "
                    + "ModelFiles.load(path) to get the saved network as it is", null);
        }
        for (Map.Entry<String, INDArray> e : saved.paramTable().entrySet()) {
            net.getParam(e.getKey()).assign(e.getValue());
        }
        String updaterA = updaters(saved);
        String updaterB = updaters(net);
        INDArray state = saved.getUpdater() == null ? null : saved.getUpdater().getStateViewArray();
        INDArray target = net.getUpdater() == null ? null : net.getUpdater().getStateViewArray();
        if (updaterA.equals(updaterB) && state != null && target != null && state.length() == target.length()) {
            target.assign(state);
            net.setIterationCount(saved.getIterationCount());
            net.setEpochCount(saved.getEpochCount());
        } else {
            notes.add("updater: " + updaterA + " in the file, " + updaterB + " in the model, so the updater state (e.g. Adam's "
                    + "moments) was not loaded: further training starts the updater afresh, with the model's settings");
        }
        String l2a = regularization(saved);
        String l2b = regularization(net);
        if (!l2a.equals(l2b)) {
            notes.add("regularization: " + l2a + " in the file, " + l2b + " in the model (it affects further training and "
                    + "the loss, not the predictions)");
        }
        if (!notes.isEmpty()) {
            System.out.println("restored the weights of " + fashion.data.Project.display(source) + " into '" + model.name()
                    + "'; differences:\n  " + String.join("\n  ", notes));
        }
        return model;
    }

    /** What a layer computes, in DL4J's stock terms: "DenseLayer(784 -> 700, relu)". */
    static String describe(org.deeplearning4j.nn.conf.layers.Layer layer) {
        Class<?> c = layer.getClass();
        while (!c.getName().startsWith("org.deeplearning4j.") && c.getSuperclass() != null) {
            c = c.getSuperclass(); // the project's fast layers extend the stock layer they replace
        }
        StringBuilder sb = new StringBuilder(c.getSimpleName()).append('(');
        java.util.List<String> parts = new java.util.ArrayList<>();
        if (layer instanceof org.deeplearning4j.nn.conf.layers.FeedForwardLayer f) {
            parts.add(f.getNIn() + " -> " + f.getNOut());
        }
        if (layer instanceof org.deeplearning4j.nn.conf.layers.BaseLayer b && b.getActivationFn() != null) {
            parts.add(b.getActivationFn().toString().toLowerCase(java.util.Locale.ROOT));
        }
        if (layer instanceof org.deeplearning4j.nn.conf.layers.BaseOutputLayer o && o.getLossFn() != null) {
            parts.add("loss " + o.getLossFn().name());
        }
        if (layer instanceof org.deeplearning4j.nn.conf.layers.ConvolutionLayer v) {
            parts.add("kernel " + Arrays.toString(v.getKernelSize()) + ", stride " + Arrays.toString(v.getStride())
                    + ", padding " + Arrays.toString(v.getPadding()) + ", " + v.getConvolutionMode());
        }
        if (layer instanceof org.deeplearning4j.nn.conf.layers.SubsamplingLayer p) {
            parts.add(p.getPoolingType() + " pooling, kernel " + Arrays.toString(p.getKernelSize()) + ", stride "
                    + Arrays.toString(p.getStride()) + ", " + p.getConvolutionMode());
        }
        if (layer instanceof org.deeplearning4j.nn.conf.layers.DropoutLayer && layer.getIDropout() != null) {
            parts.add(String.valueOf(layer.getIDropout()));
        }
        return sb.append(String.join(", ", parts)).append(')').toString();
    }

    /** The updaters of every layer, in stock terms ("Adam(lr 1.0E-4, beta1 0.9, beta2 0.999, eps 1.0E-7)"). */
    static String updaters(MultiLayerNetwork net) {
        java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>();
        for (org.deeplearning4j.nn.api.Layer l : net.getLayers()) {
            if (l.conf().getLayer() instanceof org.deeplearning4j.nn.conf.layers.BaseLayer b) {
                all.add(updater(b.getIUpdater()));
                all.add(updater(b.getBiasUpdater() == null ? b.getIUpdater() : b.getBiasUpdater()));
            }
        }
        return String.join(" / ", all);
    }

    private static String updater(org.nd4j.linalg.learning.config.IUpdater u) {
        if (u instanceof org.nd4j.linalg.learning.config.Adam a) { // the project's FastAdam is an Adam
            return "Adam(lr " + a.getLearningRate() + (a.getLearningRateSchedule() == null ? "" : " scheduled") + ", beta1 "
                    + a.getBeta1() + ", beta2 " + a.getBeta2() + ", eps " + a.getEpsilon() + ")";
        }
        return u == null ? "none" : u.toString();
    }

    /** The L2 / weight-decay terms of every layer, in words. */
    static String regularization(MultiLayerNetwork net) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (org.deeplearning4j.nn.api.Layer l : net.getLayers()) {
            if (l.conf().getLayer() instanceof org.deeplearning4j.nn.conf.layers.BaseLayer b) {
                java.util.List<String> terms = new java.util.ArrayList<>();
                if (b.getRegularization() != null) {
                    for (org.nd4j.linalg.learning.regularization.Regularization r : b.getRegularization()) {
                        terms.add(regularizationTerm(r));
                    }
                }
                out.add(terms.isEmpty() ? "none" : String.join("+", terms));
            }
        }
        return "per layer " + out;
    }

    private static String regularizationTerm(org.nd4j.linalg.learning.regularization.Regularization r) {
        if (r instanceof org.nd4j.linalg.learning.regularization.L2Regularization l2) {
            return "L2 " + l2.getL2().valueAt(0, 0);
        }
        if (r instanceof org.nd4j.linalg.learning.regularization.WeightDecay w) {
            return "weight decay " + w.getCoeff().valueAt(0, 0);
        }
        return r.getClass().getSimpleName().replace("FastL2Regularization", "L2");
    }

    private static String layerList(MultiLayerNetwork net) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (org.deeplearning4j.nn.api.Layer l : net.getLayers()) {
            out.add(describe(l.conf().getLayer()));
        }
        return String.join(", ", out);
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
