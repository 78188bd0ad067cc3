package fashion.engine;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Splits a plain-Java loop over {@code n} independent items (feature-map planes, channels) across
 * {@link Engine#threads()} cores: the calling thread takes the first share, a small pool of daemon threads the rest.
 * Used by the Java pooling and batch-normalization layers, whose work is memory-bound loops that libnd4j runs
 * slowly on this machine. Loops with little work run on the calling thread only (thread hand-off costs ~20-50 us).
 */
public final class JavaParallel {

    /** Body of a loop over items {@code [from, to)}. */
    public interface Range {
        void run(int from, int to);
    }

    /** Below this many elements touched in total a loop runs on the calling thread. */
    private static final long MIN_PARALLEL_WORK = 1L << 15;

    private static volatile ExecutorService pool;

    private JavaParallel() {
    }

    /**
     * Runs {@code body} over {@code [0, n)} in up to {@link Engine#threads()} contiguous shares and returns when all
     * are done; {@code workPerItem} (elements per item) decides whether splitting is worth it.
     */
    public static void forRange(int n, long workPerItem, Range body) {
        int threads = Engine.inSerialScope() ? 1 : Math.min(Engine.threads(), n);
        if (threads <= 1 || n * workPerItem < MIN_PARALLEL_WORK) {
            body.run(0, n);
            return;
        }
        ExecutorService p = pool(threads - 1);
        Future<?>[] others = new Future<?>[threads - 1];
        for (int t = 1; t < threads; t++) {
            int from = (int) ((long) n * t / threads);
            int to = (int) ((long) n * (t + 1) / threads);
            others[t - 1] = p.submit(() -> body.run(from, to));
        }
        Throwable failure = null;
        try {
            body.run(0, n / threads);
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        awaitAll(failure, others);
    }

    /**
     * Waits for every one of {@code others} (even after a failure or an interrupt: they may still write into the
     * caller's arrays), then rethrows {@code failure} (the caller's own) or else the first of theirs. An interrupt
     * while waiting is not a failure: the shares finish and their work is complete, so it is kept; the thread's
     * interrupt flag is set again for the caller's loop to stop at its next step ({@link StopSignal#requested()}).
     */
    static void awaitAll(Throwable failure, Future<?>... others) {
        boolean interrupted = false;
        for (Future<?> f : others) {
            while (true) {
                try {
                    f.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // keep waiting: the share's result is needed and about to come
                } catch (java.util.concurrent.ExecutionException e) {
                    failure = failure != null ? failure : e.getCause();
                    break;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure instanceof RuntimeException) {
            throw (RuntimeException) failure;
        }
        if (failure instanceof Error) {
            throw (Error) failure;
        }
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
    }

    private static ExecutorService pool(int size) {
        ExecutorService p = pool;
        if (p == null) {
            synchronized (JavaParallel.class) {
                p = pool;
                if (p == null) {
                    p = Executors.newFixedThreadPool(Math.max(1, size), r -> {
                        Thread t = new Thread(r, "fashion-java-parallel");
                        t.setDaemon(true);
                        return t;
                    });
                    pool = p;
                }
            }
        }
        return p;
    }
}
