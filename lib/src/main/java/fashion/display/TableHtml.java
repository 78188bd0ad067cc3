package fashion.display;

import java.util.Locale;

import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/** Tablesaw tables as compact HTML: the table's name as caption, numbers right-aligned with 4 decimals. */
public final class TableHtml {
    private TableHtml() {
    }

    /**
     * The table as HTML; a table of more than {@link Show#MAX_ROWS} rows shows its first and last
     * {@link Show#EDGE_ROWS} rows, a "..." row between them, and "N rows x M columns" under it (as pandas does).
     */
    public static String html(Table table) {
        return html(table, false);
    }

    /** {@link #html(Table)}, or every row when {@code allRows}. */
    public static String html(Table table, boolean allRows) {
        int n = table.rowCount();
        boolean cut = !allRows && n > Show.MAX_ROWS;
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
        for (int r = 0; r < n; r++) {
            if (cut && r == Show.EDGE_ROWS) {
                sb.append("<tr>");
                for (Column<?> c : table.columns()) {
                    sb.append("<td style=\"padding:2px 8px;text-align:").append(numeric(c) ? "right" : "left").append("\">...</td>");
                }
                sb.append("</tr>");
                r = n - Show.EDGE_ROWS;
            }
            sb.append("<tr>");
            for (Column<?> c : table.columns()) {
                sb.append("<td style=\"padding:2px 8px;text-align:").append(numeric(c) ? "right" : "left").append("\">")
                        .append(escape(format(c.get(r)))).append("</td>");
            }
            sb.append("</tr>");
        }
        sb.append("</tbody></table>");
        if (cut) {
            sb.append("<p style=\"font-size:12px;margin:2px 0\">").append(shape(table)).append(" (the first and last ")
                    .append(Show.EDGE_ROWS).append(" shown; <code>Show.all(table)</code> shows every row)</p>");
        }
        return sb.toString();
    }

    /** "55000 rows x 3 columns". */
    static String shape(Table table) {
        return table.rowCount() + " rows x " + table.columnCount() + " columns";
    }

    /**
     * The table as text: every row of a short table; of a long one (more than {@link Show#MAX_ROWS} rows) the first and
     * last {@link Show#EDGE_ROWS} rows and "N rows x M columns".
     */
    public static String text(Table table) {
        int n = table.rowCount();
        if (n <= Show.MAX_ROWS) {
            return table.printAll();
        }
        java.util.List<String[]> lines = new java.util.ArrayList<>();
        lines.add(table.columnNames().toArray(String[]::new));
        for (int r = 0; r < n; r++) {
            if (r == Show.EDGE_ROWS) {
                String[] dots = new String[table.columnCount()];
                java.util.Arrays.fill(dots, "...");
                lines.add(dots);
                r = n - Show.EDGE_ROWS;
            }
            String[] cells = new String[table.columnCount()];
            for (int c = 0; c < cells.length; c++) {
                cells[c] = format(table.column(c).get(r));
            }
            lines.add(cells);
        }
        int[] width = new int[table.columnCount()];
        for (String[] l : lines) {
            for (int c = 0; c < l.length; c++) {
                width[c] = Math.max(width[c], l[c].length());
            }
        }
        StringBuilder sb = new StringBuilder(table.name() == null ? "" : table.name() + "\n");
        for (String[] l : lines) {
            for (int c = 0; c < l.length; c++) {
                boolean right = numeric(table.column(c));
                sb.append(c == 0 ? "" : "  ").append(String.format(Locale.ROOT, "%" + (right ? "" : "-") + width[c] + "s", l[c]));
            }
            sb.append('\n');
        }
        return sb.append(shape(table)).append(" (the first and last ").append(Show.EDGE_ROWS)
                .append(" shown; Show.all(table) shows every row)").toString();
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
