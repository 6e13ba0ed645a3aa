package dev.hymt4j.engine;

import dev.hymt4j.generate.GenerationConfig;
import dev.hymt4j.generate.TokenListener;
import dev.hymt4j.lora.LoraAdapter;

import java.util.Objects;

/**
 * One generation for an {@link Engine}: prompt ids, how to choose tokens (sampling settings, seed, stop ids,
 * max new tokens), an optional LoRA adapter (null: the base model) and a listener that receives each token as
 * it is chosen.
 */
public record GenerationRequest(int[] promptIds, GenerationConfig config, LoraAdapter adapter, TokenListener listener) {
    public GenerationRequest {
        Objects.requireNonNull(promptIds, "promptIds");
        Objects.requireNonNull(config, "config");
        if (promptIds.length == 0) throw new IllegalArgumentException("empty prompt: need at least one token");
        promptIds = promptIds.clone();
        if (listener == null) listener = TokenListener.NONE;
    }

    /** A request on the base model without a listener. */
    public static GenerationRequest of(int[] promptIds, GenerationConfig config) {
        return new GenerationRequest(promptIds, config, null, TokenListener.NONE);
    }
}
