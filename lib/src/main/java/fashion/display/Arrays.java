package fashion.display;

import java.util.Locale;

import org.nd4j.linalg.api.ndarray.INDArray;

/** ND4J arrays as text: the shape and data type, then the values, summarized (corners and "...") when large. */
final class Arrays {
    /** Arrays with more elements than this show their corners only (numpy summarizes above 1,000). */
    static final int SUMMARIZE_ABOVE = 1000;

    private Arrays() {
    }

    static String text(INDArray a, boolean whole) {
        String header = String.format(Locale.ROOT, "array %s, %s, %d elements%n", java.util.Arrays.toString(a.shape()),
                a.dataType(), a.length());
        if (a.isEmpty()) {
            return header;
        }
        // ND4J's own printer shows the first and last 3 entries of each dimension when summarizing
        return header + (whole ? a.toString(Long.MAX_VALUE, false, 4) : a.toString(SUMMARIZE_ABOVE, false, 4))
                + (whole || a.length() <= SUMMARIZE_ABOVE ? "" : "\n(summarized; Show.all(array) shows every element)");
    }
}
