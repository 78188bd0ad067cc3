package fashion.studies;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import fashion.data.Project;
import fashion.training.Epoch;
import fashion.training.History;
import fashion.training.Interrupts;

/**
 * Saved runs as JSON files, one per run: {@code results/<study>/<setting>-<hash>.json}, where the hash is
 * taken over the run's whole configuration (model settings, training options, data sizes, quick mode). A file
 * is written to a temporary file and renamed into place, so a crash never leaves half a result; a file that
 * cannot be read back is an error naming it, never silently used or overwritten.
 */
public final class ResultStore {
    static final String FORMAT = "fashion-run/1";
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
    private static final ObjectMapper CANONICAL = new ObjectMapper()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
    /** For tests: runs between writing the temporary file and renaming it into place. */
    static volatile Runnable beforeRename = () -> { };

    private final Path folder;

    private ResultStore(Path folder) {
        this.folder = folder.toAbsolutePath().normalize();
    }

    /** The standard results folder, {@link Project#resultsFolder()}: {@code FASHION_RESULTS_DIR}, a shared
     *  installation's {@code ~/fashion-mnist/results}, or the checkout's git-ignored {@code results/}. */
    public static ResultStore standard() {
        return new ResultStore(Project.resultsFolder());
    }

    public static ResultStore at(Path folder) {
        return new ResultStore(folder);
    }

    public Path folder() {
        return folder;
    }

    /** Where a run of {@code study} with this label and configuration is (or would be) saved. */
    public Path pathFor(String study, String label, Map<String, Object> configuration) {
        return folder.resolve(slug(study)).resolve(slug(label) + "-" + hash(configuration) + ".json");
    }

    /** The saved run with exactly this configuration, or null if there is none. A damaged file is an error. */
    public Run find(String study, String label, Map<String, Object> configuration) {
        Path path = pathFor(study, label, configuration);
        if (!Files.exists(path)) {
            return null;
        }
        Run run = read(path);
        if (!canonical(run.configuration()).equals(canonical(configuration))) {
            throw new StudyException(path, "the saved configuration does not match the file's name (was it edited?). "
                    + "Delete the file, or call retrain() to replace it.", null);
        }
        return run;
    }

    /** Every run saved for {@code study}, in file-name order; a damaged file is an error. */
    public List<Run> all(String study) {
        Path dir = folder.resolve(slug(study));
        List<Run> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (var files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList()) {
                out.add(read(p));
            }
        } catch (IOException e) {
            throw new StudyException(dir, "cannot list saved results: " + e.getMessage(), e);
        }
        return out;
    }

    /** Saves {@code run} atomically (temporary file, then rename) and returns it, marked with its file. */
    public Run save(Run run) {
        return saveAt(run, pathFor(run.study(), run.label(), run.configuration()));
    }

    /** Writes {@code run} as JSON to {@code path} atomically and returns it, marked with that file. */
    private Run saveAt(Run run, Path path) {
        String text;
        try {
            text = JSON.writeValueAsString(toJson(run));
        } catch (JsonProcessingException e) {
            throw new StudyException(path, "cannot write the result as JSON: " + e.getMessage(), e);
        }
        writeAtomically(path, text);
        return run.savedAt(path, false);
    }

    /**
     * Saves a run that did not finish (status INTERRUPTED, DIVERGED or FAILED) beside where the finished run of the same
     * configuration is saved, as {@code <setting>-<hash>-<status>.json}, marked with its status: it never replaces a
     * finished run and is never found by {@link #find} (issue 15).
     */
    public Run savePartial(Run run) {
        if (run.status() == History.Status.COMPLETED) {
            return save(run);
        }
        Path finished = pathFor(run.study(), run.label(), run.configuration());
        return saveAt(run, partialPath(finished, run.status()));
    }

    /** Where an unfinished run of the finished run's configuration is saved. */
    static Path partialPath(Path finished, History.Status status) {
        String name = finished.getFileName().toString();
        return finished.resolveSibling(name.substring(0, name.length() - ".json".length()) + "-"
                + status.name().toLowerCase(Locale.ROOT) + ".json");
    }

    /** Unfinished runs saved with this configuration by {@link #savePartial} (empty if none). */
    public List<Run> partials(String study, String label, Map<String, Object> configuration) {
        Path finished = pathFor(study, label, configuration);
        List<Run> out = new ArrayList<>();
        for (History.Status s : History.Status.values()) {
            Path p = partialPath(finished, s);
            if (s != History.Status.COMPLETED && Files.isRegularFile(p)) {
                out.add(read(p));
            }
        }
        return out;
    }

    /**
     * Checks, before anything is trained, that results can be saved here: creates the folder if needed and writes and
     * deletes a small probe file. Throws {@link StudyException} naming the folder, the operating system's reason and
     * the fix; {@code howToChooseAnother} is the call that points the caller at another folder.
     */
    public void checkWritable(String howToChooseAnother) {
        Path probe = null;
        try {
            Files.createDirectories(folder);
            probe = Files.createTempFile(folder, ".write-check-", ".tmp");
            Files.writeString(probe, "ok", StandardCharsets.UTF_8);
        } catch (IOException | UnsupportedOperationException e) {
            throw new StudyException(folder, "the results folder cannot be written (" + reason(e) + "), so nothing was "
                    + "trained: a result that could not be saved would be lost. How to fix: make the folder writable "
                    + "(chmod u+w, or free disk space), or save the results elsewhere: " + howToChooseAnother, e);
        } finally {
            if (probe != null) {
                try {
                    Files.deleteIfExists(probe);
                } catch (IOException ignored) {
                    // a hidden probe file is never read as a result
                }
            }
        }
    }

    /** The operating system's reason for a failed file operation, in words ("permission denied", "No space left on device"). */
    static String reason(Exception e) {
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file or folder: " + ((java.nio.file.NoSuchFileException) e).getFile();
        }
        if (e instanceof java.nio.file.FileAlreadyExistsException f) {
            return "a file is in the way where a folder is needed: " + f.getFile();
        }
        if (e instanceof java.nio.file.DirectoryNotEmptyException f) {
            return "a non-empty folder is in the way: " + f.getFile();
        }
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
            return f.getReason() + (f.getFile() == null ? "" : ": " + f.getFile());
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    /** Reads one saved run; any damage is a {@link StudyException} naming the file. */
    public Run read(Path path) {
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new StudyException(path, "cannot read the saved result: " + e.getMessage(), e);
        }
        try {
            JsonNode root = JSON.readTree(text);
            if (root == null || !root.isObject()) {
                throw new IllegalArgumentException("not a JSON object");
            }
            String format = required(root, "format").asText();
            if (!FORMAT.equals(format)) {
                throw new IllegalArgumentException("unknown format '" + format + "' (expected " + FORMAT + ")");
            }
            Map<String, Object> setting = JSON.convertValue(required(root, "setting"), new TypeReference<LinkedHashMap<String, Object>>() { });
            Map<String, Object> configuration = JSON.convertValue(required(root, "configuration"),
                    new TypeReference<LinkedHashMap<String, Object>>() { });
            List<Epoch> epochs = new ArrayList<>();
            for (JsonNode e : required(root, "epochs")) {
                epochs.add(new Epoch(required(e, "epoch").asInt(), number(e, "trainLoss"), number(e, "trainAccuracy"),
                        number(e, "validationLoss"), number(e, "validationAccuracy"), number(e, "batchLoss"), number(e, "seconds")));
            }
            JsonNode test = required(root, "test");
            int[][] testConfusion = matrix(required(test, "confusion"));
            JsonNode training = root.get("training");
            int[][] trainingConfusion = training == null || training.isNull() ? null : matrix(required(training, "confusion"));
            Run run = new Run(required(root, "study").asText(), required(root, "label").asText(), setting, configuration, epochs,
                    History.Status.valueOf(required(root, "status").asText()), root.path("message").asText(""),
                    number(test, "accuracy"), test.has("accuracyWithoutMirroring") ? number(test, "accuracyWithoutMirroring")
                            : Double.NaN, number(test, "loss"), testConfusion, trainingConfusion,
                    number(root, "trainingSeconds"), root.path("created").asText(""), provenance(root.get("provenance")));
            return run.savedAt(path, true);
        } catch (IOException | RuntimeException e) {
            if (e instanceof StudyException se) {
                throw se;
            }
            throw new StudyException(path, "the saved result is corrupted (" + e.getMessage().lines().findFirst().orElse("")
                    + "). It was not used: delete the file, or call retrain() to train again and replace it.", e);
        }
    }

    private static JsonNode required(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("missing field '" + field + "'");
        }
        return v;
    }

    private static double number(JsonNode node, String field) {
        JsonNode v = required(node, field);
        if (v.isNumber()) {
            return v.asDouble();
        }
        if (v.isTextual() && v.asText().equals("NaN")) {
            return Double.NaN;
        }
        throw new IllegalArgumentException("field '" + field + "' is not a number");
    }

    private static int[][] matrix(JsonNode node) {
        if (!node.isArray()) {
            throw new IllegalArgumentException("a confusion matrix is not an array");
        }
        int[][] m = new int[node.size()][];
        for (int i = 0; i < m.length; i++) {
            JsonNode row = node.get(i);
            if (!row.isArray() || row.size() != m.length) {
                throw new IllegalArgumentException("a confusion matrix is not square");
            }
            m[i] = new int[row.size()];
            for (int j = 0; j < m[i].length; j++) {
                if (!row.get(j).canConvertToInt() || row.get(j).asInt() < 0) {
                    throw new IllegalArgumentException("a confusion matrix holds a value that is not a count");
                }
                m[i][j] = row.get(j).asInt();
            }
        }
        return m;
    }

    private static ObjectNode toJson(Run run) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("study", run.study());
        root.put("label", run.label());
        root.set("setting", JSON.valueToTree(run.setting()));
        root.set("configuration", JSON.valueToTree(run.configuration()));
        ArrayNode epochs = root.putArray("epochs");
        for (Epoch e : run.epochs()) {
            ObjectNode n = epochs.addObject();
            n.put("epoch", e.epoch());
            putNumber(n, "trainLoss", e.trainLoss());
            putNumber(n, "trainAccuracy", e.trainAccuracy());
            putNumber(n, "validationLoss", e.validationLoss());
            putNumber(n, "validationAccuracy", e.validationAccuracy());
            putNumber(n, "batchLoss", e.batchLoss());
            putNumber(n, "seconds", e.seconds());
        }
        root.put("status", run.status().name());
        root.put("message", run.message());
        ObjectNode test = root.putObject("test");
        putNumber(test, "accuracy", run.testAccuracy());
        if (Double.isFinite(run.unmirroredTestAccuracy())) {
            putNumber(test, "accuracyWithoutMirroring", run.unmirroredTestAccuracy());
        }
        putNumber(test, "loss", run.testLoss());
        test.set("confusion", JSON.valueToTree(run.testCounts()));
        if (run.trainingCounts() != null) {
            ObjectNode training = root.putObject("training");
            training.set("confusion", JSON.valueToTree(run.trainingCounts()));
        }
        putNumber(root, "trainingSeconds", run.trainingSeconds());
        root.put("seed", String.valueOf(run.configuration().get("modelSeed")));
        root.put("quick", run.quick());
        root.put("created", run.created().isEmpty() ? Instant.now().toString() : run.created());
        if (!run.provenance().isEmpty()) {
            root.set("provenance", JSON.valueToTree(run.provenance()));
        }
        return root;
    }

    /** The saved provenance's text fields (none in files from before it was recorded). */
    private static Map<String, String> provenance(JsonNode node) {
        Map<String, String> p = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return p;
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("\"provenance\" is not an object");
        }
        node.fields().forEachRemaining(e -> p.put(e.getKey(), e.getValue().asText()));
        return p;
    }

    private static void putNumber(ObjectNode n, String field, double v) {
        if (Double.isFinite(v)) {
            n.put(field, v);
        } else {
            n.put(field, "NaN");
        }
    }

    static void writeAtomically(Path path, String text) {
        // an interrupt while writing would close the file channel mid-write: it waits until the file is in place
        Interrupts.uninterruptibly(() -> {
            writeNow(path, text);
            return null;
        });
    }

    private static void writeNow(Path path, String text) {
        Path tmp = null;
        try {
            Files.createDirectories(path.getParent());
            tmp = Files.createTempFile(path.getParent(), "." + path.getFileName(), ".tmp");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            beforeRename.run();
            try {
                Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException e) {
            throw new StudyException(path, "cannot save the result (" + reason(e) + "); nothing was left half-written.", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the temporary file is hidden and harmless
                }
            }
        }
    }

    /** The configuration as JSON with sorted keys: equal configurations give equal strings. */
    static String canonical(Map<String, Object> configuration) {
        try {
            Object normalized = CANONICAL.readValue(CANONICAL.writeValueAsString(configuration), Object.class);
            return CANONICAL.writeValueAsString(normalized);
        } catch (JsonProcessingException e) {
            throw new StudyException("cannot describe the configuration as JSON: " + e.getMessage());
        }
    }

    static String hash(Map<String, Object> configuration) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(canonical(configuration).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String slug(String s) {
        String t = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.]+", "-").replaceAll("^-+|-+$", "");
        return t.isEmpty() ? "run" : t.length() > 60 ? t.substring(0, 60) : t;
    }

    /** Records which runs the latest run of {@code study} in this mode (quick or full) produced. */
    public void saveIndex(String study, boolean quick, List<Run> runs, String note) {
        ObjectNode root = JSON.createObjectNode();
        root.put("study", study);
        root.put("quick", quick);
        root.put("note", note);
        root.put("created", Instant.now().toString());
        ArrayNode files = root.putArray("runs");
        for (Run r : runs) {
            if (r.file() == null) {
                continue; // kept in memory only: its saving failed
            }
            files.add(folder.resolve(slug(study)).relativize(r.file()).toString());
        }
        try {
            writeAtomically(indexPath(study, quick), JSON.writeValueAsString(root));
        } catch (JsonProcessingException e) {
            throw new StudyException(indexPath(study, quick), "cannot write the study index: " + e.getMessage(), e);
        }
    }

    /** The runs of the latest run of {@code study} in this mode, or null if it never ran. A damaged file is an error. */
    public List<Run> latest(String study, boolean quick) {
        Path index = indexPath(study, quick);
        if (!Files.exists(index)) {
            return null;
        }
        List<Run> out = new ArrayList<>();
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(index, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            throw new StudyException(index, "the study index is corrupted (" + e.getMessage() + "): delete it and run the study again.", e);
        }
        JsonNode runs = root == null ? null : root.get("runs");
        if (runs == null || !runs.isArray()) {
            throw new StudyException(index, "the study index is corrupted (no list of runs): delete it and run the study again.", null);
        }
        for (JsonNode f : runs) {
            Path p = folder.resolve(slug(study)).resolve(f.asText());
            if (!Files.exists(p)) {
                throw new StudyException(index, "the study index names " + p + ", which no longer exists: run the study again.", null);
            }
            out.add(read(p));
        }
        return out;
    }

    /** The note of the latest run of {@code study} in this mode ("interrupted during setting 2 of 4 ..."), or "". */
    public String latestNote(String study, boolean quick) {
        Path index = indexPath(study, quick);
        try {
            JsonNode root = Files.exists(index) ? JSON.readTree(Files.readString(index, StandardCharsets.UTF_8)) : null;
            return root == null ? "" : root.path("note").asText("");
        } catch (IOException | RuntimeException e) {
            return ""; // latest() reports a damaged index
        }
    }

    Path indexPath(String study, boolean quick) {
        return folder.resolve(slug(study)).resolve(quick ? "index-quick.json.idx" : "index.json.idx");
    }

    @Override
    public String toString() {
        return "results in " + Project.display(folder);
    }
}
