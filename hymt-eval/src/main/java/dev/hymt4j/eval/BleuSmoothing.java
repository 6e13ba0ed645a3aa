package dev.hymt4j.eval;

import java.util.Arrays;

/**
 * BLEU smoothing methods (Chen &amp; Cherry 2014), as named in sacreBLEU. {@code exp} is the default
 * (NIST/mteval), {@code floor} and {@code add-k} take a value with the defaults 0.1 and 1.
 */
public enum BleuSmoothing {
    EXP("exp", null),
    FLOOR("floor", 0.1),
    ADD_K("add-k", 1.0),
    NONE("none", null);

    private final String id;
    private final Double defaultValue;

    BleuSmoothing(String id, Double defaultValue) {
        this.id = id;
        this.defaultValue = defaultValue;
    }

    /** sacreBLEU's name: {@code exp}, {@code floor}, {@code add-k}, {@code none}. */
    public String id() {
        return id;
    }

    /** Whether the method takes a value (floor, add-k). */
    public boolean takesValue() {
        return defaultValue != null;
    }

    /** The value used when none is given; 0 for methods without a value. */
    public double defaultValue() {
        return defaultValue == null ? 0 : defaultValue;
    }

    public static BleuSmoothing forId(String id) {
        for (BleuSmoothing s : values()) {
            if (s.id.equals(id)) return s;
        }
        throw new IllegalArgumentException("unknown BLEU smoothing '" + id + "' (known: "
                + String.join(", ", Arrays.stream(values()).map(BleuSmoothing::id).toList()) + ")");
    }
}
