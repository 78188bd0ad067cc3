package fashion.display;

import java.util.List;
import java.util.function.Function;

import org.rapaio.jupyter.kernel.display.DisplayData;
import org.rapaio.jupyter.kernel.display.DisplayRenderer;
import org.rapaio.jupyter.kernel.display.DisplayTransformer;
import org.rapaio.jupyter.kernel.display.spi.DisplayProvider;

import fashion.data.FashionMnist;
import fashion.evaluation.ConfusionMatrix;
import fashion.evaluation.Evaluation;
import fashion.models.Model;
import fashion.plots.Chart;
import fashion.plots.ImageGrid;
import fashion.plots.Plots;
import fashion.studies.Run;
import fashion.studies.StudyResults;
import fashion.training.History;
import tech.tablesaw.api.Table;

/**
 * Rich output of the library's own types in the Jupyter kernel (registered through
 * {@code META-INF/services/org.rapaio.jupyter.kernel.display.spi.DisplayProvider}): a cell that ends with a
 * history shows its curves, a confusion matrix its heatmap and table, a model its summary, a table as HTML.
 * Every output also carries a {@code text/plain} version.
 */
public final class FashionDisplay implements DisplayProvider {

    @Override
    public List<DisplayRenderer> getDisplayRenderers() {
        return List.of(
                renderer(Chart.class, Chart::html, Chart::toString),
                renderer(ImageGrid.class, ImageGrid::html, ImageGrid::toString),
                renderer(History.class, FashionDisplay::history, History::summary),
                renderer(ConfusionMatrix.class, FashionDisplay::confusion, ConfusionMatrix::toString),
                renderer(Model.class, m -> TableHtml.html(m.summary()), Model::toString),
                renderer(Table.class, TableHtml::html, Table::printAll),
                renderer(Evaluation.class, e -> "<pre>" + TableHtml.escape(e.toString()) + "</pre>", Evaluation::toString),
                renderer(FashionMnist.class, d -> "<pre>" + TableHtml.escape(d.toString()) + "</pre>", FashionMnist::toString),
                renderer(StudyResults.class, r -> TableHtml.html(r.table()) + "<p>" + TableHtml.escape(r.conclusion()) + "</p>",
                        StudyResults::toString),
                renderer(Run.class, r -> history(r.history()), Run::toString));
    }

    @Override
    public List<DisplayTransformer> getDisplayTransformers() {
        return List.of();
    }

    /** The HTML a history renders to: its curves and a one-line summary. */
    public static String history(History h) {
        String status = h.status() == History.Status.COMPLETED ? ""
                : "<p style=\"color:#a00\"><b>" + h.status() + ":</b> " + TableHtml.escape(h.message()) + "</p>";
        return (h.epochs().isEmpty() ? "" : Plots.history(h).html()) + status
                + "<pre>" + TableHtml.escape(h.summary()) + "</pre>";
    }

    /** The HTML a confusion matrix renders to: annotated heatmap, table, then per-class precision, recall and F1. */
    public static String confusion(ConfusionMatrix m) {
        return Plots.confusion(m).html() + TableHtml.html(m.table()) + TableHtml.html(m.classMetrics());
    }

    private static <T> DisplayRenderer renderer(Class<T> type, Function<T, String> html, Function<T, String> text) {
        return new DisplayRenderer() {
            @Override
            public Class<?> rendererClass() {
                return type;
            }

            @Override
            public boolean canRender(String mime) {
                return mime == null || mime.isEmpty() || mime.equals("text/html") || mime.equals("text/plain");
            }

            @Override
            public DisplayData render(String mime, Object o) {
                T value = type.cast(o);
                if ("text/plain".equals(mime)) {
                    return DisplayData.fromText(text.apply(value));
                }
                DisplayData data = DisplayData.fromHtml(html.apply(value));
                data.putText(text.apply(value));
                return data;
            }
        };
    }
}
