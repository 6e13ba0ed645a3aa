package dev.hymt4j.serve;

import dev.hymt4j.generate.GenerationConfig;

import java.util.List;

/**
 * The decoding settings of one request, from OpenAI-style fields over the model's recommended defaults:
 * {@code max_tokens} (alias {@code max_completion_tokens}), {@code temperature} (0 = greedy), {@code top_p},
 * {@code top_k}, {@code repetition_penalty}, {@code seed}, {@code stop}, {@code n}, and llama-server's and vLLM's
 * {@code ignore_eos} (generate exactly max_tokens tokens, for benchmarks).
 *
 * <p>Without a {@code seed} the seed is 0, as in {@code hymt translate}: the same request gives the same
 * output. Choice {@code i} of {@code n} samples with seed {@code seed + i}.
 *
 * @param explicitMaxTokens whether the request set max_tokens (then overflowing the context is an error;
 *                          the default is clamped to the room left instead)
 */
record Decoding(GenerationConfig config, List<String> stops, int n, boolean explicitMaxTokens) {

    /** The most choices ({@code n}) or alternatives one request may ask for. */
    static final int MAX_CHOICES = 8;
    /** The most stop strings, as OpenAI. */
    static final int MAX_STOPS = 4;
    /** max_tokens when a request does not say, as {@code hymt translate --max-new-tokens}. */
    static final int DEFAULT_MAX_TOKENS = 512;

    static Decoding parse(Fields f, GenerationConfig defaults, Limits limits) {
        String maxField = f.has("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
        Long maxTokens = f.integer(maxField);
        if (maxTokens != null) {
            if (maxTokens < 1) throw ApiException.invalid(maxField, maxField + " must be at least 1, got " + maxTokens);
            if (maxTokens > limits.maxTokensCap()) {
                throw ApiException.overLimit(maxField, maxField + " " + maxTokens + " is over this server's limit of "
                        + limits.maxTokensCap() + " tokens (--max-tokens-cap)");
            }
        }
        GenerationConfig.Builder b = GenerationConfig.builder()
                .sample(defaults.sample()).temperature(defaults.temperature()).topK(defaults.topK())
                .topP(defaults.topP()).repetitionPenalty(defaults.repetitionPenalty())
                .stopTokenIds(defaults.stopTokenIds())
                .maxNewTokens(maxTokens != null ? maxTokens.intValue() : Math.min(DEFAULT_MAX_TOKENS, limits.maxTokensCap()));
        Double temperature = f.number("temperature");
        if (temperature != null) {
            if (!(temperature >= 0 && temperature <= 2)) throw ApiException.invalid("temperature", "temperature must be between 0 and 2, got " + temperature);
            if (temperature == 0) b.greedy();
            else b.sample(true).temperature(temperature.floatValue());
        }
        Double topP = f.number("top_p");
        if (topP != null) {
            if (!(topP > 0 && topP <= 1)) throw ApiException.invalid("top_p", "top_p must be in (0, 1], got " + topP);
            b.topP(topP.floatValue());
        }
        Long topK = f.integer("top_k");
        if (topK != null) {
            if (topK < -1) throw ApiException.invalid("top_k", "top_k must be ≥ 0 (0 or -1 disables it), got " + topK);
            b.topK(topK == -1 ? 0 : (int) Math.min(topK, Integer.MAX_VALUE));
        }
        Double penalty = f.number("repetition_penalty");
        if (penalty != null) {
            if (!(penalty > 0 && penalty <= 2)) throw ApiException.invalid("repetition_penalty", "repetition_penalty must be in (0, 2], got " + penalty);
            b.repetitionPenalty(penalty.floatValue());
        }
        if (Boolean.TRUE.equals(f.bool("ignore_eos"))) b.stopTokenIds(java.util.Set.of());
        Long seed = f.integer("seed");
        b.seed(seed != null ? seed : 0);
        List<String> stops = f.strings("stop");
        if (stops == null) stops = List.of();
        if (stops.size() > MAX_STOPS) throw ApiException.invalid("stop", "at most " + MAX_STOPS + " stop strings, got " + stops.size());
        for (String s : stops) if (s.isEmpty()) throw ApiException.invalid("stop", "stop strings must not be empty");
        Long n = f.integer("n");
        if (n != null && (n < 1 || n > MAX_CHOICES)) throw ApiException.invalid("n", "n must be between 1 and " + MAX_CHOICES + ", got " + n);
        return new Decoding(b.build(), List.copyOf(stops), n == null ? 1 : n.intValue(), maxTokens != null);
    }

    /**
     * The settings for choice {@code index} of a prompt of {@code promptTokens}: seed + index, and max_tokens
     * fitted into the context ({@code contextLength} positions).
     */
    GenerationConfig forChoice(int index, int promptTokens, int contextLength) {
        int room = contextLength - promptTokens;
        if (room < 1) {
            throw new ApiException(400, "invalid_request_error", "context_length_exceeded", null, "the prompt is "
                    + promptTokens + " tokens, which fills the model's context of " + contextLength + " tokens");
        }
        int maxNew = config.maxNewTokens();
        if (maxNew > room) {
            if (explicitMaxTokens) {
                throw new ApiException(400, "invalid_request_error", "context_length_exceeded", "max_tokens", "the prompt ("
                        + promptTokens + " tokens) plus max_tokens (" + maxNew + ") exceeds the model's context of "
                        + contextLength + " tokens");
            }
            maxNew = room;
        }
        return new GenerationConfig(maxNew, config.sample(), config.temperature(), config.topK(), config.topP(),
                config.repetitionPenalty(), config.seed() + index, config.stopTokenIds());
    }
}
