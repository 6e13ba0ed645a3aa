package dev.hymt4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hymt4j.engine.Engine;
import dev.hymt4j.engine.EngineOptions;
import dev.hymt4j.engine.GenerationRequest;
import dev.hymt4j.engine.RequestHandle;
import dev.hymt4j.generate.GenerationConfig;
import dev.hymt4j.generate.GenerationResult;
import dev.hymt4j.generate.StopTokens;
import dev.hymt4j.generate.TokenListener;
import dev.hymt4j.io.AtomicFile;
import dev.hymt4j.io.TextFiles;
import dev.hymt4j.lora.LoraAdapter;
import dev.hymt4j.model.HunyuanModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;

/**
 * {@code hymt generate}: continues prompts given as token ids. With {@code --ids}, one prompt; the last stdout
 * line is prompt + new ids. With {@code --requests IN.jsonl --out OUT.jsonl}, many requests through the
 * continuous-batching engine, each submitted at its {@code arrival_step}; output lines in input order.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Generate token ids from prompts of token ids (greedy or sampled).",
                "--requests reads JSONL lines {\"ids\":[...], \"max_new_tokens\":n, \"arrival_step\":s} (the engine step at which the "
                        + "request is submitted, default 0) and writes {\"ids\":[prompt + generated], \"finish_reason\":\"length\"|\"stop\"} "
                        + "per line, in input order."})
public final class GenerateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Mixin
    AdapterOptions adapterOptions;

    @Bounds(min = 0)
    @Option(names = "--ids", split = ",", paramLabel = "ID[,ID...]", description = "Prompt token ids.")
    int[] ids;

    @Reads(Reads.Kind.FILE)
    @Option(names = "--requests", paramLabel = "IN.jsonl", description = "Requests, one JSON object per line (see above).")
    Path requests;

    @Writes(Writes.Kind.FILE)
    @Option(names = "--out", paramLabel = "OUT.jsonl", description = "Where --requests writes its results.")
    Path out;

    @Mixin
    ForceOption force;

    @Bounds(min = 1, max = 1 << 20)
    @Option(names = "--max-batch-tokens", paramLabel = "N", defaultValue = "512",
            description = "Tokens per engine step (decode tokens plus prefill chunks; default ${DEFAULT-VALUE}).")
    int maxBatchTokens;

    @Bounds(min = 0)
    @Option(names = "--max-new-tokens", defaultValue = "64",
            description = "At most this many new tokens (default ${DEFAULT-VALUE}; a request's max_new_tokens wins).")
    int maxNewTokens;

    @Option(names = "--greedy", description = "Take the most probable token (default: sample).")
    boolean greedy;

    @Bounds(min = 0, minExclusive = true, max = 100)
    @Option(names = "--temperature", defaultValue = "0.7", description = "Sampling temperature (default ${DEFAULT-VALUE}).")
    float temperature;

    @Bounds(min = 0)
    @Option(names = "--top-k", defaultValue = "20", description = "Keep the k most probable tokens, 0 = all (default ${DEFAULT-VALUE}).")
    int topK;

    @Bounds(min = 0, minExclusive = true, max = 1)
    @Option(names = "--top-p", defaultValue = "0.6", description = "Nucleus probability mass, 1 = off (default ${DEFAULT-VALUE}).")
    float topP;

    @Bounds(min = 0, minExclusive = true, max = 100)
    @Option(names = "--repetition-penalty", defaultValue = "1.0",
            description = "Penalty on ids already in the sequence, 1 = off (HY-MT recommends 1.05; default ${DEFAULT-VALUE}).")
    float repetitionPenalty;

    @Option(names = "--seed", defaultValue = "0", description = "Sampling seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Bounds(min = 0)
    @Option(names = "--stop-ids", split = ",", paramLabel = "ID[,ID...]",
            description = "Stop after any of these ids (default: eos_token_id of config.json and generation_config.json).")
    int[] stopIds;

    @Override
    public Integer call() throws Exception {
        if ((ids == null) == (requests == null)) throw new ParameterException(spec.commandLine(), "give either --ids or --requests");
        if (requests != null && out == null) throw new ParameterException(spec.commandLine(), "--requests needs --out");
        if (requests == null && out != null) throw new ParameterException(spec.commandLine(), "--out goes with --requests");
        modelOptions.applyThreads();
        PrintWriter stdout = spec.commandLine().getOut();
        try (HunyuanModel model = HunyuanModel.load(adapterOptions.weights(modelOptions.dir()));
             Engine engine = new Engine(model, EngineOptions.builder().maxBatchTokens(maxBatchTokens).build())) {
            ModelOptions.requireTokenIds(spec, "--ids", ids, model.config().vocabSize());
            Set<Integer> stops = stopIds != null ? Arrays.stream(stopIds).boxed().collect(Collectors.toSet())
                    : StopTokens.ofModel(modelOptions.dir(), model.config());
            LoraAdapter adapter = adapterOptions.adapter(model.config());
            if (requests != null) {
                runRequests(engine, stops, adapter, stdout);
                return 0;
            }
            RequestHandle request = engine.submit(new GenerationRequest(ids, config(maxNewTokens, stops), adapter, TokenListener.NONE));
            GenerationResult r = engine.complete(List.of(request)).getFirst();
            stdout.printf("prompt %d tokens, generated %d (%s); prefill %.1f tok/s, decode %.1f tok/s%n",
                    r.promptTokens(), r.generatedTokens(), r.finishReason().name().toLowerCase(),
                    r.prefillTokensPerSecond(), r.decodeTokensPerSecond());
            stdout.println(GenerationResult.join(r.allIds()));
        }
        return 0;
    }

    private GenerationConfig config(int newTokens, Set<Integer> stops) {
        return GenerationConfig.builder()
                .maxNewTokens(newTokens).sample(!greedy).temperature(temperature).topK(topK).topP(topP)
                .repetitionPenalty(repetitionPenalty).seed(seed).stopTokenIds(stops).build();
    }

    /** One line of the requests file. */
    private record Line(int number, int[] ids, int maxNewTokens, int arrivalStep) {}

    /**
     * Steps the engine from step 0, submitting each request just before the step of its {@code arrival_step},
     * until every request is done; idle steps count, so arrival steps are engine steps whether or not work ran.
     */
    private void runRequests(Engine engine, Set<Integer> stops, LoraAdapter adapter, PrintWriter stdout) throws IOException {
        List<Line> lines = read(requests);
        RequestHandle[] handles = new RequestHandle[lines.size()];
        List<Line> byArrival = new ArrayList<>(lines);
        byArrival.sort((a, b) -> Integer.compare(a.arrivalStep(), b.arrivalStep()));
        int submitted = 0;
        for (long step = 0; ; step++) {
            while (submitted < byArrival.size() && byArrival.get(submitted).arrivalStep() <= step) {
                Line l = byArrival.get(submitted++);
                try {
                    handles[l.number() - 1] = engine.submit(new GenerationRequest(l.ids(), config(l.maxNewTokens(), stops), adapter,
                            TokenListener.NONE));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(requests + ":" + l.number() + ": " + e.getMessage(), e);
                }
            }
            boolean busy = engine.step();
            if (!busy && submitted == byArrival.size()) break;
        }
        ObjectMapper json = new ObjectMapper();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < handles.length; i++) {
            GenerationResult r;
            try {
                r = handles[i].join();
            } catch (CompletionException e) {
                throw new IllegalStateException(requests + ":" + (i + 1) + ": " + e.getCause().getMessage(), e.getCause());
            }
            ObjectNode o = json.createObjectNode();
            var array = o.putArray("ids");
            for (int id : r.allIds()) array.add(id);
            o.put("finish_reason", r.finishReason().apiName());
            text.append(json.writeValueAsString(o)).append('\n');
        }
        AtomicFile.writeString(out, text.toString());
        var m = engine.metrics();
        stdout.printf("%d requests → %s: %d steps, %d prompt tokens (%d from the prefix cache), %d generated, %d preemptions%n",
                handles.length, out, m.steps(), m.promptTokens(), m.prefixHits() * engine.options().blockSize(),
                m.generatedTokens(), m.preemptions());
    }

    private List<Line> read(Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<String> text = TextFiles.readString(file).lines().toList();
        List<Line> lines = new ArrayList<>();
        for (int i = 0; i < text.size(); i++) {
            String where = file + ":" + (i + 1);
            if (text.get(i).isBlank()) throw new IllegalArgumentException(where + ": empty line (one JSON object per line)");
            JsonNode o;
            try {
                o = json.readTree(text.get(i));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalArgumentException(where + ": not valid JSON (" + e.getOriginalMessage() + ")");
            }
            if (o == null || !o.isObject()) throw new IllegalArgumentException(where + ": expected a JSON object, got " + o);
            JsonNode idsNode = o.get("ids");
            if (idsNode == null || !idsNode.isArray() || idsNode.isEmpty()) {
                throw new IllegalArgumentException(where + ": field \"ids\": expected a non-empty array of token ids, got " + idsNode);
            }
            int[] prompt = new int[idsNode.size()];
            for (int k = 0; k < prompt.length; k++) {
                JsonNode id = idsNode.get(k);
                if (!id.isIntegralNumber() || !id.canConvertToInt() || id.asInt() < 0) {
                    throw new IllegalArgumentException(where + ": field \"ids\"[" + k + "]: expected a token id ≥ 0, got " + id);
                }
                prompt[k] = id.asInt();
            }
            lines.add(new Line(i + 1, prompt, count(o, "max_new_tokens", maxNewTokens, where), count(o, "arrival_step", 0, where)));
        }
        if (lines.isEmpty()) throw new IllegalArgumentException(file + ": no requests");
        return lines;
    }

    private static int count(JsonNode o, String field, int absent, String where) {
        JsonNode v = o.get(field);
        if (v == null) return absent;
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0) {
            throw new IllegalArgumentException(where + ": field \"" + field + "\": expected an integer ≥ 0, got " + v);
        }
        return v.asInt();
    }
}
