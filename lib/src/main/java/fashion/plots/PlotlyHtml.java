package fashion.plots;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Array;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import tech.tablesaw.plotly.components.Figure;

/**
 * The {@code text/html} that a notebook cell output carries for one Plotly figure, offline.
 *
 * <h2>How plotly.js reaches the page</h2>
 * The jar bundles plotly.js as the resource {@value #PLOTLY_RESOURCE} (the npm package
 * {@code plotly.js-cartesian-dist-min} 2.35.x: traces bar, box, contour, heatmap, histogram,
 * histogram2d, histogram2dcontour, image, pie, scatter, scatterternary, violin; plotly.js 2.x because
 * tablesaw writes string titles and {@code titlefont}, which plotly.js 3 dropped). It is put there by
 * {@code environment/setup}, never fetched from a CDN.
 * <ul>
 * <li>The first figure output of a JVM (that is, of a kernel session) embeds the bundle once, in a
 * {@code <script data-fashion-plotly="...">} that hides require.js's {@code define} from the UMD
 * bundle, so the bundle sets {@code window.Plotly} in the classic notebook too (where it would
 * otherwise register as an anonymous AMD module). Later outputs only refer to {@code window.Plotly}.
 * {@link #resetEmbedding()} makes the next output embed it again (e.g. after clearing that output).</li>
 * <li>Each figure's script queues its drawing function in {@code window.fashionPlotlyQueue} and draws
 * as soon as {@code window.Plotly} exists: at once, when the embedding output runs, or by polling (for
 * front ends that render outputs out of order, such as JupyterLab's windowed notebook).</li>
 * <li>When the page has no plotly.js (the page was reloaded and the embedding output is gone or was never
 * saved, or a new cell draws after a reload), the figure loads it once per page from the notebook server:
 * {@code environment/setup} installs the same bundle as {@code <data dir>/nbextensions/}{@value #SERVED_DIR}
 * {@code /plotly-<hash>.min.js} ({@link #servedFileName()}, named by its content so that a browser never keeps
 * an older copy), which the server serves at {@code <base url>nbextensions/...}, offline. The page's base URL
 * comes from the classic notebook's {@code data-base-url} or JupyterLab's {@code jupyter-config-data}. With
 * require.js on the page the bundle is loaded as an AMD module, otherwise by a script element.
 * After 5 s without plotly.js the figure shows a hint in its place.</li>
 * <li>{@code environment/export} removes the embedded copies from the outputs and puts plotly.js once
 * in the page's head.</li>
 * </ul>
 * Outputs with scripts run only in trusted notebooks ({@code jupyter trust}).
 *
 * <h2>Extra JavaScript: Plotly properties tablesaw lacks</h2>
 * {@link #html(Figure, String)} takes JavaScript that runs after tablesaw's variables are defined
 * and right before {@code Plotly.newPlot}. In its scope:
 * <ul>
 * <li>{@code trace0}, {@code trace1}, ... : the traces, in the order given to the {@link Figure};</li>
 * <li>{@code data}: the array {@code [trace0, trace1, ...]} that is plotted (it may be replaced or
 * appended to);</li>
 * <li>{@code layout}: the layout object (tablesaw always sets {@code width} and {@code height});</li>
 * <li>{@code config}: Plotly's config object, initially {@code {displaylogo: false}};</li>
 * <li>{@code div}: the figure's {@code <div>} element; {@code Plotly}: the plotly.js module.</li>
 * </ul>
 * Build values with {@link #json(Object)}, which writes Java arrays, lists, maps, strings, numbers
 * and booleans as JavaScript literals, e.g. a confusion matrix with counts in its cells:
 * <pre>{@code
 * String extra = "trace0.colorscale = 'Blues';"
 *     + "trace0.text = " + PlotlyHtml.json(counts) + ";"   // int[][]
 *     + "trace0.texttemplate = '%{text}';"
 *     + "layout.yaxis.autorange = 'reversed';";
 * display("text/html", PlotlyHtml.html(figure, extra));
 * }</pre>
 * Tablesaw event handlers still work: they run after the plot exists.
 */
public final class PlotlyHtml {

    /** Class-path resource holding the plotly.js bundle. */
    public static final String PLOTLY_RESOURCE = "/fashion/plots/plotly.min.js";

    /** Folder under the notebook server's {@code nbextensions/} from which figures load plotly.js after a reload. */
    public static final String SERVED_DIR = "fashion-plotly";

    private static final AtomicBoolean EMBEDDED = new AtomicBoolean(false);
    private static final AtomicLong COUNTER = new AtomicLong();
    private static volatile String plotlyJs;
    private static final Pattern SCRIPT_TAG = Pattern.compile("(?is)^\\s*<script[^>]*>(.*)</script>\\s*$");
    private static final Pattern VERSION = Pattern.compile("plotly\\.js[^\\n]*?v(\\d+\\.\\d+\\.\\d+)");

    private PlotlyHtml() {
    }

    /** The output for one figure; embeds plotly.js if it is the first figure output of this JVM. */
    public static String html(Figure figure) {
        return html(figure, null);
    }

    /**
     * The output for one figure, with {@code extraJs} run just before {@code Plotly.newPlot}
     * (see the class comment for the variables in its scope); embeds plotly.js if it is the first
     * figure output of this JVM.
     */
    public static String html(Figure figure, String extraJs) {
        String loader = EMBEDDED.compareAndSet(false, true) ? plotlyScript() : "";
        return loader + figureHtml(figure, extraJs);
    }

    /** The figure's div and script, without plotly.js (the page must provide it). */
    public static String figureHtml(Figure figure, String extraJs) {
        String divId = "fashion_plot_" + COUNTER.incrementAndGet() + "_"
                + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffffffL);
        Matcher m = SCRIPT_TAG.matcher(figure.asJavascript(divId));
        if (!m.matches()) {
            throw new IllegalStateException("unexpected tablesaw figure script");
        }
        String tablesawJs = safeScript(m.group(1));
        String extra = extraJs == null ? "" : safeScript(extraJs);
        return "<div id=\"" + divId + "\" class=\"fashion-plot\"></div>\n"
                + "<script type=\"text/javascript\">\n"
                + "(function () {\n"
                + "var divId = '" + divId + "';\n"
                + "var draw = function (realPlotly) {\n"
                + "  var div = document.getElementById(divId);\n"
                + "  if (!div) { return; }\n"
                + "  div.innerHTML = '';\n"
                + "  var config = {displaylogo: false};\n"
                + "  var done = false;\n"
                + "  var plot = function () {\n"
                + "    if (done) { return; }\n"
                + "    done = true;\n"
                + "    (function (Plotly) {\n"
                + extra + "\n"
                + "    })(realPlotly);\n"
                + "    var p = realPlotly.newPlot(div, data, layout, config);\n"
                + "    if (p && p.then) { p.then(function () { div.setAttribute('data-fashion-rendered', 'true'); }); }\n"
                + "    return p;\n"
                + "  };\n"
                + "  var Plotly = Object.create(realPlotly);\n"
                + "  Plotly.newPlot = function () { return plot(); };\n"
                + tablesawJs + "\n"
                + "  plot();\n"
                + "};\n"
                + FLUSH_JS
                + "var q = (window.fashionPlotlyQueue = window.fashionPlotlyQueue || []);\n"
                + "q.push(draw);\n"
                + loaderJs()
                + "if (!window.fashionPlotlyFlush()) {\n"
                + "  window.fashionPlotlyLoad();\n"
                + "  var n = 0;\n"
                + "  var timer = setInterval(function () {\n"
                + "    if (window.fashionPlotlyFlush()) { clearInterval(timer); return; }\n"
                + "    var div = document.getElementById(divId);\n"
                + "    if (++n === 50 && div && !div.hasChildNodes()) {\n"
                + "      div.textContent = 'Waiting for plotly.js: neither this page nor the notebook server has it."
                + " Run environment/setup (it installs plotly.js for the notebook server), restart the server,"
                + " and trust the notebook; or call fashion.plots.PlotlyHtml.resetEmbedding() and re-run this cell"
                + " to embed it in the output.';\n"
                + "    }\n"
                + "  }, 100);\n"
                + "}\n"
                + "})();\n"
                + "</script>\n";
    }

    /** Defines window.fashionPlotlyFlush(): draws the queued figures if plotly.js is there. */
    private static final String FLUSH_JS =
            "if (!window.fashionPlotlyFlush) {\n"
            + "  window.fashionPlotlyFlush = function () {\n"
            + "    var P = window.Plotly;\n"
            + "    if (!(P && P.newPlot)) { return false; }\n"
            + "    var queue = window.fashionPlotlyQueue || [], f;\n"
            + "    while ((f = queue.shift())) {\n"
            + "      try { f(P); } catch (e) { if (window.console) { console.error('fashion plot', e); } }\n"
            + "    }\n"
            + "    return true;\n"
            + "  };\n"
            + "}\n";

    /**
     * Defines window.fashionPlotlyLoad(): once per page, loads the served plotly.js (see the class comment) and
     * draws the queued figures; does nothing outside a notebook server's page (an exported file).
     */
    private static String loaderJs() {
        return "if (!window.fashionPlotlyLoad) {\n"
                + "  window.fashionPlotlyLoad = function () {\n"
                + "    if (window.fashionPlotlyLoading || (window.Plotly && window.Plotly.newPlot)) { return; }\n"
                + "    var base = document.body ? document.body.getAttribute('data-base-url') : null;\n"
                + "    var config = document.getElementById('jupyter-config-data');\n"
                + "    if (base === null && config) { try { base = JSON.parse(config.textContent).baseUrl; } catch (e) { } }\n"
                + "    if (typeof base !== 'string') { return; }\n"
                + "    window.fashionPlotlyLoading = true;\n"
                + "    var url = base.replace(/\\/?$/, '/') + 'nbextensions/" + SERVED_DIR + "/" + servedFileName() + "';\n"
                + "    var loaded = function (P) {\n"
                + "      if (P && P.newPlot && !(window.Plotly && window.Plotly.newPlot)) { window.Plotly = P; }\n"
                + "      window.fashionPlotlyFlush();\n"
                + "    };\n"
                + "    var failed = function (e) {\n"
                + "      window.fashionPlotlyLoading = false;\n"
                + "      if (window.console) { console.error('fashion plots: could not load ' + url, e); }\n"
                + "    };\n"
                + "    if (typeof window.requirejs === 'function' && window.define && window.define.amd) {\n"
                + "      window.requirejs([url], loaded, failed);\n"
                + "    } else {\n"
                + "      var s = document.createElement('script');\n"
                + "      s.src = url;\n"
                + "      s.onload = function () { loaded(window.Plotly); };\n"
                + "      s.onerror = failed;\n"
                + "      document.head.appendChild(s);\n"
                + "    }\n"
                + "  };\n"
                + "}\n";
    }

    /**
     * The name under which {@code environment/setup} installs the bundled plotly.js for the notebook server:
     * {@code plotly-<first 16 hex digits of its SHA-256>.min.js}.
     */
    public static String servedFileName() {
        String name = servedName;
        if (name == null) {
            try {
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(plotlyJs().getBytes(StandardCharsets.UTF_8));
                name = "plotly-" + HexFormat.of().formatHex(digest, 0, 8) + ".min.js";
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("the JDK has no SHA-256", e);
            }
            servedName = name;
        }
        return name;
    }

    private static volatile String servedName;

    /**
     * A {@code <script>} that defines {@code window.Plotly} from the bundled plotly.js (unless the page
     * already has it) and draws figures waiting for it. Marked {@code data-fashion-plotly} so that the
     * export can find and dedupe it.
     */
    public static String plotlyScript() {
        String js = plotlyJs();
        return "<script type=\"text/javascript\" data-fashion-plotly=\"" + plotlyVersion() + "\">\n"
                + "(function (define, exports, module) {\n"
                + "if (!(window.Plotly && window.Plotly.newPlot)) {\n"
                + js + "\n"
                + "}\n"
                + "})();\n"
                + FLUSH_JS
                + "window.fashionPlotlyFlush();\n"
                + "</script>\n";
    }

    /** Makes the next {@link #html} output embed plotly.js again. */
    public static void resetEmbedding() {
        EMBEDDED.set(false);
    }

    /** The bundled plotly.js source. */
    public static String plotlyJs() {
        String js = plotlyJs;
        if (js == null) {
            try (InputStream in = PlotlyHtml.class.getResourceAsStream(PLOTLY_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("plotly.js is missing from the class path ("
                            + PLOTLY_RESOURCE + "): run environment/setup, then rebuild lib/");
                }
                js = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (js.toLowerCase().contains("</script")) {
                throw new IllegalStateException("plotly.js contains </script> and cannot be inlined");
            }
            plotlyJs = js;
        }
        return js;
    }

    /** The version of the bundled plotly.js, e.g. "2.35.3" ("unknown" if its header does not say). */
    public static String plotlyVersion() {
        String js = plotlyJs();
        Matcher m = VERSION.matcher(js.substring(0, Math.min(js.length(), 400)));
        return m.find() ? m.group(1) : "unknown";
    }

    /**
     * A standalone offline HTML page with the given figures and plotly.js inlined (for saving figures
     * to a file); it does not change what {@link #html} embeds.
     */
    public static String page(String title, Figure... figures) {
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
                .append(escapeHtml(title)).append("</title>\n")
                .append(plotlyScript())
                .append("</head>\n<body>\n");
        for (Figure f : figures) {
            sb.append(figureHtml(f, null));
        }
        return sb.append("</body>\n</html>\n").toString();
    }

    /**
     * A JavaScript literal (JSON) for a Java value: null, Boolean, Number (non-finite as null),
     * CharSequence or Character, Enum (its name), arrays (primitive or not, nested), Iterable, Map
     * (keys as strings). Safe to put inside a {@code <script>}.
     */
    public static String json(Object value) {
        StringBuilder sb = new StringBuilder();
        appendJson(sb, value);
        return sb.toString();
    }

    private static void appendJson(StringBuilder sb, Object v) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof Boolean) {
            sb.append(v);
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (Double.isFinite(d)) {
                sb.append(d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d));
            } else {
                sb.append("null");
            }
        } else if (v instanceof Number) {
            sb.append(v);
        } else if (v instanceof CharSequence || v instanceof Character || v instanceof Enum) {
            String s = v instanceof Enum ? ((Enum<?>) v).name() : v.toString();
            sb.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\t' -> sb.append("\\t");
                    case '<', '>', '&', '\u2028', '\u2029' -> sb.append(String.format("\\u%04x", (int) c));
                    default -> {
                        if (c < 0x20) {
                            sb.append(String.format("\\u%04x", (int) c));
                        } else {
                            sb.append(c);
                        }
                    }
                }
            }
            sb.append('"');
        } else if (v.getClass().isArray()) {
            int n = Array.getLength(v);
            sb.append('[');
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    sb.append(',');
                }
                appendJson(sb, Array.get(v, i));
            }
            sb.append(']');
        } else if (v instanceof Iterable<?> it) {
            sb.append('[');
            boolean first = true;
            for (Object o : it) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                appendJson(sb, o);
            }
            sb.append(']');
        } else if (v instanceof Map<?, ?> map) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                appendJson(sb, String.valueOf(e.getKey()));
                sb.append(':');
                appendJson(sb, e.getValue());
            }
            sb.append('}');
        } else {
            appendJson(sb, v.toString());
        }
    }

    /** Keeps a script body from closing its script element early. */
    private static String safeScript(String js) {
        return js.replaceAll("(?i)</(script)", "<\\\\/$1");
    }

    private static String escapeHtml(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
