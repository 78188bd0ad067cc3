package fashion.plots;

import java.util.Locale;
import java.util.Map;

import tech.tablesaw.plotly.components.Axis;
import tech.tablesaw.plotly.components.Figure;
import tech.tablesaw.plotly.components.Layout;
import tech.tablesaw.plotly.traces.BarTrace;
import tech.tablesaw.plotly.traces.ScatterTrace;
import tech.tablesaw.plotly.traces.Trace;

/**
 * Figures that compare the settings of a study: every setting's validation curve in one figure, and the test
 * accuracies as bars. They take plain numbers so that the plots package does not depend on the studies.
 *
 * <pre>
 * StudyPlots.validationCurves("Validation accuracy", Map.of("lr 1e-3", new double[] {0.84, 0.86}))
 * StudyPlots.accuracyBars("Test accuracy", Map.of("lr 1e-3", 0.86, "lr 1e-4", 0.84))
 * </pre>
 */
public final class StudyPlots {
    private StudyPlots() {
    }

    /** One line per setting: validation accuracy (y) after each epoch (x, from 1). */
    public static Chart validationCurves(String title, Map<String, double[]> curves) {
        Trace[] traces = new Trace[curves.size()];
        int i = 0;
        for (Map.Entry<String, double[]> e : curves.entrySet()) {
            double[] y = e.getValue();
            double[] x = new double[y.length];
            for (int k = 0; k < y.length; k++) {
                x[k] = k + 1;
            }
            traces[i++] = ScatterTrace.builder(x, y).name(e.getKey()).mode(ScatterTrace.Mode.LINE_AND_MARKERS).build();
        }
        Figure figure = new Figure(Layout.builder().title(title).width(Plots.WIDTH).height(Plots.HEIGHT + 40)
                .xAxis(Axis.builder().title("epoch").build())
                .yAxis(Axis.builder().title("validation accuracy").build()).build(), traces);
        String extra = "layout.legend = {orientation: 'h', y: -0.25};" + "layout.xaxis.dtick = 1;"
                + "layout.margin = {b: 120};";
        return new Chart(title, figure, extra);
    }

    /** One bar per setting, labelled with its accuracy; the axis starts near the lowest bar so differences show. */
    public static Chart accuracyBars(String title, Map<String, Double> accuracies) {
        Object[] names = accuracies.keySet().toArray();
        double[] y = accuracies.values().stream().mapToDouble(d -> d == null ? Double.NaN : d).toArray();
        double min = 1;
        double max = 0;
        StringBuilder text = new StringBuilder("[");
        for (int i = 0; i < y.length; i++) {
            if (Double.isFinite(y[i])) {
                min = Math.min(min, y[i]);
                max = Math.max(max, y[i]);
            }
            text.append(i == 0 ? "" : ",").append('"').append(Double.isFinite(y[i]) ? String.format(Locale.ROOT, "%.4f", y[i]) : "n/a").append('"');
        }
        text.append(']');
        double low = min > max ? 0 : Math.max(0, Math.floor((min - 0.05) * 20) / 20);
        double high = min > max ? 1 : Math.min(1.0001, max + 0.03);
        Figure figure = new Figure(Layout.builder().title(title).width(Plots.WIDTH).height(Plots.HEIGHT)
                .xAxis(Axis.builder().title("setting").build())
                .yAxis(Axis.builder().title("test accuracy").range(low, high).build()).build(),
                BarTrace.builder(names, y).name("test accuracy").build());
        String extra = "trace0.text = " + text + ";" + "trace0.textposition = 'outside';"
                + "trace0.marker = {color: '#4a7ab5'};" + "layout.margin = {b: 140};" + "layout.xaxis.automargin = true;";
        return new Chart(title, figure, extra);
    }
}
