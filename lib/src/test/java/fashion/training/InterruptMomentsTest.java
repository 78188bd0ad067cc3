package fashion.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import fashion.data.FashionMnist;
import fashion.data.QuickMode;
import fashion.data.Split;
import fashion.engine.StopSignal;
import fashion.evaluation.Evaluation;
import fashion.models.Model;
import fashion.models.Models;

/**
 * The interrupt button at any moment (issue 15, kind 1), pressed as the kernel's SIGINT handler does
 * ({@link Interrupts#onInterrupt()}), any number of times: training stops within about a second, also while it
 * evaluates at the end of an epoch, and keeps the model and the finished epochs; an evaluation stops between chunks;
 * saving a file is never broken by an interrupt.
 */
class InterruptMomentsTest {
    static FashionMnist data;

    @TempDir
    Path dir;

    @BeforeAll
    static void full() {
        QuickMode.override(false);
        data = FashionMnist.load();
    }

    @AfterAll
    static void back() {
        QuickMode.override(null);
    }

    @AfterEach
    void clear() {
        StopSignal.clear();
        Thread.interrupted();
    }

    /**
     * Presses the interrupt button {@code presses} times, 250 ms apart, once {@code cell} is evaluating after at least
     * {@code finishedEpochs} finished epochs (seen on its stack and in {@link Training#lastHistory()}).
     */
    static Thread presser(Thread cell, int finishedEpochs, int presses, AtomicLong firstPress) {
        Thread t = new Thread(() -> {
            try {
                while (!evaluating(cell) || Training.lastHistory() == null || Training.lastHistory().epochs().size() < finishedEpochs) {
                    Thread.sleep(5);
                }
                for (int i = 0; i < presses; i++) {
                    if (i == 0) {
                        firstPress.set(System.nanoTime());
                    }
                    Interrupts.onInterrupt();
                    Thread.sleep(250);
                }
            } catch (InterruptedException e) {
                // the test ended
            }
        }, "test-presser");
        t.setDaemon(true);
        t.start();
        return t;
    }

    static boolean evaluating(Thread cell) {
        for (StackTraceElement f : cell.getStackTrace()) {
            if (f.getClassName().equals(Evaluation.class.getName()) && f.getMethodName().equals("compute")) {
                return true;
            }
        }
        return false;
    }

    @Test
    void trainingStopsWithinASecondWhilstEvaluatingAnEpochHoweverOftenThePress() throws Exception {
        Model model = Models.seedCnn();
        Split few = data.train().select(IntStream.range(0, 64).toArray());
        Split validation = data.train().select(IntStream.range(0, 15000).toArray());
        // every epoch: 2 minibatches, then the evaluation of 5,000 + 15,000 images (seconds for this CNN): five presses
        // land in the second epoch's evaluation
        AtomicLong firstPress = new AtomicLong();
        Thread presser = presser(Thread.currentThread(), 1, 5, firstPress);
        History h = Training.fit(model, few, validation, TrainingOptions.epochs(3).progress(false));
        long stopped = System.nanoTime();
        presser.join();
        double seconds = (stopped - firstPress.get()) / 1e9;
        assertEquals(History.Status.INTERRUPTED, h.status(), h.message());
        assertTrue(h.message().contains("while measuring epoch 2"), h.message());
        assertEquals(1, h.epochs().size(), "the finished epoch is kept");
        assertTrue(seconds < 1.5, "stopped " + seconds + " s after the first press: " + h.message());
        assertTrue(Training.lastHistory() == h);
        // the model is kept and usable
        assertTrue(Evaluation.of(model, data.test(), 500).accuracy() >= 0);
        assertTrue(!StopSignal.pending(), "no stale request after training returned");
    }

    @Test
    void anEvaluationStopsBetweenChunks() {
        Model model = Models.seedCnn();
        AtomicLong firstPress = new AtomicLong();
        Thread presser = new Thread(() -> {
            try {
                Thread.sleep(1500);
                firstPress.set(System.nanoTime());
                StopSignal.request();
            } catch (InterruptedException e) {
                // ended
            }
        });
        presser.start();
        StopSignal.Stopped e = assertThrows(StopSignal.Stopped.class, () -> Evaluation.of(model, data.train()));
        double seconds = (System.nanoTime() - firstPress.get()) / 1e9;
        assertTrue(e.getMessage().matches(".*training split stopped at the interrupt after [1-9][0-9]* of 55000 images.*"),
                e.getMessage());
        assertTrue(seconds < 1.5, "stopped " + seconds + " s after the request (one chunk of images at most)");
    }

    @Test
    void aFileIsWrittenWholeThoughTheCellIsInterrupted() throws Exception {
        Model model = Models.dense().width(4).build();
        Path file = dir.resolve("model.zip");
        Thread.currentThread().interrupt(); // what the interrupt watchdog does to the cell's thread
        ModelFiles.save(model, file);
        assertTrue(Thread.interrupted(), "the interrupt is kept for the cell to honour after the save");
        ModelFiles.verify(file);
        // a press during the save is deferred until the file is in place
        Path second = dir.resolve("second.zip");
        Interrupts.uninterruptibly(() -> {
            Interrupts.onInterrupt();
            Interrupts.onInterrupt();
            return ModelFiles.save(model, second);
        });
        ModelFiles.verify(second);
        assertTrue(Thread.interrupted(), "after the save the deferred interrupt reaches the cell");
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no partial files");
        }
    }
}
