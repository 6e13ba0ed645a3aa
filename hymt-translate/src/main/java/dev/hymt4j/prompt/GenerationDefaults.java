package dev.hymt4j.prompt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hymt4j.gguf.GgufException;
import dev.hymt4j.gguf.GgufFile;
import dev.hymt4j.gguf.GgufMetadata;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Sampling parameters and stop ids for generation. Starts from the README recommendation (spec §5.4:
 * top_k 20, top_p 0.6, repetition_penalty 1.05, temperature 0.7, sampling on, EOS 120020); a model's
 * {@code generation_config.json}, whose contents for HY-MT1.5 are unknown (§5.3 [U]), overrides each field it
 * sets.
 */
public record GenerationDefaults(int topK, double topP, double repetitionPenalty, double temperature,
                                 boolean doSample, List<Integer> eosTokenIds) {

    public static final String FILE_NAME = "generation_config.json";

    public GenerationDefaults {
        eosTokenIds = List.copyOf(eosTokenIds);
        if (topK < 0) throw new IllegalArgumentException("top_k must be >= 0, got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        if (!(repetitionPenalty > 0)) throw new IllegalArgumentException("repetition_penalty must be > 0, got " + repetitionPenalty);
        if (!(temperature > 0)) throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
    }

    /** The README's recommendation for HY-MT1.5. */
    public static GenerationDefaults readme() {
        return new GenerationDefaults(20, 0.6, 1.05, 0.7, true, List.of(120020));
    }

    /**
     * The README values overridden by {@code modelDir/generation_config.json} when that file exists, or, for a
     * GGUF file, by its {@code general.sampling.*} keys and its EOS/EOT ids (what llama.cpp's converter keeps of
     * generation_config.json).
     */
    public static GenerationDefaults load(Path modelDir) throws IOException {
        if (GgufFile.isGguf(modelDir)) {
            try (GgufFile gguf = GgufFile.open(modelDir)) {
                return readme().overriddenBy(gguf.metadata());
            }
        }
        Path file = modelDir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) return readme();
        JsonNode json;
        try {
            json = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException("Cannot parse " + file + ": " + e.getMessage(), e);
        }
        return readme().overriddenBy(json, file);
    }

    private GenerationDefaults overriddenBy(GgufMetadata m) throws GgufException {
        List<Integer> eos = new ArrayList<>();
        for (String key : List.of("tokenizer.ggml.eos_token_id", "tokenizer.ggml.eot_token_id")) {
            m.optionalInteger(key, 0).filter(id -> !eos.contains(id)).ifPresent(eos::add);
        }
        try {
            return new GenerationDefaults(
                    m.optionalInteger("general.sampling.top_k", 0).orElse(topK),
                    m.optionalReal("general.sampling.top_p").orElse(topP),
                    m.optionalReal("general.sampling.penalty_repeat").orElse(repetitionPenalty),
                    m.optionalReal("general.sampling.temp").orElse(temperature),
                    doSample,
                    eos.isEmpty() ? eosTokenIds : eos);
        } catch (IllegalArgumentException e) {
            throw new GgufException(m.where() + ": " + e.getMessage(), e);
        }
    }

    private GenerationDefaults overriddenBy(JsonNode json, Path source) {
        try {
            return new GenerationDefaults(
                    json.hasNonNull("top_k") ? json.get("top_k").asInt() : topK,
                    json.hasNonNull("top_p") ? json.get("top_p").asDouble() : topP,
                    json.hasNonNull("repetition_penalty") ? json.get("repetition_penalty").asDouble() : repetitionPenalty,
                    json.hasNonNull("temperature") ? json.get("temperature").asDouble() : temperature,
                    json.hasNonNull("do_sample") ? json.get("do_sample").asBoolean() : doSample,
                    json.hasNonNull("eos_token_id") ? idList(json.get("eos_token_id")) : eosTokenIds);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    // HF writes eos_token_id as a single int or as a list of ints.
    private static List<Integer> idList(JsonNode node) {
        List<Integer> ids = new ArrayList<>();
        if (node.isArray()) node.forEach(n -> ids.add(n.asInt()));
        else ids.add(node.asInt());
        return ids;
    }

    /** The ids generation stops on: this config's EOS list plus the template's defensive stops (spec §5.3). */
    public Set<Integer> stopIds(SpecialTokens tokens) {
        Set<Integer> ids = new LinkedHashSet<>(eosTokenIds);
        ids.addAll(tokens.stopIds());
        return ids;
    }
}
