package fashion.display;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.rapaio.jupyter.kernel.display.DisplayData;
import org.rapaio.jupyter.kernel.display.DisplayRenderer;

import fashion.plots.ImageGrid;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** No output floods a notebook (issue 15, kind 5): what the kernel receives from the project's renderers. */
class OutputSizeTest {
    static DisplayData render(Object value) {
        for (DisplayRenderer r : new FashionDisplay().getDisplayRenderers()) {
            if (r.rendererClass().isAssignableFrom(value.getClass())) {
                return r.render("text/html", value);
            }
        }
        throw new AssertionError("no renderer for " + value.getClass());
    }

    static String html(DisplayData d) {
        return String.valueOf(d.data().get("text/html"));
    }

    static String text(DisplayData d) {
        return String.valueOf(d.data().get("text/plain"));
    }

    static Table rows(int n) {
        return Table.create("predictions",
                IntColumn.create("image", IntStream.range(0, n).toArray()),
                StringColumn.create("class", IntStream.range(0, n).mapToObj(i -> "class-" + i).toArray(String[]::new)),
                DoubleColumn.create("confidence", IntStream.range(0, n).mapToDouble(i -> i / (double) n).toArray()));
    }

    @Test
    void aLongTableShowsItsEndsAndItsShapeLikePandas() {
        DisplayData d = render(rows(55_000));
        String h = html(d);
        assertTrue(h.length() < 20_000, "small output: " + h.length() + " characters");
        assertTrue(h.contains("55000 rows x 3 columns") && h.contains("Show.all(table)"), h);
        assertTrue(h.contains(">class-0<") && h.contains(">class-9<") && h.contains(">class-54999<") && h.contains(">class-54990<"), h);
        assertFalse(h.contains(">class-10<") || h.contains(">class-27000<"), "middle rows are left out");
        assertTrue(text(d).length() < 20_000 && text(d).contains("55000 rows x 3 columns") && text(d).contains("class-54999"), text(d));
    }

    @Test
    void aShortTableShowsEveryRow() {
        String h = html(render(rows(60)));
        assertTrue(h.contains(">class-30<") && !h.contains("rows x"), h);
    }

    @Test
    void showAllShowsEveryRow() {
        String h = html(render(Show.all(rows(55_000))));
        assertTrue(h.contains(">class-27000<") && h.length() > Show.LIMIT_BYTES, "every row: " + h.length());
    }

    @Test
    void aLargeArrayShowsItsCornersAndShape() {
        INDArray a = Nd4j.rand(DataType.FLOAT, 55_000, 784);
        DisplayData d = render(a);
        assertTrue(html(d).length() < 20_000 && text(d).length() < 20_000, html(d).length() + " characters");
        assertTrue(text(d).startsWith("array [55000, 784], FLOAT"), text(d).substring(0, 100));
        assertTrue(text(d).contains("..."), "summarized");
    }

    @Test
    void anyOtherOutputAboveTheLimitIsReplacedByANote() {
        Random random = new Random(1);
        ImageGrid grid = new ImageGrid("noise", 20, 3);
        for (int i = 0; i < 3000; i++) {
            float[][] img = new float[28][28];
            for (float[] row : img) {
                for (int j = 0; j < row.length; j++) {
                    row[j] = random.nextFloat();
                }
            }
            grid.add(img, "image " + i);
        }
        assertTrue(grid.html().length() > Show.LIMIT_BYTES, "the grid itself is large: " + grid.html().length());
        String h = html(render(grid));
        assertTrue(h.length() < 2000, h.length() + " characters");
        assertTrue(h.contains("MB") && h.contains("Show.all"), h);
        assertTrue(html(render(Show.all(grid))).length() > Show.LIMIT_BYTES, "Show.all renders it whole");
    }
}
