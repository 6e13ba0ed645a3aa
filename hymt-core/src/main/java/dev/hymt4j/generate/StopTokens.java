package dev.hymt4j.generate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hymt4j.io.ConfigFields;
import dev.hymt4j.model.ModelConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/** The stop ids a model directory declares: config.json's {@code eos_token_id} and generation_config.json's. */
public final class StopTokens {
    private StopTokens() {}

    /** Union of both files' {@code eos_token_id} (an int or a list; transformers stops on any of them). */
    public static Set<Integer> ofModel(Path modelDir, ModelConfig config) throws IOException {
        Set<Integer> ids = new LinkedHashSet<>(config.eosTokenIds());
        Path generation = modelDir.resolve("generation_config.json");
        if (Files.isRegularFile(generation)) {
            JsonNode json = ConfigFields.read(generation, IOException::new);
            if (!json.isObject()) throw new IOException(generation + ": not a JSON object");
            ConfigFields<IOException> f = new ConfigFields<>(generation.toString(), json, IOException::new);
            for (long id : f.integers("eos_token_id", 0, config.vocabSize() - 1L)) ids.add((int) id);
        }
        return Set.copyOf(ids);
    }
}
