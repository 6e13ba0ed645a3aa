package dev.hymt4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hymt4j.demo.DemoSetup;
import dev.hymt4j.model.DemoModel;
import dev.hymt4j.safetensors.DType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A training setup small enough for tests: a random model of hidden size 32 with an 800-token BPE vocabulary
 * trained on the shipped corpus, and train/valid files taken from that corpus.
 */
public final class TinyTraining {
    private TinyTraining() {}

    /** Writes {@code dir/model}, {@code dir/train.jsonl} (48 pairs) and {@code dir/valid.jsonl} (6 pairs). */
    public static void write(Path dir) throws IOException {
        DemoSetup.create(dir.resolve("model"), 7, 800, DType.F32,
                vocab -> new DemoModel.Shape(vocab, 32, 2, 4, 2, 8, 64, true));
        List<JsonNode> pairs = DemoSetup.readCorpus(DemoSetup.CORPUS.getLast());   // the one with terms
        Files.write(dir.resolve("train.jsonl"), lines(pairs.subList(0, 48)));
        Files.write(dir.resolve("valid.jsonl"), lines(pairs.subList(48, 54)));
    }

    private static List<String> lines(List<JsonNode> pairs) {
        List<String> out = new ArrayList<>();
        for (JsonNode p : pairs) out.add(p.toString());
        return out;
    }

    /** Settings of a short run over {@link #write}'s files: 14 steps, eval and save every 4, dropout on. */
    public static List<String> overrides(Path dir, Path output) {
        return List.of("model=" + dir.resolve("model"), "data.train=" + dir.resolve("train.jsonl"),
                "data.valid=" + dir.resolve("valid.jsonl"), "output_dir=" + output, "max_steps=14",
                "per_device_train_batch_size=4", "gradient_accumulation_steps=2", "learning_rate=3e-3",
                "warmup_ratio=0.1", "lr_scheduler_type=cosine", "lora.r=4", "lora.alpha=8", "lora.dropout=0.1",
                "logging_steps=2", "eval_steps=4", "save_steps=4", "save_total_limit=2", "eval_max_new_tokens=6",
                "max_seq_len=400", "seed=11", "threads=2");
    }
}
