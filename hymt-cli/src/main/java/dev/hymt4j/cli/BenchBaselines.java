package dev.hymt4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The outside tools {@code hymt bench} measures against in the same run, as child processes on the same shapes:
 * llama.cpp's {@code llama-bench} (prefill and decode rates) and {@code llama-batched-bench} (B sequences of
 * P + D tokens, wall time), and PyTorch's LoRA step ({@code hymt-bench/scripts/torch_lora_step.py} in fp32,
 * {@code torch_lora_step_bf16.py} under bf16 autocast). A tool that is absent or fails yields no figure and one
 * line on the log; the benchmark goes on without that ratio.
 */
final class BenchBaselines {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern STEP_S = Pattern.compile("step_s=\\[([^]]*)]");

    private final Path llamaCppBin, gguf, torchScripts, python;
    private final java.io.PrintWriter log;

    /**
     * @param llamaCppBin  folder with llama-bench and llama-batched-bench, or null
     * @param gguf         the same weights as a GGUF file for llama.cpp, or null
     * @param torchScripts folder with torch_lora_step.py and torch_lora_step_bf16.py, or null
     * @param python       python with torch
     */
    BenchBaselines(Path llamaCppBin, Path gguf, Path torchScripts, Path python, java.io.PrintWriter log) {
        this.llamaCppBin = llamaCppBin;
        this.gguf = gguf;
        this.torchScripts = torchScripts;
        this.python = python;
        this.log = log;
    }

    boolean hasLlamaCpp() {
        return llamaCppBin != null && gguf != null && Files.isExecutable(llamaCppBin.resolve("llama-bench"));
    }

    boolean hasTorch() {
        return torchScripts != null && Files.isRegularFile(torchScripts.resolve("torch_lora_step.py"));
    }

    /** llama-bench's prefill and decode rates (tokens/s, mean of its repetitions): {prefill, decode}, or null. */
    double[] llamaBench(int threads, int prompt, int decode) {
        if (!hasLlamaCpp()) return null;
        List<String> lines = run(List.of(llamaCppBin.resolve("llama-bench").toString(), "-m", gguf.toString(), "-t", Integer.toString(threads),
                "-p", Integer.toString(prompt), "-n", Integer.toString(decode), "-r", "2", "-o", "jsonl"), Map.of());
        double pp = Double.NaN, tg = Double.NaN;
        for (JsonNode o : jsonLines(lines)) {
            if (o.path("n_prompt").asInt() == prompt && o.path("n_gen").asInt() == 0) pp = o.path("avg_ts").asDouble();
            if (o.path("n_gen").asInt() == decode && o.path("n_prompt").asInt() == 0) tg = o.path("avg_ts").asDouble();
        }
        return Double.isNaN(pp) || Double.isNaN(tg) ? null : new double[]{pp, tg};
    }

    /** llama-batched-bench's wall seconds for {@code batch} sequences of {@code prompt} + {@code decode} tokens, or NaN. */
    double llamaBatchedSeconds(int threads, int batch, int prompt, int decode) {
        if (!hasLlamaCpp() || !Files.isExecutable(llamaCppBin.resolve("llama-batched-bench"))) return Double.NaN;
        List<String> lines = run(List.of(llamaCppBin.resolve("llama-batched-bench").toString(), "-m", gguf.toString(), "-t",
                Integer.toString(threads), "-c", Integer.toString(batch * (prompt + decode) + 64), "-b", "2048", "-ub", "512",
                "-npp", Integer.toString(prompt), "-ntg", Integer.toString(decode), "-npl", Integer.toString(batch),
                "--output-format", "jsonl"), Map.of());
        for (JsonNode o : jsonLines(lines)) {
            if (o.path("pl").asInt() == batch && o.has("t")) return o.path("t").asDouble();
        }
        return Double.NaN;
    }

    /** PyTorch's best step in seconds ({@code bf16}: autocast, else fp32) on the same shape, or NaN. */
    double torchStepSeconds(boolean bf16, int layers, int batch, int len, int steps, int threads) {
        if (!hasTorch()) return Double.NaN;
        List<String> cmd = new ArrayList<>(List.of(python.toString()));
        if (bf16) cmd.addAll(List.of(torchScripts.resolve("torch_lora_step_bf16.py").toString(), "train"));
        else cmd.add(torchScripts.resolve("torch_lora_step.py").toString());
        for (int a : new int[]{layers, batch, len, 0, steps}) cmd.add(Integer.toString(a));
        String t = Integer.toString(threads);
        for (String line : run(cmd, Map.of("TORCH_THREADS", t, "OMP_NUM_THREADS", t))) {
            Matcher m = STEP_S.matcher(line);
            if (line.startsWith("RESULT") && m.find()) {
                OptionalDouble best = Arrays.stream(m.group(1).split(",")).map(String::trim).filter(s -> !s.isEmpty())
                        .mapToDouble(Double::parseDouble).min();
                if (best.isPresent()) return best.getAsDouble();
            }
        }
        return Double.NaN;
    }

    private List<String> run(List<String> command, Map<String, String> env) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
            pb.environment().putAll(env);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int code = p.waitFor();
            if (code != 0) log.printf("baseline %s exited with %d: no figure%n", Path.of(command.getFirst()).getFileName(), code);
            return out.lines().toList();
        } catch (IOException e) {
            log.printf("baseline %s could not run (%s): no figure%n", command.getFirst(), e.getMessage());
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    private static List<JsonNode> jsonLines(List<String> lines) {
        List<JsonNode> nodes = new ArrayList<>();
        for (String l : lines) {
            if (!l.startsWith("{")) continue;
            try {
                nodes.add(JSON.readTree(l));
            } catch (IOException e) {
                // a line that is not JSON: skip it
            }
        }
        return nodes;
    }
}
