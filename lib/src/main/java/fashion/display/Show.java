package fashion.display;

/**
 * Asking for a whole output. By default no renderer of the project emits more than {@link #LIMIT_BYTES} (about 1 MB)
 * into a notebook: a large table shows its first and last rows and "N rows x M columns" (as pandas does), a large
 * array its corners, and any other output that would be larger is replaced by a note saying how large it is.
 * A cell that ends with {@code Show.all(x)} renders {@code x} whole:
 *
 * <pre>
 * table                 // 55,000 rows: the first and last 10, and "55000 rows x 3 columns"
 * Show.all(table)       // every row (15.8 MB for that table: the notebook and its exports grow as much)
 * </pre>
 */
public final class Show {
    /** The most a project renderer emits for one output by default (plotly.js, embedded once per session, aside). */
    public static final int LIMIT_BYTES = 1_000_000;
    /** Tables longer than this show their first and last {@link #EDGE_ROWS} rows (pandas: 60 and 5). */
    public static final int MAX_ROWS = 60;
    /** Rows shown at each end of a long table. */
    public static final int EDGE_ROWS = 10;

    private Show() {
    }

    /** {@code value}, to be rendered whole (every row, every element), whatever its size. */
    public static All all(Object value) {
        return new All(value);
    }

    /** A value to be rendered whole; see {@link Show#all(Object)}. */
    public record All(Object value) {
    }
}
