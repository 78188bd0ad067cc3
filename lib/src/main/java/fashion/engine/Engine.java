package fashion.engine;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One-time native set-up of ND4J for this JVM: data types and threading.
 * Every entry point of the library (data loading, model factories, training) calls {@link #init()}.
 */
public final class Engine {
    private static volatile boolean initialized;

    private Engine() {
    }

    /** Idempotent: configures ND4J once per JVM. */
    public static synchronized void init() {
        if (initialized) {
            return;
        }
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        initialized = true;
    }
}
