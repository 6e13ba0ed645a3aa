package dev.hymt4j.cli;

import dev.hymt4j.demo.DemoSetup;
import dev.hymt4j.model.Checkpoint;
import dev.hymt4j.quant.Nf4Matrix;
import dev.hymt4j.quant.Nf4WeightSource;
import dev.hymt4j.safetensors.DType;
import dev.hymt4j.safetensors.SafetensorsFile;
import dev.hymt4j.safetensors.SafetensorsWriter;
import dev.hymt4j.safetensors.TensorInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static dev.hymt4j.cli.CoreCommandsTest.hymt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --nf4}: inference on QLoRA's NF4 base, the numerics an adapter trained with {@code qlora: true} saw. */
class Nf4InferenceTest {
    @TempDir
    static Path dir;
    static Path model, dequantized, adapter;

    @BeforeAll
    static void setUp() throws Exception {
        model = dir.resolve("demo");
        DemoSetup.create(model, 4, 400, DType.F32, QuantizeGgufCommandTest.SHAPE);
        dequantized = dir.resolve("dequantized");
        writeDequantized(model, dequantized);
        try (Checkpoint c = Checkpoint.open(model)) {
            adapter = QuantizeGgufCommandTest.adapter(dir, model, "adapter", c.config(), false);
        }
    }

    /**
     * The reference model: the same F32 checkpoint with every projection QLoRA quantizes replaced by its NF4
     * dequantization ({@code code_table[nibble] · absmax}, spec formats.md §3.4, blocksize 64, double quantized),
     * everything else copied; run by the plain dense path.
     */
    static void writeDequantized(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path p : files.toList()) {
                if (!p.getFileName().toString().endsWith(".safetensors")) Files.copy(p, to.resolve(p.getFileName()));
            }
        }
        SafetensorsWriter w = new SafetensorsWriter();
        try (Checkpoint c = Checkpoint.open(from)) {
            for (String name : c.tensorNames()) {
                TensorInfo info = c.info(name);
                if (!Nf4WeightSource.quantizes(name)) {
                    w.add(name, info.dtype(), info.shape(), c.data(name));
                    continue;
                }
                int rows = (int) info.shape()[0], cols = (int) info.shape()[1];
                Nf4Matrix q = Nf4Matrix.quantize(c.matrix(name, rows, cols), Nf4WeightSource.BLOCKSIZE, true);
                float[] values = new float[rows * cols];
                for (int r = 0; r < rows; r++) q.readRow(r, values, r * cols);
                w.addF32(name, info.shape(), values);
            }
            w.write(to.resolve(Checkpoint.SINGLE_FILE));
        }
    }

    static float[] logits(Path m, String... extra) throws Exception {
        Path out = Files.createTempFile(dir, "logits", ".safetensors");
        String[] args = {"debug", "logits", "--model", m.toString(), "--ids", GgufEverywhereTest.ids(), "--out", out.toString()};
        CoreCommandsTest.Run r = hymt(GgufEverywhereTest.concat(args, extra));
        assertEquals(0, r.exitCode(), r.err());
        try (SafetensorsFile f = SafetensorsFile.open(out)) {
            return f.readFloats("logits");
        }
    }

    static double relL2(float[] a, float[] b) {
        double d = 0, n = 0;
        for (int i = 0; i < a.length; i++) {
            d += (a[i] - (double) b[i]) * (a[i] - (double) b[i]);
            n += (double) b[i] * b[i];
        }
        return Math.sqrt(d / n);
    }

    @Test
    void logitsAreTheDenseModelsOnTheDequantizedNf4Weights() throws Exception {
        float[] nf4 = logits(model, "--nf4");
        float[] reference = logits(dequantized);
        // Same weights, same float order of the dense kernel on each decoded tile: equal to float rounding.
        assertTrue(relL2(nf4, reference) < 1e-6, "rel L2 " + relL2(nf4, reference));
        assertTrue(relL2(nf4, logits(model)) > 1e-4, "--nf4 must change the numerics: " + relL2(nf4, logits(model)));

        float[] adapted = logits(model, "--nf4", "--adapter", adapter.toString());
        float[] adaptedReference = logits(dequantized, "--adapter", adapter.toString());
        assertTrue(relL2(adapted, adaptedReference) < 1e-6, "with the adapter: rel L2 " + relL2(adapted, adaptedReference));
    }

    @Test
    void translateGenerateAndEvalRunOnTheNf4Base() throws Exception {
        CoreCommandsTest.Run g = hymt("generate", "--model", model.toString(), "--nf4", "--adapter", adapter.toString(),
                "--ids", GgufEverywhereTest.ids(), "--greedy", "--max-new-tokens", "3");
        assertEquals(0, g.exitCode(), g.err());
        CoreCommandsTest.Run t = hymt("translate", "--model", model.toString(), "--nf4", "--adapter", adapter.toString(),
                "--to", "zh", "--greedy", "--max-new-tokens", "3", "Select a magnification.");
        assertEquals(0, t.exitCode(), t.err());
        Path data = dir.resolve("test.jsonl");
        Files.writeString(data, "{\"source\": \"Select a magnification.\", \"target\": \"选择放大倍数。\", \"src_lang\": \"en\", \"tgt_lang\": \"zh\"}\n");
        CoreCommandsTest.Run e = hymt("eval", "--model", model.toString(), "--nf4", "--data", data.toString(), "--max-new-tokens", "3");
        assertEquals(0, e.exitCode(), e.err());
    }

    /** A GPTQ base stores each projection as qweight/qzeros/scales: under --nf4 they still count as used. */
    @Test
    void nf4RunsOverAGptqCheckpoint() throws Exception {
        Path rtn = dir.resolve("rtn");
        CoreCommandsTest.Run q = hymt("quantize", "--model", model.toString(), "--method", "rtn", "--out", rtn.toString());
        assertEquals(0, q.exitCode(), q.err());
        for (float v : logits(rtn, "--nf4")) assertTrue(Float.isFinite(v));
    }
}
