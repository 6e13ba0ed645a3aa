package dev.hymt4j.eval;

/** A metric score on sacreBLEU's 0–100 scale with the signature that makes it reproducible. */
public sealed interface Score permits BleuScore, ChrfScore, TerScore {
    /** The score, 0–100 (TER can exceed 100). */
    double score();

    /** sacreBLEU's signature, e.g. {@code nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0}. */
    String signature();

    /** sacreBLEU's one-line rendering, e.g. {@code BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ...)}. */
    String formatted();
}
