package fashion.models;

/** A setting outside its allowed range, rejected before any training: the message names the setting and the range. */
public class SettingException extends IllegalArgumentException {
    public SettingException(String message) {
        super(message);
    }

    /** Rejects {@code value < 1}. */
    public static int positive(String setting, int value) {
        if (value < 1) {
            throw new SettingException(setting + " must be a whole number of at least 1, got " + value + ".");
        }
        return value;
    }

    /** Rejects values that are not finite and greater than zero. */
    public static double positive(String setting, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new SettingException(setting + " must be a finite number greater than 0 (for example 1e-4), got " + value + ".");
        }
        return value;
    }

    /** Rejects values below zero or not finite. */
    public static double nonNegative(String setting, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new SettingException(setting + " must be a finite number of at least 0 (0 switches it off), got " + value + ".");
        }
        return value;
    }

    /** Rejects values outside [0, 1). */
    public static double fraction(String setting, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new SettingException(setting + " must be at least 0 and below 1, got " + value + ".");
        }
        return value;
    }
}
