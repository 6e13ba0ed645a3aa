package dev.hymt4j.gguf;

import dev.hymt4j.model.Checkpoint;
import dev.hymt4j.model.DemoModel;
import dev.hymt4j.model.ModelWeights;
import dev.hymt4j.quant.GgufFileType;
import dev.hymt4j.safetensors.DType;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The two F32 GGUF files the llama.cpp fixtures of {@code testdata/gguf} were quantized from (README.md there):
 * the tiny model (rebuilt by the tests, which check its SHA-256 first) and the edge-case rows (committed).
 * {@code testdata/gguf/make-fixtures.sh} runs {@link #main} to write both into a folder.
 */
public final class FixtureInputs {
    private FixtureInputs() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        Files.createDirectories(out);
        tinyModel(out.resolve("tiny-f32.gguf"));
        edgeCases(out.resolve("edge-f32.gguf"));
    }

    /** The tiny model: DemoModel seed 7 in F32, written with our converter metadata as an F32 GGUF. */
    static void tinyModel(Path file) throws Exception {
        Path hf = Files.createTempDirectory("tiny-hf");
        try {
            DemoModel.write(hf, TINY, DType.F32, 7);
            try (Checkpoint c = Checkpoint.open(hf)) {
                GgufModelWriter.write(ModelWeights.load(c), GgufFileType.F32, HunyuanGguf.converterMetadata(c.config(), "tiny", com.fasterxml.jackson.databind.node.MissingNode.getInstance(), "tiny"),
                        file, GgufModelWriter.Progress.NONE);
            }
        } finally {
            try (var files = Files.list(hf)) {
                for (Path p : files.toList()) Files.delete(p);
            }
            Files.delete(hf);
        }
    }

    /** The tiny model: K-quant rows (256), one projection of 128 columns (exercises the fallbacks), tied head. */
    static final DemoModel.Shape TINY = new DemoModel.Shape(256, 256, 2, 2, 1, 64, 256, true);

    /** Rows that stress the quantizers' corner cases, as one tensor llama-quantize quantizes with --pure. */
    static void edgeCases(Path file) throws Exception {
        int cols = 256, rows = 16;
        float[] v = new float[rows * cols];
        java.util.Random random = new java.util.Random(13);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int i = r * cols + c;
                v[i] = switch (r) {
                    case 0 -> 0f;                                        // all zeros
                    case 1 -> 0.25f;                                     // constant
                    case 2 -> c % 2 == 0 ? 1f : -1f;                     // alternating signs
                    case 3 -> c == 77 ? 50f : (float) random.nextGaussian() * 0.01f; // one outlier
                    case 4 -> (float) random.nextGaussian() * 1e-20f;    // tiny
                    case 5 -> (float) random.nextGaussian() * 1e4f;      // huge
                    case 6 -> (c % 32) - 16f;                            // integer ramps (ties in rounding)
                    case 7 -> (c % 16) * 0.5f;                           // non-negative ramp, exact halves
                    case 8 -> -Math.abs((float) random.nextGaussian());  // all negative
                    case 9 -> Math.abs((float) random.nextGaussian());   // all positive
                    case 10 -> c < 128 ? 0f : (float) random.nextGaussian(); // half zero
                    case 11 -> (float) Math.sin(c * 0.1);                // smooth
                    case 12 -> c % 32 == 0 ? -3f : 0.001f * c;           // block-leading negative max
                    case 13 -> Float.MIN_VALUE * (c % 7);                // subnormals
                    default -> (float) random.nextGaussian();            // plain Gaussian
                };
            }
        }
        GgufWriter w = new GgufWriter();
        w.put("general.architecture", GgufValue.string(HunyuanGguf.ARCH));
        w.put(HunyuanGguf.BLOCK_COUNT, GgufValue.u32(1));
        w.put(HunyuanGguf.CONTEXT_LENGTH, GgufValue.u32(256));
        w.put(HunyuanGguf.EMBEDDING_LENGTH, GgufValue.u32(cols));
        w.put(HunyuanGguf.FEED_FORWARD_LENGTH, GgufValue.u32(cols));
        w.put(HunyuanGguf.HEAD_COUNT, GgufValue.u32(4));
        w.put(HunyuanGguf.RMS_EPS, GgufValue.f32(1e-5f));
        w.put("general.file_type", GgufValue.u32(0));
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) b.putFloat(x);
        w.addTensor("blk.0.ffn_up.weight", new long[] {cols, rows}, GgmlType.F32, java.lang.foreign.MemorySegment.ofArray(b.array()));
        w.write(file);
    }
}
