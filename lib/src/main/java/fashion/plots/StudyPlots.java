package fashion.plots;

import java.util.ArrayList;
import java.util.List;
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
 * // several seeds per setting: mean curves with a band of one standard deviation, bars with error bars
 * StudyPlots.validationBands("Validation accuracy", Map.of("lr 1e-3", List.of(seed1Curve, seed2Curve, seed3Curve)))
 * StudyPlots.accuracyBarsWithSpread("Test accuracy", Map.of("lr 1e-3", new double[] {0.86, 0.861, 0.857}))
 * </pre>
 */
public final class StudyPlots {
    /** Plotly's default colours, so that a setting's band and its mean line share one. */
    private static final String[] COLORS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
        "#7f7f7f", "#bcbd22", "#17becf"};

    private StudyPlots() {
    }

    /**
     * One line per setting: the mean over its seeds of the validation accuracy (y) after each epoch (x, from 1),
     * inside a shaded band of plus and minus one standard deviation between seeds (no band for a single seed).
     * An epoch's mean is over the seeds that reached it.
     */
    public static Chart validationBands(String title, Map<String, List<double[]>> curvesPerSetting) {
        List<Trace> traces = new ArrayList<>();
        StringBuilder extra = new StringBuilder();
        int setting = 0;
        for (Map.Entry<String, List<double[]>> e : curvesPerSetting.entrySet()) {
            int epochs = e.getValue().stream().mapToInt(c -> c.length).max().orElse(0);
            double[] x = new double[epochs];
            double[] mean = new double[epochs];
            double[] low = new double[epochs];
            double[] high = new double[epochs];
            boolean band = false;
            for (int k = 0; k < epochs; k++) {
                x[k] = k + 1;
                final int epoch = k;
                fashion.evaluation.Spread s = fashion.evaluation.Spread.of(e.getValue().stream()
                        .filter(c -> c.length > epoch).mapToDouble(c -> c[epoch]).toArray());
                mean[k] = s.mean();
                double sd = s.n() > 1 ? s.sd() : 0;
                band |= s.n() > 1;
                low[k] = mean[k] - sd;
                high[k] = mean[k] + sd;
            }
            String color = COLORS[setting % COLORS.length];
            if (band) {
                int t = traces.size();
                traces.add(ScatterTrace.builder(x, low).name(e.getKey() + " - sd").mode(ScatterTrace.Mode.LINE).build());
                traces.add(ScatterTrace.builder(x, high).name(e.getKey() + " + sd").mode(ScatterTrace.Mode.LINE).build());
                extra.append(String.format(Locale.ROOT, "trace%d.line = {width: 0, color: '%s'}; trace%d.showlegend = false; "
                        + "trace%d.hoverinfo = 'skip';", t, color, t, t));
                extra.append(String.format(Locale.ROOT, "trace%d.line = {width: 0, color: '%s'}; trace%d.showlegend = false; "
                        + "trace%d.fill = 'tonexty'; trace%d.fillcolor = '%s'; trace%d.hoverinfo = 'skip';", t + 1, color, t + 1, t + 1,
                        t + 1, color + "33", t + 1));
            }
            int m = traces.size();
            int seeds = e.getValue().size();
            traces.add(ScatterTrace.builder(x, mean).name(e.getKey() + (seeds > 1 ? " (mean of " + seeds + " seeds)" : ""))
                    .mode(ScatterTrace.Mode.LINE_AND_MARKERS).build());
            extra.append(String.format(Locale.ROOT, "trace%d.line = {color: '%s'}; trace%d.marker = {color: '%s'};", m, color, m, color));
            setting++;
        }
        Figure figure = new Figure(Layout.builder().title(title).width(Plots.WIDTH).height(Plots.HEIGHT + 40)
                .xAxis(Axis.builder().title("epoch").build())
                .yAxis(Axis.builder().title("validation accuracy").build()).build(), traces.toArray(new Trace[0]));
        extra.append("layout.legend = {orientation: 'h', y: -0.25, traceorder: 'normal'};" + "layout.xaxis.dtick = 1;" + "layout.margin = {b: 120};");
        return new Chart(title, figure, extra.toString());
    }

    /**
     * One bar per setting at the mean of its values (the test accuracies of its seeds), with an error bar of plus and
     * minus one standard deviation (none for a single seed), labelled "mean ± sd"; each seed's own value is a dot.
     */
    public static Chart accuracyBarsWithSpread(String title, Map<String, double[]> valuesPerSetting) {
        Object[] names = valuesPerSetting.keySet().toArray();
        int n = names.length;
        double[] y = new double[n];
        StringBuilder errors = new StringBuilder("[");
        StringBuilder text = new StringBuilder("[");
        List<Object> dotX = new ArrayList<>();
        List<Double> dotY = new ArrayList<>();
        double min = 1;
        double max = 0;
        int i = 0;
        for (Map.Entry<String, double[]> e : valuesPerSetting.entrySet()) {
            fashion.evaluation.Spread s = fashion.evaluation.Spread.of(e.getValue());
            y[i] = s.mean();
            double sd = s.n() > 1 ? s.sd() : 0;
            errors.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.6f", sd));
            String label = s.n() == 0 ? "n/a" : s.n() == 1 ? String.format(Locale.ROOT, "%.4f", s.mean())
                    : String.format(Locale.ROOT, "%.4f ± %.4f", s.mean(), s.sd());
            text.append(i == 0 ? "" : ",").append('"').append(label).append('"');
            for (double v : s.values()) {
                dotX.add(e.getKey());
                dotY.add(v);
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            i++;
        }
        errors.append(']');
        text.append(']');
        double low = min > max ? 0 : Math.max(0, Math.floor((min - 0.05) * 20) / 20);
        double high = min > max ? 1 : Math.min(1.0001, max + 0.03);
        Trace bars = BarTrace.builder(names, y).name("mean test accuracy").build();
        Trace dots = ScatterTrace.builder(tech.tablesaw.api.StringColumn.create("setting", dotX.stream().map(String::valueOf).toList()),
                tech.tablesaw.api.DoubleColumn.create("accuracy", dotY.stream().mapToDouble(Double::doubleValue).toArray()))
                .name("each seed").mode(ScatterTrace.Mode.MARKERS).build();
        Figure figure = new Figure(Layout.builder().title(title).width(Plots.WIDTH).height(Plots.HEIGHT)
                .xAxis(Axis.builder().title("setting").build())
                .yAxis(Axis.builder().title("test accuracy").range(low, high).build()).build(), bars, dots);
        String extra = "trace0.text = " + text + ";" + "trace0.textposition = 'outside';"
                + "trace0.marker = {color: '#4a7ab5'};"
                + "trace0.error_y = {type: 'data', array: " + errors + ", visible: true, color: '#222'};"
                + "trace1.marker = {color: '#222', size: 6, symbol: 'circle-open'};"
                + "layout.showlegend = true; layout.legend = {orientation: 'h', y: -0.35};"
                + "layout.margin = {b: 160};" + "layout.xaxis.automargin = true;";
        return new Chart(title, figure, extra);
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
