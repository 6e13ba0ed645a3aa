package dev.hymt4j.onednn;

import dev.hymt4j.model.LayerWeights;
import dev.hymt4j.model.ModelWeights;
import dev.hymt4j.tensor.Matrix;

import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * {@link TrainingBackend#AUTO}'s measurement on this machine: one product of the model's largest frozen matrix
 * in layer 0 over {@link #TOKENS} tokens, timed on the Java kernels and in oneDNN, alternating, best of
 * {@link #ROUNDS} after a warm-up. Whether BF16 compute pays depends on the CPU, not only on its flags: AVX-512
 * BF16 on Zen 5 runs {@code vdpbf16ps} at twice the FP32 FMA rate (measured: oneDNN 2.2–2.7× the Java product,
 * a training step 1.55×), on a Sapphire Rapids class VM capped below AMX at the same rate (1.1–1.3×). About
 * 0.1 s at start-up.
 */
record Calibration(String matrix, double javaMs, double onednnMs) {
    /** A native backend must win by this much in a same-run measurement to be chosen (issue 14). */
    static final double MIN_GAIN = 1.3;
    static final int TOKENS = 128;
    private static final int ROUNDS = 3;
    private static final String[] NAMES = {"q", "k", "v", "o", "gate", "up", "down"};

    double gain() {
        return javaMs / onednnMs;
    }

    boolean onednnWins() {
        return gain() >= MIN_GAIN;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "measured one %d-token product of layer 0's %s: java %.2f ms, oneDNN %.2f ms, %.2f× %s %.1f×",
                TOKENS, matrix, javaMs, onednnMs, gain(), onednnWins() ? "≥" : "<", MIN_GAIN);
    }

    /** The measurement, or empty where no frozen matrix of layer 0 can run in oneDNN (quantized, on the heap). */
    static Optional<Calibration> measure(ModelWeights weights, OneDnn dnn) {
        LayerWeights l = weights.layers()[0];
        Matrix[] frozen = {l.q(), l.k(), l.v(), l.o(), l.gate(), l.up(), l.down()};
        int pick = -1;
        for (int i = 0; i < frozen.length; i++) {
            if (OneDnnMatrix.supports(frozen[i], dnn)
                    && (pick < 0 || (long) frozen[i].rows() * frozen[i].cols() > (long) frozen[pick].rows() * frozen[pick].cols())) {
                pick = i;
            }
        }
        if (pick < 0) return Optional.empty();
        Matrix java = frozen[pick];
        Matrix native_ = OneDnnMatrix.wrap(java, dnn);
        float[] x = new float[TOKENS * java.cols()], out = new float[TOKENS * java.rows()];
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < x.length; i++) x[i] = (float) (random.nextDouble() * 2 - 1);
        time(java, x, out);
        time(native_, x, out);
        double bestJava = Double.MAX_VALUE, bestNative = Double.MAX_VALUE;
        for (int round = 0; round < ROUNDS; round++) {
            bestJava = Math.min(bestJava, time(java, x, out));
            bestNative = Math.min(bestNative, time(native_, x, out));
        }
        String name = NAMES[pick] + " projection (" + java.rows() + " × " + java.cols() + ")";
        return Optional.of(new Calibration(name, bestJava, bestNative));
    }

    private static double time(Matrix m, float[] x, float[] out) {
        long t0 = System.nanoTime();
        m.matmul(x, TOKENS, out);
        return (System.nanoTime() - t0) / 1e6;
    }
}
