package dev.hymt4j.onnx;

import dev.hymt4j.model.ModelConfig;
import dev.hymt4j.tensor.Parallel;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/**
 * A benchmark, not a test (skipped unless {@code -Dhymt.bench.gptq=DIR}): prefill and decode tok/s of ONNX
 * Runtime (2 intra-op threads) on our int4 export of the GPTQ checkpoint DIR; our engine's figures on the same
 * checkpoint come from {@code hymt bench --model DIR --threads 2 --prompt-tokens 128 --decode-tokens 32} run
 * right after it in the same script. It lives with the tests because ONNX Runtime is a test-scope dependency.
 * {@code -Dhymt.bench.onnx=OUT} is where the export goes (reused if present); {@code -Dhymt.bench.level=4} the
 * MatMulNBits accuracy level (4 = int8 activations, the CPU fast path; 0 = float).
 */
public class OrtThroughputBench {
    static final int PROMPT = 128, DECODE = 32;

    /** {@code java -cp hymt.jar:<test classes>:onnxruntime.jar dev.hymt4j.onnx.OrtThroughputBench GPTQ_DIR ONNX_DIR LEVEL} (no JUnit needed). */
    public static void main(String[] args) throws Exception {
        run(Path.of(args[0]), Path.of(args[1]), Integer.parseInt(args[2]));
    }

    @Test
    public void int4PrefillAndDecodeThroughput() throws Exception {
        String gptqDir = System.getProperty("hymt.bench.gptq");
        Assumptions.assumeTrue(gptqDir != null, "benchmark: run with -Dhymt.bench.gptq=DIR");
        run(Path.of(gptqDir), Path.of(System.getProperty("hymt.bench.onnx", gptqDir + "-onnx")), Integer.getInteger("hymt.bench.level", 4));
    }

    static void run(Path gptq, Path out, int level) throws Exception {
        Parallel.setThreads(2);
        if (!Files.isRegularFile(out.resolve("model.onnx"))) {
            long t0 = System.nanoTime();
            OnnxExporter.Result r = OnnxExporter.export(gptq, out, new OnnxExporter.Options(OnnxExporter.Precision.INT4, 32, level, null));
            System.out.printf(Locale.ROOT, "export: %.1f s, external data %s%n", (System.nanoTime() - t0) / 1e9, r.externalData());
        }
        int[] prompt = new int[PROMPT];
        Random random = new Random(1);
        for (int i = 0; i < PROMPT; i++) prompt[i] = 1 + random.nextInt(100000);
        ModelConfig c = ModelConfig.load(gptq.resolve("config.json"));
        try (OrtDecoder d = new OrtDecoder(out.resolve("model.onnx"), c.numLayers(), c.numKvHeads(), c.headDim(), c.vocabSize())) {
            for (int round = 0; round < 2; round++) {   // the first round warms up
                long t0 = System.nanoTime();
                float[] logits = d.forward(prompt);
                double prefill = PROMPT / ((System.nanoTime() - t0) / 1e9);
                int next = OrtDecoder.argmax(logits, (PROMPT - 1) * c.vocabSize(), c.vocabSize());
                t0 = System.nanoTime();
                for (int i = 0; i < DECODE; i++) {
                    logits = d.step(new long[][]{{next}}, new long[][]{{1}});
                    next = OrtDecoder.argmax(logits, 0, c.vocabSize());
                }
                double decode = DECODE / ((System.nanoTime() - t0) / 1e9);
                System.out.printf(Locale.ROOT, "round %d: ONNX Runtime int4 (accuracy_level %d, 2 threads): prefill %d tokens %.1f tok/s, "
                        + "decode %.2f tok/s%n", round, level, PROMPT, prefill, decode);
            }
        }
    }
}
