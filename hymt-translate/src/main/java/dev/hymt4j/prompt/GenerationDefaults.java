package dev.hymt4j.prompt;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hymt4j.gguf.GgufException;
import dev.hymt4j.gguf.GgufFile;
import dev.hymt4j.gguf.GgufMetadata;
import dev.hymt4j.io.ConfigFields;

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
        return load(modelDir, Integer.MAX_VALUE);
    }

    /**
     * As {@link #load(Path)}, with the file's token ids checked against the model's vocabulary. Every field is
     * checked for its type and range: a wrong one is an error naming the file, the field and the value.
     */
    public static GenerationDefaults load(Path modelDir, int vocabSize) throws IOException {
        if (GgufFile.isGguf(modelDir)) {
            try (GgufFile gguf = GgufFile.open(modelDir)) {
                return readme().overriddenBy(gguf.metadata(), vocabSize);
            }
        }
        Path file = modelDir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) return readme();
        JsonNode json = ConfigFields.read(file, IOException::new);
        if (!json.isObject()) throw new IOException(file + ": not a JSON object");
        return readme().overriddenBy(new ConfigFields<>(file.toString(), json, IOException::new), vocabSize);
    }

    private GenerationDefaults overriddenBy(GgufMetadata m, int vocabSize) throws GgufException {
        List<Integer> eos = new ArrayList<>();
        for (String key : List.of("tokenizer.ggml.eos_token_id", "tokenizer.ggml.eot_token_id")) {
            Integer id = m.optionalInteger(key, 0).orElse(null);
            if (id == null || eos.contains(id)) continue;
            if (id >= vocabSize) {
                throw new GgufException(m.where() + ": metadata key '" + key + "' is " + id
                        + ", expected a token id in [0, " + (vocabSize - 1) + "]");
            }
            eos.add(id);
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

    private GenerationDefaults overriddenBy(ConfigFields<IOException> f, int vocabSize) throws IOException {
        // Read for their types only (hymt uses its own lengths), so a broken file is never half-trusted.
        for (String id : List.of("bos_token_id", "pad_token_id")) f.integer(id, 0, 0, vocabSize - 1L);
        for (String length : List.of("max_length", "max_new_tokens")) f.integer(length, 1, 1, Integer.MAX_VALUE);
        f.string("transformers_version", null);
        List<Integer> eos = new ArrayList<>();
        for (long id : f.integers("eos_token_id", 0, vocabSize - 1L)) eos.add((int) id);
        return new GenerationDefaults(
                (int) f.integer("top_k", topK, 0, Integer.MAX_VALUE),
                f.number("top_p", topP, 0, 1, true),
                f.number("repetition_penalty", repetitionPenalty, 0, 100, true),
                f.number("temperature", temperature, 0, 100, true),
                f.bool("do_sample", doSample),
                f.has("eos_token_id") ? eos : eosTokenIds);
    }

    /** The ids generation stops on: this config's EOS list plus the template's defensive stops (spec §5.3). */
    public Set<Integer> stopIds(SpecialTokens tokens) {
        Set<Integer> ids = new LinkedHashSet<>(eosTokenIds);
        ids.addAll(tokens.stopIds());
        return ids;
    }
}
