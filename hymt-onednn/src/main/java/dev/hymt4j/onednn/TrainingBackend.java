package dev.hymt4j.onednn;

import dev.hymt4j.model.LayerWeights;
import dev.hymt4j.model.ModelWeights;
import dev.hymt4j.tensor.Matrix;

import java.util.Locale;
import java.util.Optional;

/**
 * Where the frozen products of LoRA training run ({@code hymt train --backend}, the training config's
 * {@code backend} key, {@code hymt bench --backend}), chosen once at start-up.
 *
 * <ul>
 *   <li>{@link #JAVA} (the default): the Vector API kernels, exact FP32, batch-invariant — the reference.</li>
 *   <li>{@link #ONEDNN}: the frozen projections and the LM head in oneDNN with BF16 compute
 *       ({@link OneDnnMatrix}: what PyTorch's bf16 autocast does); everything else — LoRA products, attention,
 *       norms, the optimizer — stays in Java FP32. Falls back to Java, with one line, where oneDNN cannot load.</li>
 *   <li>{@link #AUTO}: oneDNN where it loads with AMX allowed ({@link AmxProbe}; 3–4× the Java products), else
 *       where one product timed both ways at start-up ({@link Calibration}) shows it at least 1.3× faster — the bar
 *       a native backend must clear (issue 14): AVX-512 BF16 on Zen 5 does (2.2–2.7×), the same ISA on a Sapphire
 *       Rapids class VM does not (1.1–1.3×). Java everywhere else. A resumed run reuses the choice of the run it
 *       continues ({@code hymt train} records it), so that it repeats bit for bit.</li>
 * </ul>
 * Inference (the engine, translation, the evaluation's greedy decoding) does not use this choice: it runs on the
 * Java kernels unless a command asks for {@code --backend onednn} ({@link OneDnnWeightSource}).
 */
public enum TrainingBackend {
    JAVA, ONEDNN, AUTO;

    /** {@code java}, {@code onednn} or {@code auto} (any case). */
    public static TrainingBackend parse(String name) {
        for (TrainingBackend b : values()) if (b.configName().equalsIgnoreCase(name.trim())) return b;
        throw new IllegalArgumentException("unknown backend '" + name + "' (expected java, onednn or auto)");
    }

    /** The name in configs and on the command line. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * What a run on this backend uses: {@code backend} is {@link #JAVA} or {@link #ONEDNN} (never AUTO),
     * {@code weights} the weights to train on, {@code line} the one line to log about the choice.
     */
    public record Choice(TrainingBackend backend, ModelWeights weights, String line) {}

    /** Resolves this backend for {@code weights} (loading oneDNN and probing AMX where it needs to). */
    public Choice choose(ModelWeights weights) {
        return switch (this) {
            case JAVA -> java(weights, "java (exact FP32 Vector API kernels)");
            case ONEDNN -> OneDnn.get().map(dnn -> onednn(weights, dnn, "onednn"))
                    .orElseGet(() -> java(weights, "java: oneDNN cannot load here (" + OneDnn.unavailableReason() + ")"));
            case AUTO -> auto(weights);
        };
    }

    private static Choice auto(ModelWeights weights) {
        Optional<OneDnn> loaded = OneDnn.get();
        if (loaded.isEmpty()) return java(weights, "auto → java (oneDNN cannot load here: " + OneDnn.unavailableReason() + ")");
        OneDnn dnn = loaded.get();
        if (dnn.amx()) return onednn(weights, dnn, "auto → onednn (AMX: 3–4× the Java products, measured)");
        Optional<Calibration> measured = Calibration.measure(weights, dnn);
        if (measured.isEmpty()) return onednn(weights, dnn, "auto");   // says why nothing can go to oneDNN
        Calibration c = measured.get();
        return c.onednnWins() ? onednn(weights, dnn, "auto → onednn (" + c + ")")
                : java(weights, "auto → java (" + c + "; " + dnn.description() + ")");
    }

    private static Choice java(ModelWeights weights, String why) {
        return new Choice(JAVA, weights, "training backend: " + why);
    }

    private static Choice onednn(ModelWeights weights, OneDnn dnn, String label) {
        int[] counts = new int[2];
        ModelWeights wrapped = wrap(weights, dnn, counts);
        if (counts[0] == 0) {
            return java(weights, label + " → java: no frozen matrix is BF16 or F32 in native memory (quantized base?)"
                    + (dnn.bf16Matmul() ? "" : ", and BF16 ones cannot go there: oneDNN has no BF16 matmul on this CPU"));
        }
        // without a BF16 matmul only F32 matrices go there, and oneDNN multiplies them in FP32 despite fpmath_mode=bf16
        return new Choice(ONEDNN, wrapped, String.format("training backend: %s, %s compute on %d of %d frozen matrices, %s — %s",
                label, dnn.bf16Matmul() ? "BF16" : "FP32", counts[0], counts[1], PackedWeights.budgetLine(), dnn.description()));
    }

    /**
     * The projections and the LM head behind {@link OneDnnMatrix} where it supports them (BF16 or F32 in native
     * memory; NF4 and other formats stay as they are). The embedding lookup stays in Java; a tied head is wrapped
     * as the head only. {@code counts} gets [wrapped, all] matrices.
     */
    static ModelWeights wrap(ModelWeights w, OneDnn dnn, int[] counts) {
        LayerWeights[] layers = new LayerWeights[w.layers().length];
        for (int i = 0; i < layers.length; i++) {
            LayerWeights l = w.layers()[i];
            layers[i] = new LayerWeights(l.inputNorm(), wrap(l.q(), dnn, counts), wrap(l.k(), dnn, counts), wrap(l.v(), dnn, counts),
                    wrap(l.o(), dnn, counts), l.queryNorm(), l.keyNorm(), l.postAttentionNorm(), wrap(l.gate(), dnn, counts),
                    wrap(l.up(), dnn, counts), wrap(l.down(), dnn, counts));
        }
        return new ModelWeights(w.config(), w.embedding(), layers, w.finalNorm(), wrap(w.lmHead(), dnn, counts));
    }

    private static Matrix wrap(Matrix m, OneDnn dnn, int[] counts) {
        counts[1]++;
        if (!OneDnnMatrix.supports(m, dnn)) return m;
        counts[0]++;
        return new OneDnnMatrix(m, dnn);
    }
}
