package dev.hymt4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.hymt4j.io.AtomicFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Fingerprints of what a run reads, saved in every checkpoint, so that a resume continues with the same training
 * data and base model even where their paths are spelled differently (moved, or a repo id for its snapshot), and
 * refuses when the bytes changed: a checkpoint's data position and adapter mean nothing for other inputs.
 *
 * @param fingerprints by config key ({@code data.train}, {@code model}): size and SHA-256 of what it names
 */
record RunInputs(Map<String, String> fingerprints) {
    static final String FILE_NAME = "run_inputs.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The training data file, and the model's config.json with the size of each weight file. */
    static RunInputs of(Path trainData, Path modelDir) throws IOException {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("data.train", Files.size(trainData) + " bytes, sha256 " + Checkpoint.sha256(trainData));
        StringBuilder model = new StringBuilder("config.json sha256 " + Checkpoint.sha256(modelDir.resolve("config.json")));
        try (Stream<Path> files = Files.list(modelDir)) {
            for (Path p : files.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList()) {
                model.append(", ").append(p.getFileName()).append(' ').append(Files.size(p)).append(" bytes");
            }
        }
        f.put("model", model.toString());
        return new RunInputs(Map.copyOf(f));
    }

    void save(Path file) throws IOException {
        AtomicFile.writeString(file, JSON.writeValueAsString(new java.util.TreeMap<>(fingerprints)) + "\n");
    }

    /** The fingerprints a checkpoint holds; empty for checkpoints written before they were recorded. */
    static Optional<RunInputs> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) return Optional.empty();
        JsonNode root = JSON.readTree(file.toFile());
        Map<String, String> f = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            f.put(e.getKey(), e.getValue().asText());
        }
        return Optional.of(new RunInputs(f));
    }

    /** One line per input whose fingerprint differs from {@code saved}'s. */
    List<String> differences(RunInputs saved) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, String> e : saved.fingerprints.entrySet()) {
            String now = fingerprints.get(e.getKey());
            if (now != null && !now.equals(e.getValue())) {
                out.add(e.getKey() + " is not what the run trained on (now " + now + ", then " + e.getValue() + ")");
            }
        }
        return out;
    }
}
