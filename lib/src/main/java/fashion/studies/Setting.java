package fashion.studies;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * One point of a study's grid: the value of every varied parameter.
 *
 * <pre>
 * Study.of("learning-rate").vary("learningRate", 1e-3, 1e-4)
 *      .model(s -> Models.dense().learningRate(s.number("learningRate")).build())
 * </pre>
 */
public final class Setting {
    /** The model seed of a study's first repeat: the models' default, so that single-seed runs saved earlier stay seed 0. */
    public static final long FIRST_SEED = 42;
    private final Map<String, Object> values;
    private final int repeat;

    Setting(Map<String, Object> values) {
        this(values, 0);
    }

    private Setting(Map<String, Object> values, int repeat) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        this.repeat = repeat;
    }

    /** The same setting in repeat {@code r} (0 for the first seed). */
    Setting repeat(int r) {
        return new Setting(values, r);
    }

    /** Which repeat of the setting this is: 0 for the first seed, 1 for the second, ... ({@code Study.repeats}). */
    public int repeat() {
        return repeat;
    }

    /**
     * The model seed of this repeat, {@code 42 + repeat()}: pass it to the model's builder,
     * {@code .model(s -> Models.dense().seed(s.seed()).build())}, so that weight initialisation and dropout follow
     * the repeat. (The study offsets the training seed, which orders and augments the images, by the repeat too.)
     */
    public long seed() {
        return FIRST_SEED + repeat;
    }

    /** Builds a setting from alternating names and values: {@code Setting.of("depth", 2, "width", 500)}. */
    public static Setting of(Object... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new StudyException("Setting.of takes names and values in pairs, got " + namesAndValues.length + " arguments.");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            m.put(String.valueOf(namesAndValues[i]), namesAndValues[i + 1]);
        }
        return new Setting(m);
    }

    /** The varied parameters and their values, in the order they were declared. */
    public Map<String, Object> values() {
        return values;
    }

    public Object get(String parameter) {
        if (!values.containsKey(parameter)) {
            throw new StudyException("this study varies no parameter '" + parameter + "': it varies " + values.keySet() + ".");
        }
        return values.get(parameter);
    }

    public double number(String parameter) {
        Object v = get(parameter);
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        throw new StudyException("parameter '" + parameter + "' is " + v + ", not a number.");
    }

    public int integer(String parameter) {
        double d = number(parameter);
        if (d != Math.rint(d)) {
            throw new StudyException("parameter '" + parameter + "' is " + d + ", not a whole number.");
        }
        return (int) d;
    }

    public String text(String parameter) {
        return String.valueOf(get(parameter));
    }

    public boolean flag(String parameter) {
        Object v = get(parameter);
        if (v instanceof Boolean b) {
            return b;
        }
        throw new StudyException("parameter '" + parameter + "' is " + v + ", not true or false.");
    }

    /** "learningRate 1e-4", "depth 10, width 500"; "default" for a study that varies nothing. */
    public String label() {
        if (values.isEmpty()) {
            return "default";
        }
        StringJoiner j = new StringJoiner(", ");
        values.forEach((k, v) -> j.add(k + " " + format(v)));
        return j.toString();
    }

    /** Numbers as people write them: 1e-4, 0.5, 700. */
    static String format(Object v) {
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (d == 0) {
                return "0";
            }
            if (d == Math.rint(d) && Math.abs(d) < 1e6) {
                return String.valueOf((long) d);
            }
            if (Math.abs(d) < 1e-2) {
                String[] p = String.format(Locale.ROOT, "%e", d).split("e");
                double mantissa = Double.parseDouble(p[0]);
                int exponent = Integer.parseInt(p[1]);
                String m = mantissa == Math.rint(mantissa) ? String.valueOf((long) mantissa)
                        : String.format(Locale.ROOT, "%.3g", mantissa).replaceAll("0+$", "");
                return (m.equals("1") ? "1" : m) + "e" + exponent;
            }
            return String.format(Locale.ROOT, "%.4g", d).replaceAll("(\\.\\d*?)0+$", "$1").replaceAll("\\.$", "");
        }
        return String.valueOf(v);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Setting s && s.values.equals(values) && s.repeat == repeat;
    }

    @Override
    public int hashCode() {
        return values.hashCode() * 31 + repeat;
    }

    @Override
    public String toString() {
        return label();
    }
}
