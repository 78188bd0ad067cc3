package fashion.plots;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import tech.tablesaw.plotly.components.Figure;
import tech.tablesaw.plotly.components.Layout;
import tech.tablesaw.plotly.traces.ScatterTrace;

class PlotlyHtmlTest {
    static Figure figure(String title) {
        return new Figure(Layout.builder().title(title).build(),
                ScatterTrace.builder(new double[] {1, 2}, new double[] {3, 4}).build());
    }

    @Test
    void plotlyJsIsBundledAndEmbeddedOncePerSession() {
        assertTrue(PlotlyHtml.plotlyJs().length() > 500_000, "plotly.js resource (run environment/setup)");
        assertTrue(PlotlyHtml.plotlyVersion().startsWith("2."), PlotlyHtml.plotlyVersion());
        PlotlyHtml.resetEmbedding();
        String first = PlotlyHtml.html(figure("a"));
        String second = PlotlyHtml.html(figure("b"));
        assertTrue(first.contains("data-fashion-plotly=\"" + PlotlyHtml.plotlyVersion() + "\""));
        assertTrue(first.contains("(function (define, exports, module) {"), "hides require.js's define");
        assertFalse(second.contains("data-fashion-plotly"));
        assertTrue(second.length() < 20_000, "later figures refer to window.Plotly only");
        PlotlyHtml.resetEmbedding();
        assertTrue(PlotlyHtml.html(figure("c")).contains("data-fashion-plotly"));
    }

    @Test
    void figureRunsExtraJsBeforeDrawingAndKeepsItsScriptClosed() {
        String html = PlotlyHtml.figureHtml(figure("t"), "trace0.text = ['</script>']; layout.title = 'x';");
        assertEquals(1, html.split("(?i)</script", -1).length - 1, "one closing script tag");
        assertTrue(html.startsWith("<div id=\"fashion_plot_"));
        assertTrue(html.contains("class=\"fashion-plot\""));
        int extra = html.indexOf("layout.title = 'x'");
        int draw = html.indexOf("realPlotly.newPlot(div, data, layout, config)");
        assertTrue(extra > 0 && draw > extra, "extra JavaScript runs before newPlot");
        assertTrue(html.contains("window.fashionPlotlyQueue"));
    }

    @Test
    void figureLoadsTheServedPlotlyWhenThePageHasNone() throws Exception {
        String name = PlotlyHtml.servedFileName();
        assertTrue(name.matches("plotly-[0-9a-f]{16}\\.min\\.js"), name);
        byte[] resource;
        try (var in = PlotlyHtml.class.getResourceAsStream(PlotlyHtml.PLOTLY_RESOURCE)) {
            resource = in.readAllBytes();
        }
        String hex = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(resource));
        assertEquals("plotly-" + hex.substring(0, 16) + ".min.js", name, "the name environment/setup gives the file (sha256sum)");
        String html = PlotlyHtml.figureHtml(figure("t"), null);
        assertTrue(html.contains("'nbextensions/" + PlotlyHtml.SERVED_DIR + "/" + name + "'"));
        assertTrue(html.contains("window.fashionPlotlyLoad();"));
    }

    @Test
    void jsonWritesJavaValuesAsSafeLiterals() {
        assertEquals("[[1,2],[3,4]]", PlotlyHtml.json(new int[][] {{1, 2}, {3, 4}}));
        assertEquals("[0.5,null,2]", PlotlyHtml.json(new double[] {0.5, Double.NaN, 2.0}));
        assertEquals("\"a\\\"b\\u003c/script\\u003e\\n\"", PlotlyHtml.json("a\"b</script>\n"));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("colorscale", "Blues");
        m.put("x", List.of(1, true));
        m.put("n", null);
        assertEquals("{\"colorscale\":\"Blues\",\"x\":[1,true],\"n\":null}", PlotlyHtml.json(m));
    }
}
