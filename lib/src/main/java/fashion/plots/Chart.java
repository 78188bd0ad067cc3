package fashion.plots;

import tech.tablesaw.plotly.components.Figure;

/**
 * A Plotly figure ready to show: a tablesaw-jsplot {@link Figure} plus the few Plotly properties tablesaw
 * cannot express (cell text of heatmaps, colour scales, axis order), as JavaScript run before drawing.
 * In a notebook a chart renders itself; {@link #html()} gives the output's HTML.
 */
public final class Chart {
    private final String title;
    private final Figure figure;
    private final String extraJs;

    public Chart(String title, Figure figure, String extraJs) {
        this.title = title;
        this.figure = figure;
        this.extraJs = extraJs == null ? "" : extraJs;
    }

    public String title() {
        return title;
    }

    /** The tablesaw-jsplot figure. */
    public Figure figure() {
        return figure;
    }

    /** JavaScript applied to tablesaw's {@code trace0..}, {@code layout} before drawing (see {@link PlotlyHtml}). */
    public String extraJs() {
        return extraJs;
    }

    /** The figure's JavaScript: tablesaw's traces and layout followed by the extra properties. */
    public String javascript() {
        return figure.asJavascript("chart") + "\n" + extraJs;
    }

    /** The {@code text/html} of a notebook output showing this chart. */
    public String html() {
        return PlotlyHtml.html(figure, extraJs);
    }

    @Override
    public String toString() {
        return "Chart: " + title;
    }
}
