package dev.hymt4j.eval;

import java.util.ArrayList;
import java.util.List;

/** What we claim compatibility with, and the signature format shared by all metrics. */
public final class Sacrebleu {
    private Sacrebleu() {}

    /**
     * The sacreBLEU release whose algorithms we reproduce (spec §7: source of 2.6.0; unchanged since
     * 2.0). It is the {@code version:} field of every signature, as sacreBLEU prints its own version.
     */
    public static final String VERSION = "2.6.0";

    /**
     * A signature: {@code key:value} pairs joined by {@code |}, {@code nrefs} first and {@code version}
     * last, as {@code Signature.format()} writes them.
     */
    static String signature(String nrefs, String... keyValues) {
        List<String> parts = new ArrayList<>();
        parts.add("nrefs:" + nrefs);
        for (int i = 0; i < keyValues.length; i += 2) parts.add(keyValues[i] + ":" + keyValues[i + 1]);
        parts.add("version:" + VERSION);
        return String.join("|", parts);
    }

    /** sacreBLEU writes booleans in signatures as yes/no. */
    static String yesNo(boolean b) {
        return b ? "yes" : "no";
    }
}
