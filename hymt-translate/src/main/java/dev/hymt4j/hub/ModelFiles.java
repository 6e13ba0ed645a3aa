package dev.hymt4j.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Which files of a model repository hymt4j needs, and whether a folder has them. */
public final class ModelFiles {
    private ModelFiles() {}

    public static final String WEIGHTS = "model.safetensors";
    public static final String WEIGHTS_INDEX = "model.safetensors.index.json";

    /**
     * The default download selection: configuration, tokenizer files, chat template and safetensors weights
     * (single file or shards plus index). Everything else in a repository (README, images, other formats) is
     * skipped.
     */
    public static final List<String> DEFAULT_INCLUDES = List.of(
            "config.json", "generation_config.json",
            "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "chat_template.jinja",
            "*.safetensors", "*.safetensors.index.json");

    /** Files of {@code files} matching any of the glob patterns ({@code *} stays within one folder, {@code **} crosses). */
    public static List<String> select(List<String> files, List<String> includeGlobs) {
        List<PathMatcher> matchers = includeGlobs.stream()
                .map(glob -> FileSystems.getDefault().getPathMatcher("glob:" + glob))
                .toList();
        return files.stream()
                .filter(f -> matchers.stream().anyMatch(m -> m.matches(Path.of(f))))
                .toList();
    }

    /**
     * What {@code dir} lacks to be loadable: {@code config.json}, {@code tokenizer.json}, and the weights
     * ({@code model.safetensors}, or an index with every shard it names). Empty when complete.
     */
    public static List<String> missing(Path dir) throws IOException {
        List<String> missing = new ArrayList<>();
        for (String required : List.of("config.json", "tokenizer.json")) {
            if (!Files.isRegularFile(dir.resolve(required))) missing.add(required);
        }
        Path index = dir.resolve(WEIGHTS_INDEX);
        if (Files.isRegularFile(index)) {
            for (String shard : shardsOf(index)) {
                if (!Files.isRegularFile(dir.resolve(shard))) missing.add(shard);
            }
        } else if (!Files.isRegularFile(dir.resolve(WEIGHTS))) {
            missing.add(WEIGHTS + " (or " + WEIGHTS_INDEX + " and its shards)");
        }
        return missing;
    }

    private static Set<String> shardsOf(Path index) throws IOException {
        JsonNode weightMap = new ObjectMapper().readTree(index.toFile()).path("weight_map");
        Set<String> shards = new LinkedHashSet<>();
        weightMap.forEach(shard -> shards.add(shard.asText()));
        return shards;
    }
}
