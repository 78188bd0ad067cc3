package fashion.display;

import java.util.Locale;

import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/** Tablesaw tables as compact HTML: the table's name as caption, numbers right-aligned with 4 decimals. */
public final class TableHtml {
    private TableHtml() {
    }

    public static String html(Table table) {
        StringBuilder sb = new StringBuilder("<table class=\"fashion-table\" style=\"border-collapse:collapse;font-size:12px;break-inside:avoid\">");
        if (table.name() != null && !table.name().isEmpty()) {
            sb.append("<caption style=\"caption-side:top;text-align:left;font-weight:bold;padding:4px 0\">")
                    .append(escape(table.name())).append("</caption>");
        }
        sb.append("<thead><tr>");
        for (Column<?> c : table.columns()) {
            sb.append("<th style=\"border-bottom:1px solid #888;padding:2px 8px;text-align:")
                    .append(numeric(c) ? "right" : "left").append("\">").append(escape(c.name())).append("</th>");
        }
        sb.append("</tr></thead><tbody>");
        for (int r = 0; r < table.rowCount(); r++) {
            sb.append("<tr>");
            for (Column<?> c : table.columns()) {
                sb.append("<td style=\"padding:2px 8px;text-align:").append(numeric(c) ? "right" : "left").append("\">")
                        .append(escape(format(c.get(r)))).append("</td>");
            }
            sb.append("</tr>");
        }
        return sb.append("</tbody></table>").toString();
    }

    static boolean numeric(Column<?> c) {
        String t = c.type().name();
        return t.equals("DOUBLE") || t.equals("FLOAT") || t.equals("INTEGER") || t.equals("LONG") || t.equals("SHORT");
    }

    static String format(Object v) {
        if (v == null) {
            return "";
        }
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (Double.isNaN(d)) {
                return "";
            }
            return Math.abs(d) >= 1000 || d == Math.rint(d) && Math.abs(d) >= 100 ? String.format(Locale.ROOT, "%.1f", d)
                    : String.format(Locale.ROOT, "%.4f", d);
        }
        return String.valueOf(v);
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
