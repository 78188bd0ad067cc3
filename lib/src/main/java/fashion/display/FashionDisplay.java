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
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Rich output of the library's own types in the Jupyter kernel (registered through
 * {@code META-INF/services/org.rapaio.jupyter.kernel.display.spi.DisplayProvider}): a cell that ends with a
 * history shows its curves, a confusion matrix its heatmap and table, a model its summary, a table as HTML.
 * Every output also carries a {@code text/plain} version, also the values the kernel renders itself ({@link PlainText}).
 */
public final class FashionDisplay implements DisplayProvider {

    /**
     * Created by the kernel when it renders the first cell result. Installs the interrupt handler
     * ({@link fashion.training.Interrupts}) if the kernel's launcher has not (it does, through the kernelspec's
     * {@code FASHION_KERNEL_STARTUP}, before the first cell; a kernelspec written by hand may not).
     */
    public FashionDisplay() {
        fashion.training.Interrupts.install();
    }

    @Override
    public List<DisplayRenderer> getDisplayRenderers() {
        List<DisplayRenderer> own = renderers();
        List<DisplayRenderer> all = new java.util.ArrayList<>(own);
        all.add(new DisplayRenderer() { // Show.all(x): x rendered whole
            @Override
            public Class<?> rendererClass() {
                return Show.All.class;
            }

            @Override
            public boolean canRender(String mime) {
                return mime == null || mime.isEmpty() || mime.equals("text/html") || mime.equals("text/plain");
            }

            @Override
            public DisplayData render(String mime, Object o) {
                Object value = ((Show.All) o).value();
                if (value instanceof Table t) {
                    DisplayData data = DisplayData.fromHtml(TableHtml.html(t, true));
                    data.putText(t.printAll());
                    return data;
                }
                if (value instanceof INDArray a) {
                    String text = Arrays.text(a, true);
                    DisplayData data = DisplayData.fromHtml("<pre>" + TableHtml.escape(text) + "</pre>");
                    data.putText(text);
                    return data;
                }
                for (DisplayRenderer r : own) {
                    if (value != null && r.rendererClass().isInstance(value)) {
                        return ((Renderer<?>) r).render(mime, value, false);
                    }
                }
                return DisplayData.fromText(String.valueOf(value));
            }
        });
        return all;
    }

    private static List<DisplayRenderer> renderers() {
        return List.of(
                renderer(Chart.class, Chart::html, Chart::toString),
                renderer(ImageGrid.class, ImageGrid::html, ImageGrid::toString),
                renderer(History.class, FashionDisplay::history, History::summary),
                renderer(ConfusionMatrix.class, FashionDisplay::confusion, ConfusionMatrix::toString),
                renderer(Model.class, m -> TableHtml.html(m.summary()), Model::toString),
                renderer(Table.class, TableHtml::html, TableHtml::text),
                renderer(INDArray.class, a -> "<pre>" + TableHtml.escape(Arrays.text(a, false)) + "</pre>", a -> Arrays.text(a, false)),
                renderer(Evaluation.class, e -> "<pre>" + TableHtml.escape(e.toString()) + "</pre>", Evaluation::toString),
                renderer(FashionMnist.class, d -> "<pre>" + TableHtml.escape(d.toString()) + "</pre>", FashionMnist::toString),
                renderer(StudyResults.class, r -> TableHtml.html(r.table()) + "<p>" + TableHtml.escape(r.conclusion()) + "</p>",
                        StudyResults::toString),
                renderer(Run.class, r -> history(r.history()), Run::toString),
                PlainText.RENDERER);
    }

    /** Values no renderer claims (numbers, strings, other objects) get text/plain beside the kernel's HTML. */
    @Override
    public List<DisplayTransformer> getDisplayTransformers() {
        return List.of(PlainText.TRANSFORMER);
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
        return new Renderer<>(type, html, text);
    }

    /**
     * One type's renderer. Its output is bounded ({@link Show#LIMIT_BYTES}, not counting plotly.js, which the first
     * figure of a session embeds once): a larger output is replaced by a note saying how large it is and how to show
     * it whole ({@link Show#all}).
     */
    static final class Renderer<T> implements DisplayRenderer {
        private final Class<T> type;
        private final Function<T, String> html;
        private final Function<T, String> text;

        Renderer(Class<T> type, Function<T, String> html, Function<T, String> text) {
            this.type = type;
            this.html = html;
            this.text = text;
        }

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
            return render(mime, o, true);
        }

        DisplayData render(String mime, Object o, boolean limited) {
            T value = type.cast(o);
            String plain = text.apply(value);
            if (limited && plain.length() > Show.LIMIT_BYTES) {
                plain = plain.substring(0, 2000) + "\n... " + tooLarge(plain.length());
            }
            if ("text/plain".equals(mime)) {
                return DisplayData.fromText(plain);
            }
            String h = html.apply(value);
            if (limited && ownSize(h) > Show.LIMIT_BYTES) {
                h = "<p style=\"color:#a00\">" + TableHtml.escape(tooLarge(ownSize(h))) + "</p>";
            }
            DisplayData data = DisplayData.fromHtml(h);
            data.putText(plain);
            return data;
        }

        private String tooLarge(long size) {
            return String.format(java.util.Locale.ROOT, "This %s output is %.1f MB, more than the %.0f MB a notebook output "
                    + "gets by default, so it is not shown: end the cell with Show.all(value) to show it whole.",
                    type.getSimpleName(), size / 1e6, Show.LIMIT_BYTES / 1e6);
        }
    }

    /** Size of an HTML output without the plotly.js bundle it may embed (once per session). */
    static long ownSize(String html) {
        if (!html.contains("data-fashion-plotly")) {
            return html.length();
        }
        return Math.max(0, html.length() - fashion.plots.PlotlyHtml.plotlyJs().length());
    }
}
