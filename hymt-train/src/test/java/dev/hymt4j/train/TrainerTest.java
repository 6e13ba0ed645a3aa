package dev.hymt4j.train;

import dev.hymt4j.data.ParallelExample;
import dev.hymt4j.data.TemplatePromptCodec;
import dev.hymt4j.lora.LoraAdapter;
import dev.hymt4j.model.ModelConfig;
import dev.hymt4j.model.TrainingBatch;
import dev.hymt4j.tokenizer.Tokenizer;
import dev.hymt4j.translate.Translator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Training examples as the model sees them, and one short {@code hymt train} run in-process. */
class TrainerTest {
    @TempDir
    static Path setup;

    @BeforeAll
    static void writeSetup() throws Exception {
        TinyTraining.write(setup);
    }

    @Test
    void examplesAreTheInferencePromptThenTheTargetAndEosWithLossOnTheAnswerOnly() throws Exception {
        Path model = setup.resolve("model");
        Tokenizer tokenizer = Tokenizer.load(model);
        ExampleEncoder encoder = new ExampleEncoder(tokenizer);
        ParallelExample withTerms = new ParallelExample("Click Replace with.", "点击「替换为」。", "en", "zh",
                List.of(new ParallelExample.Term("Replace with", "替换为")), null, null);
        ParallelExample plain = ParallelExample.of("Select a cell.", "选择单元格。", "en", "zh");
        ParallelExample longOne = ParallelExample.of("word ".repeat(200), "字".repeat(200), "en", "zh");

        try (Translator translator = Translator.load(model)) {
            for (ParallelExample e : List.of(withTerms, plain)) {
                ExampleEncoder.Sequence s = encoder.encode(e);
                int[] prompt = translator.promptIds(TemplatePromptCodec.toRequest(e));
                assertArrayEquals(prompt, Arrays.copyOf(s.ids(), s.promptLength()), "the prompt inference uses");
                assertEquals(encoder.eosId(), s.ids()[s.length() - 1]);
                assertEquals(e.target(), tokenizer.decode(Arrays.copyOfRange(s.ids(), s.promptLength(), s.length() - 1), true, false));
            }
            String termsPrompt = tokenizer.decode(Arrays.copyOf(encoder.encode(withTerms).ids(), encoder.encode(withTerms).promptLength()), true, false);
            assertTrue(termsPrompt.contains("Replace with") && termsPrompt.contains("替换为") && termsPrompt.contains("Click Replace with."),
                    "the terminology template: " + termsPrompt);
        }

        int maxSeqLen = Math.max(encoder.encode(plain).length(), encoder.encode(withTerms).length());
        assertTrue(encoder.encode(longOne).length() > maxSeqLen);
        EncodedDataset data = EncodedDataset.encode(Path.of("mem.jsonl"), List.of(plain, longOne, withTerms), encoder, maxSeqLen);
        assertEquals(2, data.size());
        assertEquals(1, data.dropped(), "longer than max_seq_len: dropped and counted");
        assertEquals(List.of(plain, withTerms), data.examples());
        int length = Math.max(data.length(0), data.length(1));
        TrainingBatch batch = data.batch(new int[]{0, 1}, length);
        ExampleEncoder.Sequence first = encoder.encode(plain);
        for (int t = 0; t < length; t++) {
            boolean real = t < first.length();
            assertEquals(real ? 1 : 0, batch.attentionMask()[t], "mask at " + t);
            int expected = real && t >= first.promptLength() ? first.ids()[t] : TrainingBatch.IGNORE_INDEX;
            assertEquals(expected, batch.labels()[t], "label at " + t);
        }
        assertEquals(first.length() - first.promptLength() + encoder.encode(withTerms).length()
                - encoder.encode(withTerms).promptLength(), batch.targetCount(), "loss on every answer token");
    }

    /** backend=auto measures once when the run starts, records the outcome, and a resume takes the record. */
    @Test
    void autoRecordsItsChoiceAndAResumedRunKeepsIt(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("run");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        new Trainer(TrainingConfig.fromOverrides(settings(out, "max_steps=2", "backend=auto")),
                new PrintStream(printed, true, StandardCharsets.UTF_8)).run(false);
        String first = printed.toString(StandardCharsets.UTF_8);
        String recorded = Files.readString(out.resolve(Trainer.BACKEND_FILE)).trim();
        assertTrue(recorded.equals("java") || recorded.equals("onednn"), recorded);
        assertTrue(first.contains("training backend: " + recorded) || first.contains("training backend: auto → " + recorded), first);

        // whatever this machine would measure now, the resumed run takes the record (here: java)
        Files.writeString(out.resolve(Trainer.BACKEND_FILE), "java\n");
        printed.reset();
        new Trainer(TrainingConfig.fromOverrides(settings(out, "max_steps=4", "backend=auto")),
                new PrintStream(printed, true, StandardCharsets.UTF_8)).run(true);
        String resumed = printed.toString(StandardCharsets.UTF_8);
        assertTrue(resumed.contains("training backend: java (exact FP32 Vector API kernels) (backend=auto: what the resumed run chose, from "
                + Trainer.BACKEND_FILE + ")"), resumed);

        Files.writeString(out.resolve(Trainer.BACKEND_FILE), "cuda\n");
        ConfigException e = assertThrows(ConfigException.class, () -> new Trainer(
                TrainingConfig.fromOverrides(settings(out, "max_steps=6", "backend=auto")), new PrintStream(new ByteArrayOutputStream())).run(true));
        assertEquals(out.resolve(Trainer.BACKEND_FILE) + ": unknown backend 'cuda' (expected java, onednn or auto), the backend that"
                + " backend=auto chose when the run started", e.getMessage());
    }

    /** {@link TinyTraining#overrides} with some keys replaced. */
    private static List<String> settings(Path out, String... replaced) {
        List<String> all = new java.util.ArrayList<>(TinyTraining.overrides(setup, out));
        for (String r : replaced) {
            String key = r.substring(0, r.indexOf('=') + 1);
            all.removeIf(s -> s.startsWith(key));
            all.add(r);
        }
        all.removeIf(s -> s.startsWith("save_steps=") || s.startsWith("eval_steps="));
        all.add("save_steps=2");
        all.add("eval_steps=100");
        return all;
    }

    @Test
    void aShortRunLogsEvaluatesCheckpointsAndReports(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("run");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        TrainReport report = new Trainer(TrainingConfig.fromOverrides(TinyTraining.overrides(setup, out)),
                new PrintStream(printed, true, StandardCharsets.UTF_8)).run(false);
        String text = printed.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("train: 48 examples"), text);
        assertTrue(text.contains("final adapter: " + out.resolve("adapter")), text);

        List<Map<String, Object>> metrics = MetricsLog.read(out.resolve(MetricsLog.FILE_NAME));
        List<Map<String, Object>> losses = metrics.stream().filter(m -> m.containsKey("loss")).toList();
        assertEquals(List.of(2, 4, 6, 8, 10, 12, 14), losses.stream().map(m -> ((Number) m.get("step")).intValue()).toList());
        assertTrue(losses.stream().allMatch(m -> ((Number) m.get("tokens_per_second")).doubleValue() > 0), losses.toString());
        List<Map<String, Object>> evals = metrics.stream().filter(m -> m.containsKey("eval_loss")).toList();
        assertEquals(List.of(4, 8, 12, 14), evals.stream().map(m -> ((Number) m.get("step")).intValue()).toList());
        assertTrue(evals.stream().allMatch(m -> m.containsKey("eval_bleu") && m.containsKey("eval_chrf")), evals.toString());
        double firstEval = ((Number) evals.getFirst().get("eval_loss")).doubleValue();
        assertTrue(report.eval("eval_loss") < firstEval, "validation loss falls: " + firstEval + " → " + report.eval("eval_loss"));

        // TensorBoard, read back by the independent reader
        List<EventFileReader.Point> points = EventFileReader.scalarsAsTensorBoardShows(out.resolve("runs"));
        assertEquals(List.of(2L, 4L, 6L, 8L, 10L, 12L, 14L), points.stream().filter(p -> p.tag().equals("train/loss")).map(EventFileReader.Point::step).toList());
        assertEquals(((Number) losses.getLast().get("loss")).floatValue(),
                points.stream().filter(p -> p.tag().equals("train/loss")).toList().getLast().value());
        for (String tag : List.of("train/learning_rate", "train/grad_norm", "train/tokens_per_second", "eval/loss", "eval/bleu", "eval/chrf")) {
            assertTrue(points.stream().anyMatch(p -> p.tag().equals(tag)), tag + " in " + points);
        }

        // checkpoints: the latest two plus the best; the final adapter loads; the report is on disk
        TrainerState state = new CheckpointManager(out, java.util.OptionalInt.of(2)).latestComplete().orElseThrow().trainerState();
        assertEquals(14, state.globalStep());
        assertTrue(Files.isRegularFile(out.resolve(state.bestModelCheckpoint()).resolve(LoraAdapter.WEIGHTS_FILE)));
        for (String f : List.of(LoraAdapter.CONFIG_FILE, Trainer.OPTIMIZER_FILE, BatchPosition.FILE_NAME, TrainerState.FILE_NAME)) {
            assertTrue(Files.isRegularFile(out.resolve("checkpoint-14").resolve(f)), f);
        }
        assertFalse(Files.exists(out.resolve("checkpoint-4")), "rotated out");
        ModelConfig config = ModelConfig.load(setup.resolve("model").resolve("config.json"));
        assertEquals(28, LoraAdapter.load(out.resolve("adapter"), config).parameters().size(), "2 layers × 7 projections × A, B");
        String json = Files.readString(out.resolve(Trainer.REPORT_FILE));
        assertTrue(json.contains("\"tokens_per_second\"") && json.contains("\"best_model_checkpoint\""), json);
    }
}
