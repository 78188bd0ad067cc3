package fashion.training;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Table;

/**
 * What training measured, epoch by epoch, and how it ended. Kept complete up to the last finished epoch
 * when training is interrupted or diverges.
 */
public final class History {
    /** How training ended. */
    public enum Status {
        COMPLETED, INTERRUPTED, DIVERGED, FAILED
    }

    private final String model;
    private final List<Epoch> epochs = new ArrayList<>();
    private final int plannedEpochs;
    private final int batchSize;
    private final int trainingImages;
    private Status status = Status.COMPLETED;
    private String message = "";

    History(String model, int plannedEpochs, int batchSize, int trainingImages) {
        this.model = model;
        this.plannedEpochs = plannedEpochs;
        this.batchSize = batchSize;
        this.trainingImages = trainingImages;
    }

    /** Rebuilds a history from saved measurements (for saved study results). */
    public static History of(String model, int batchSize, int trainingImages, List<Epoch> epochs, Status status, String message) {
        History h = new History(model, epochs.size(), batchSize, trainingImages);
        h.epochs.addAll(epochs);
        h.status = status;
        h.message = message == null ? "" : message;
        return h;
    }

    void add(Epoch e) {
        epochs.add(e);
    }

    void end(Status status, String message) {
        this.status = status;
        this.message = message;
    }

    public String model() {
        return model;
    }

    public List<Epoch> epochs() {
        return Collections.unmodifiableList(epochs);
    }

    public int plannedEpochs() {
        return plannedEpochs;
    }

    public int batchSize() {
        return batchSize;
    }

    public int trainingImages() {
        return trainingImages;
    }

    public Status status() {
        return status;
    }

    /** Why training stopped early (empty when it completed). */
    public String message() {
        return message;
    }

    public Epoch last() {
        if (epochs.isEmpty()) {
            throw new IllegalStateException("no epoch finished" + (message.isEmpty() ? "" : ": " + message));
        }
        return epochs.get(epochs.size() - 1);
    }

    /** Total training seconds (evaluation after each epoch excluded). */
    public double seconds() {
        return epochs.stream().mapToDouble(Epoch::seconds).sum();
    }

    /** One row per epoch: epoch, loss, accuracy, val_loss, val_accuracy, batch_loss, seconds. */
    public Table table() {
        IntColumn epoch = IntColumn.create("epoch");
        DoubleColumn loss = DoubleColumn.create("loss");
        DoubleColumn acc = DoubleColumn.create("accuracy");
        DoubleColumn vloss = DoubleColumn.create("val_loss");
        DoubleColumn vacc = DoubleColumn.create("val_accuracy");
        DoubleColumn bloss = DoubleColumn.create("batch_loss");
        DoubleColumn secs = DoubleColumn.create("seconds");
        for (Epoch e : epochs) {
            epoch.append(e.epoch());
            loss.append(e.trainLoss());
            acc.append(e.trainAccuracy());
            vloss.append(e.validationLoss());
            vacc.append(e.validationAccuracy());
            bloss.append(e.batchLoss());
            secs.append(e.seconds());
        }
        return Table.create("History of " + model, epoch, loss, acc, vloss, vacc, bloss, secs);
    }

    /** A one-line account: epochs done, final metrics, time, and how it ended. */
    public String summary() {
        StringBuilder sb = new StringBuilder(model).append(": ");
        if (epochs.isEmpty()) {
            sb.append("no epoch finished");
        } else {
            Epoch e = last();
            sb.append(String.format(Locale.ROOT, "%d/%d epochs, accuracy %.4f, val_accuracy %.4f, %.1f s training",
                    epochs.size(), plannedEpochs, e.trainAccuracy(), e.validationAccuracy(), seconds()));
        }
        if (status != Status.COMPLETED) {
            sb.append(" [").append(status).append(": ").append(message).append(']');
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return summary();
    }
}
