package dev.hymt4j.cli;

import dev.hymt4j.model.DemoModel;
import dev.hymt4j.safetensors.DType;
import dev.hymt4j.safetensors.SafetensorsFile;
import dev.hymt4j.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The generate, debug logits, inspect and bench commands, run in-process. */
class CoreCommandsTest {
    static final Path TINY = TestData.path("golden/tiny-tied");

    record Run(int exitCode, String out, String err) {
        String lastLine() {
            List<String> lines = out.lines().toList();
            return lines.getLast();
        }
    }

    static Run hymt(String... args) {
        CommandLine cl = Hymt.newCommandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    static long[] reference(String name) throws Exception {
        try (SafetensorsFile ref = SafetensorsFile.open(TestData.path("golden/tiny-tied/reference_outputs.safetensors"))) {
            return ref.readLongs(name);
        }
    }

    static String join(long[] ids) {
        return Arrays.stream(ids).mapToObj(Long::toString).collect(Collectors.joining(","));
    }

    @Test
    void generateGreedyPrintsPromptAndNewIdsLast() throws Exception {
        long[] prompt = reference("greedy_prompt"), expected = reference("greedy_output");
        // The reference ran without an EOS stop, so stop on an id outside the vocabulary.
        Run r = hymt("generate", "--model", TINY.toString(), "--ids", join(prompt), "--max-new-tokens", "16", "--greedy",
                "--stop-ids", "100000", "--threads", "2");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(join(expected), r.lastLine());
    }

    /** Requests arriving at different engine steps; each output line equals that request run alone with --ids. */
    @Test
    void generateRequestsWritesPromptPlusGeneratedInInputOrder(@TempDir Path tmp) throws Exception {
        long[] prompt = reference("greedy_prompt"), expected = reference("greedy_output");
        Path in = tmp.resolve("in.jsonl"), out = tmp.resolve("out.jsonl");
        java.nio.file.Files.writeString(in, "{\"ids\":[" + join(prompt) + "],\"max_new_tokens\":16,\"arrival_step\":3}\n"
                + "{\"ids\":[7,300,42,9,11,100,3,250,1,2,3,4,5,6,7,8,9,10,11],\"max_new_tokens\":5}\n"
                + "{\"ids\":[4],\"max_new_tokens\":9,\"arrival_step\":1}\n");
        Run r = hymt("generate", "--model", TINY.toString(), "--requests", in.toString(), "--out", out.toString(), "--greedy",
                "--max-batch-tokens", "8", "--stop-ids", "100000");
        assertEquals(0, r.exitCode(), r.err());
        List<String> lines = java.nio.file.Files.readAllLines(out);
        assertEquals(3, lines.size());
        assertEquals("{\"ids\":[" + join(expected) + "],\"finish_reason\":\"length\"}", lines.get(0));
        String[][] alone = {{"7,300,42,9,11,100,3,250,1,2,3,4,5,6,7,8,9,10,11", "5"}, {"4", "9"}};
        for (int i = 0; i < 2; i++) {
            Run one = hymt("generate", "--model", TINY.toString(), "--ids", alone[i][0], "--max-new-tokens", alone[i][1], "--greedy",
                    "--stop-ids", "100000");
            assertEquals("{\"ids\":[" + one.lastLine() + "],\"finish_reason\":\"length\"}", lines.get(i + 1));
        }
    }

    @Test
    void generateRequestsNamesTheBadLineAndField(@TempDir Path tmp) throws Exception {
        Path in = tmp.resolve("in.jsonl");
        java.nio.file.Files.writeString(in, "{\"ids\":[1,2]}\n{\"ids\":[1,\"x\"]}\n");
        Run r = hymt("generate", "--model", TINY.toString(), "--requests", in.toString(), "--out", tmp.resolve("o.jsonl").toString());
        assertEquals(1, r.exitCode());
        assertEquals("hymt generate: " + in + ":2: field \"ids\"[1]: expected a token id ≥ 0, got \"x\"", r.err().trim());
        Run same = hymt("generate", "--model", TINY.toString(), "--requests", in.toString(), "--out", in.toString());
        assertEquals("hymt generate: --out " + in + " is the input --requests " + in + "; outputs must not overlap inputs"
                + " (nothing was written)", same.err().trim());
    }

    @Test
    void generateSamplingIsReproducibleWithASeed() {
        String[] args = {"generate", "--model", TINY.toString(), "--ids", "1,20,300", "--max-new-tokens", "6",
                "--temperature", "1.2", "--top-k", "50", "--top-p", "0.9", "--repetition-penalty", "1.05", "--seed", "3"};
        Run a = hymt(args), b = hymt(args);
        assertEquals(0, a.exitCode(), a.err());
        assertEquals(a.lastLine(), b.lastLine());
        assertTrue(a.lastLine().startsWith("1,20,300,"), a.lastLine());
    }

    @Test
    void debugLogitsWritesTheReferenceLogits(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("logits.safetensors");
        long[] ids = reference("input_ids");
        Run r = hymt("debug", "logits", "--model", TINY.toString(), "--ids", join(ids), "--out", file.toString());
        assertEquals(0, r.exitCode(), r.err());
        try (SafetensorsFile written = SafetensorsFile.open(file);
             SafetensorsFile ref = SafetensorsFile.open(TestData.path("golden/tiny-tied/reference_outputs.safetensors"))) {
            assertArrayEquals(new long[]{ids.length, 512}, written.info("logits").shape());
            assertEquals(DType.F32, written.info("logits").dtype());
            assertTrue(TestData.relL2(written.readFloats("logits"), ref.readFloats("logits")) < 1e-5);
        }
    }

    @Test
    void inspectReportsConfigTensorsAndMemory() {
        Run r = hymt("inspect", "--model", TINY.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("effective base " + String.format("%.2f", 10000 * Math.pow(1000, 16.0 / 14.0))), r.out());
        assertTrue(r.out().contains("model.layers.1.mlp.down_proj.weight"), r.out());
        assertTrue(r.out().contains("[64,160]"), r.out());
        // 512·64 + 2·(64·64 + 2·64·32 + 64·64 + 3·64·160 + 2·64 + 2·16) + 64
        assertTrue(r.out().contains(String.format("parameters      %,d", 512 * 64 + 2 * (4096 + 4096 + 4096 + 30720 + 128 + 32) + 64)), r.out());
        // 2 layers · 2 (K and V) · 32 KV dims · 4 bytes = 512 bytes per token; 4096 tokens → 2 MiB.
        assertTrue(r.out().contains("KV cache 512 B per token (float32) = 2.0 MiB at 4096 tokens"), r.out());
    }

    @Test
    void benchPrintsATableForEachThreadCount(@TempDir Path tmp) throws Exception {
        DemoModel.write(tmp, new DemoModel.Shape(256, 64, 2, 4, 2, 16, 128, true), DType.BF16, 1);
        Run r = hymt("bench", "--model", tmp.toString(), "--prompt-tokens", "8", "--decode-tokens", "3", "--threads", "1,2");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("step       1 thr  decode  1×3: ") && l.contains("of the floor")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("step       2 thr  prefill 1×8: ")), r.out());
        assertTrue(r.out().contains("peak RSS"), r.out());
    }

    @Test
    void benchJsonIsOneObjectPerThreadCountWithTheStableFields(@TempDir Path tmp) throws Exception {
        DemoModel.write(tmp, new DemoModel.Shape(256, 64, 2, 4, 2, 16, 128, true), DType.BF16, 1);
        Run r = hymt("bench", "--model", tmp.toString(), "--prompt-tokens", "6", "--decode-tokens", "2", "--batch", "3",
                "--threads", "1,2", "--json");
        assertEquals(0, r.exitCode(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(2, lines.size(), r.out());
        for (int i = 0; i < 2; i++) {
            var o = new com.fasterxml.jackson.databind.ObjectMapper().readTree(lines.get(i));
            assertEquals(i + 1, o.get("threads").asInt(), lines.get(i));
            assertEquals(3, o.get("batch").asInt(), lines.get(i));
            assertTrue(o.get("prefill_tokens_per_s").asDouble() > 0, lines.get(i));
            assertTrue(o.get("decode_tokens_per_s").asDouble() > 0, lines.get(i));
            assertTrue(o.get("peak_rss_bytes").asLong() > 0, lines.get(i));
        }
        Run bad = hymt("bench", "--model", tmp.toString(), "--batch", "0", "--json");
        assertEquals(2, bad.exitCode(), bad.err());
        assertTrue(bad.err().contains("--batch"), bad.err());
    }

    /**
     * Every case prints one JSON object per thread count; outside baselines come from fake tools here (shell
     * scripts printing what llama-bench, llama-batched-bench and the torch scripts print), so the ratios are checked
     * against numbers written in the test.
     */
    @Test
    void benchCasesPrintOursTheSameRunBaselineAndTheRatio(@TempDir Path tmp) throws Exception {
        Path model = tmp.resolve("m");
        DemoModel.write(model, new DemoModel.Shape(256, 64, 2, 4, 2, 16, 128, true), DType.BF16, 1);
        Path bin = java.nio.file.Files.createDirectories(tmp.resolve("bin")), scripts = java.nio.file.Files.createDirectories(tmp.resolve("py"));
        fakeTool(bin.resolve("llama-bench"), "echo '{\"n_prompt\": 5, \"n_gen\": 0, \"avg_ts\": 20.0}'; "
                + "echo '{\"n_prompt\": 0, \"n_gen\": 2, \"avg_ts\": 4.0}'");
        fakeTool(bin.resolve("llama-batched-bench"), "echo 'main: n_kv_max = 64'; echo '{\"pp\": 5, \"tg\": 2, \"pl\": 3, \"t\": 8.0}'");
        Path python = fakeTool(tmp.resolve("python"), "case \"$1\" in *bf16*) echo 'RESULT mode=bf16-autocast step_s=[9.0, 4.0, 5.0]';; "
                + "*) echo 'RESULT torch=2 step_s=[12.0, 10.0]';; esac");
        java.nio.file.Files.writeString(scripts.resolve("torch_lora_step.py"), "");
        java.nio.file.Files.writeString(scripts.resolve("torch_lora_step_bf16.py"), "");
        java.nio.file.Files.writeString(tmp.resolve("same.gguf"), "");
        Run r = hymt("bench", "--model", model.toString(), "--case", "step,sentences,lora,stream", "--prompt-tokens", "5",
                "--decode-tokens", "2", "--batch", "1", "--threads", "1", "--steps", "2", "--llama-cpp", bin.toString(),
                "--gguf", tmp.resolve("same.gguf").toString(), "--torch-scripts", scripts.toString(), "--python", python.toString(), "--json");
        assertEquals(0, r.exitCode(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(4, lines.size(), r.out());
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        var step = mapper.readTree(lines.get(0));
        assertEquals("step", step.get("case").asText());
        assertEquals(step.get("prefill_tokens_per_s").asDouble() / 20.0, step.get("prefill_ratio").asDouble(), 1e-9);
        assertEquals(step.get("decode_tokens_per_s").asDouble() / 4.0, step.get("decode_ratio").asDouble(), 1e-9);
        assertTrue(step.get("stream_floor_ms").asDouble() > 0, lines.get(0));
        var sentences = mapper.readTree(lines.get(1));
        assertEquals(2, sentences.get("generated_tokens").asInt(), lines.get(1));
        // batch 1 here: the fake llama-batched-bench answers for 3 sequences only, so no ratio
        assertTrue(!sentences.has("time_ratio"), lines.get(1));
        var lora = mapper.readTree(lines.get(2));
        assertEquals(10.0, lora.get("torch_fp32_step_s").asDouble(), lines.get(2));
        assertEquals(4.0, lora.get("torch_bf16_step_s").asDouble(), lines.get(2));
        assertEquals(4.0 / lora.get("step_s").asDouble(), lora.get("speedup_vs_torch_bf16").asDouble(), 1e-9);
        assertEquals(2, lora.get("steps_s").size(), lines.get(2));
        var stream = mapper.readTree(lines.get(3));
        assertTrue(stream.get("stream_gb_per_s").asDouble() > 0, lines.get(3));

        Run batched = hymt("bench", "--model", model.toString(), "--case", "sentences", "--prompt-tokens", "5", "--decode-tokens", "2",
                "--batch", "3", "--threads", "1", "--llama-cpp", bin.toString(), "--gguf", tmp.resolve("same.gguf").toString());
        assertEquals(0, batched.exitCode(), batched.err());
        assertTrue(batched.out().contains("llama-batched-bench 8.00 s"), batched.out());
        Run bad = hymt("bench", "--model", model.toString(), "--case", "decode");
        assertEquals(2, bad.exitCode(), bad.err());
        assertTrue(bad.err().contains("unknown case 'decode'"), bad.err());
    }

    private static Path fakeTool(Path file, String body) throws Exception {
        java.nio.file.Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        file.toFile().setExecutable(true);
        return file;
    }

    @Test
    void initDemoWritesAModelThatTranslateAndGenerateRun(@TempDir Path tmp) {
        Run w = hymt("init-demo", tmp.toString());
        assertEquals(0, w.exitCode(), w.err());
        Run t = hymt("translate", "--model", tmp.toString(), "--to", "zh", "--greedy", "--max-new-tokens", "5",
                "Use this bar to enter formulas.");
        assertEquals(0, t.exitCode(), t.err());
        assertEquals(1, t.out().lines().count(), t.out());
        Run g = hymt("generate", "--model", tmp.toString(), "--ids", "5,6,7", "--max-new-tokens", "4", "--greedy",
                "--stop-ids", "100000");
        assertEquals(0, g.exitCode(), g.err());
        assertEquals(3 + 4, g.lastLine().split(",").length, g.out());
    }

    @Test
    void aMissingModelIsOneClearLine(@TempDir Path tmp) {
        Run r = hymt("generate", "--model", tmp.resolve("absent").toString(), "--ids", "1,2", "--greedy");
        assertEquals(1, r.exitCode());
        assertEquals("hymt generate: --model " + tmp.resolve("absent") + ": no such folder, and not a Hugging Face repo id"
                + " (org/name, e.g. tencent/HY-MT1.5-1.8B).", r.err().trim());
    }
}
