package dev.hymt4j.gptq;

import dev.hymt4j.quant.GptqConfig;

/**
 * Settings of one GPTQ run. Defaults are the ones formats spec §4.5 recommends for HY-MT (bits 4, group 128,
 * symmetric, no act-order, damp 0.01 — the tools disagree, so every one is an option).
 *
 * @param blockSize        columns per lazy batch update (the reference's 128; changes nothing but speed and
 *                         the rounding order of the updates)
 * @param f16Scales        round scales to F16 before using them (see {@link Quantizer}); false = reference-exact
 * @param dampIncrement    on a failed Cholesky factorization, retry with {@code damp + dampIncrement} (GPTQModel's
 *                         {@code damp_auto_increment}), up to {@code damp < 1}
 * @param v2               write {@code checkpoint_format "gptq_v2"} (true zeros) instead of v1 ({@code zero − 1})
 */
public record GptqOptions(int bits, int groupSize, boolean sym, boolean actOrder, boolean staticGroups,
                          double damp, int blockSize, boolean f16Scales, double dampIncrement, boolean v2) {

    public static final GptqOptions DEFAULT = new GptqOptions(4, 128, true, false, false, 0.01, 128, true, 0.0025, false);

    public GptqOptions {
        GptqConfig.checkBits(bits, null);
        GptqConfig.checkGroupSize(groupSize, null);
        if (!(damp > 0 && damp < 1)) throw new IllegalArgumentException("damp " + damp + " must be in (0, 1) (a fraction of the mean Hessian diagonal)");
        if (blockSize < 1) throw new IllegalArgumentException("block size " + blockSize + " must be ≥ 1");
        if (staticGroups && groupSize < 0) throw new IllegalArgumentException("static groups need a group size (got -1)");
    }

    public GptqOptions withBits(int b) {
        return new GptqOptions(b, groupSize, sym, actOrder, staticGroups, damp, blockSize, f16Scales, dampIncrement, v2);
    }

    public GptqOptions withGroupSize(int g) {
        return new GptqOptions(bits, g, sym, actOrder, staticGroups, damp, blockSize, f16Scales, dampIncrement, v2);
    }

    public GptqOptions withSym(boolean s) {
        return new GptqOptions(bits, groupSize, s, actOrder, staticGroups, damp, blockSize, f16Scales, dampIncrement, v2);
    }

    public GptqOptions withActOrder(boolean a) {
        return new GptqOptions(bits, groupSize, sym, a, staticGroups, damp, blockSize, f16Scales, dampIncrement, v2);
    }

    public GptqOptions withStaticGroups(boolean s) {
        return new GptqOptions(bits, groupSize, sym, actOrder, s, damp, blockSize, f16Scales, dampIncrement, v2);
    }

    public GptqOptions withDamp(double d) {
        return new GptqOptions(bits, groupSize, sym, actOrder, staticGroups, d, blockSize, f16Scales, dampIncrement, v2);
    }

    public GptqOptions withBlockSize(int b) {
        return new GptqOptions(bits, groupSize, sym, actOrder, staticGroups, damp, b, f16Scales, dampIncrement, v2);
    }

    public GptqOptions withF16Scales(boolean f) {
        return new GptqOptions(bits, groupSize, sym, actOrder, staticGroups, damp, blockSize, f, dampIncrement, v2);
    }

    public GptqOptions withV2(boolean v) {
        return new GptqOptions(bits, groupSize, sym, actOrder, staticGroups, damp, blockSize, f16Scales, dampIncrement, v);
    }

    /** The quantizer these settings imply (v1 asymmetric zeros are kept ≥ 1). */
    public Quantizer quantizer() {
        return new Quantizer(bits, sym, f16Scales, sym || v2 ? 0 : 1);
    }

    /** The checkpoint config these settings write. */
    public GptqConfig config() {
        return GptqConfig.of(bits, groupSize, sym, actOrder, staticGroups, damp, v2);
    }
}
