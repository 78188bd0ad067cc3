package fashion.training;

import java.util.Locale;

import fashion.engine.Notebook;

/**
 * Live progress of a training run: epoch, batch, loss, elapsed and estimated remaining time. In a notebook it
 * is one HTML output updated in place (at most every half second); elsewhere a console line every 15 seconds
 * and one per epoch.
 */
final class Progress {
    private static final long NOTEBOOK_INTERVAL_NANOS = 500_000_000L;
    private static final long CONSOLE_INTERVAL_NANOS = 15_000_000_000L;

    private final boolean enabled;
    private final String model;
    private final int epochs;
    private final int batchesPerEpoch;
    private final long start = System.nanoTime();
    private final StringBuilder finished = new StringBuilder();
    private String displayId;
    private long lastShown;
    private String current = "";

    Progress(boolean enabled, String model, int epochs, int batchesPerEpoch) {
        this.enabled = enabled;
        this.model = model;
        this.epochs = epochs;
        this.batchesPerEpoch = batchesPerEpoch;
        if (enabled && Notebook.active()) {
            displayId = Notebook.show("text/html", html());
        }
    }

    void batch(int epoch, int batch, double meanLoss) {
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        long interval = displayId != null ? NOTEBOOK_INTERVAL_NANOS : CONSOLE_INTERVAL_NANOS;
        if (now - lastShown < interval && batch != batchesPerEpoch) {
            return;
        }
        lastShown = now;
        double elapsed = (now - start) / 1e9;
        long done = (long) (epoch - 1) * batchesPerEpoch + batch;
        long total = (long) epochs * batchesPerEpoch;
        double remaining = done == 0 ? Double.NaN : elapsed * (total - done) / done;
        current = String.format(Locale.ROOT, "epoch %d/%d  batch %d/%d  loss %.4f  elapsed %s  remaining ~%s",
                epoch, epochs, batch, batchesPerEpoch, meanLoss, clock(elapsed), clock(remaining));
        show();
    }

    void epoch(Epoch e) {
        if (!enabled) {
            return;
        }
        String line = String.format(Locale.ROOT,
                "epoch %d/%d - %.1fs - loss: %.4f - accuracy: %.4f - val_loss: %.4f - val_accuracy: %.4f",
                e.epoch(), epochs, e.seconds(), e.trainLoss(), e.trainAccuracy(), e.validationLoss(), e.validationAccuracy());
        finished.append(line).append('\n');
        current = "";
        lastShown = System.nanoTime();
        if (displayId != null) {
            show();
        } else {
            System.out.println(line);
        }
    }

    void end(String message) {
        if (!enabled) {
            return;
        }
        if (message != null && !message.isEmpty()) {
            finished.append(message).append('\n');
        }
        current = "";
        if (displayId != null) {
            show();
        } else if (message != null && !message.isEmpty()) {
            System.out.println(message);
        }
    }

    private void show() {
        if (displayId != null) {
            Notebook.update(displayId, "text/html", html());
        } else if (!current.isEmpty()) {
            System.out.println(current);
        }
    }

    private String html() {
        return "<pre style=\"margin:0\">Training " + escape(model) + "\n" + escape(finished.toString())
                + (current.isEmpty() ? "" : "<b>" + escape(current) + "</b>") + "</pre>";
    }

    static String clock(double seconds) {
        if (Double.isNaN(seconds) || Double.isInfinite(seconds)) {
            return "?";
        }
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
