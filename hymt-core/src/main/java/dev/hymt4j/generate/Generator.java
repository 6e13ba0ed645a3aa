package dev.hymt4j.generate;

import dev.hymt4j.engine.Engine;
import dev.hymt4j.engine.EngineOptions;
import dev.hymt4j.engine.GenerationRequest;
import dev.hymt4j.engine.RequestHandle;
import dev.hymt4j.model.CausalLm;

import java.util.ArrayList;
import java.util.List;

/**
 * Autoregressive generation on the continuous-batching {@link Engine}: each prompt is a request with its own
 * sampler seeded from the config's seed, so a prompt generates the same tokens alone or among others.
 */
public final class Generator {
    private final Engine engine;

    /** A generator with an engine of its own (default options) over {@code model}. */
    public Generator(CausalLm model) {
        this(new Engine(model, EngineOptions.DEFAULTS));
    }

    public Generator(Engine engine) {
        this.engine = engine;
    }

    public Engine engine() {
        return engine;
    }

    public GenerationResult generate(int[] prompt, GenerationConfig config, TokenListener listener) {
        RequestHandle h = engine.submit(new GenerationRequest(prompt, config, null, listener));
        return engine.complete(List.of(h)).getFirst();
    }

    /** Generates for every prompt, all in one running batch; results in the order of {@code prompts}. */
    public List<GenerationResult> generate(List<int[]> prompts, GenerationConfig config) {
        if (prompts.isEmpty()) throw new IllegalArgumentException("no prompts");
        List<RequestHandle> handles = new ArrayList<>();
        for (int[] p : prompts) handles.add(engine.submit(GenerationRequest.of(p, config)));
        return engine.complete(handles);
    }
}
