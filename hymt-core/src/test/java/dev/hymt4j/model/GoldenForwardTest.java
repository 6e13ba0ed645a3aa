package dev.hymt4j.model;

import dev.hymt4j.kv.BlockTable;
import dev.hymt4j.kv.PagedKvCache;
import dev.hymt4j.safetensors.SafetensorsFile;
import dev.hymt4j.testing.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The forward pass against transformers' float32 outputs for golden/tiny-tied (see testdata/golden/README.md). */
class GoldenForwardTest {
    static final double TOLERANCE = 1e-5;
    static HunyuanModel model;
    static SafetensorsFile reference;
    /** The reference's left-padded batch {@code [2, 9]}: ids, attention mask, logits {@code [2, 9, vocab]}. */
    static int[] batchIds, batchMask;
    static float[] batchLogits;
    static final int ROWS = 2;

    @BeforeAll
    static void open() throws Exception {
        model = HunyuanModel.load(TestData.path("golden/tiny-tied"));
        reference = SafetensorsFile.open(TestData.path("golden/tiny-tied/reference_outputs.safetensors"));
        batchIds = ints(reference.readLongs("batch_input_ids"));
        batchMask = ints(reference.readLongs("batch_attention_mask"));
        batchLogits = reference.readFloats("batch_logits");
    }

    @AfterAll
    static void close() {
        model.close();
        reference.close();
    }

    static int[] ints(long[] values) {
        return Arrays.stream(values).mapToInt(Math::toIntExact).toArray();
    }

    @Test
    void logitsAndEveryHiddenStateMatch() throws Exception {
        int[] ids = ints(reference.readLongs("input_ids"));
        ForwardResult r = model.forward(ids, ForwardOptions.ALL_LOGITS_AND_HIDDEN);
        double logitsError = TestData.relL2(r.logits(), reference.readFloats("logits"));
        System.out.printf("tiny-tied logits relative L2 error %.3g%n", logitsError);
        assertTrue(logitsError < TOLERANCE, "logits error " + logitsError);
        assertEquals(3, r.hiddenStates().length);
        for (int i = 0; i < r.hiddenStates().length; i++) {
            double e = TestData.relL2(r.hiddenStates()[i], reference.readFloats("hidden_states." + i));
            System.out.printf("tiny-tied hidden_states.%d relative L2 error %.3g%n", i, e);
            assertTrue(e < TOLERANCE, "hidden_states." + i + " error " + e);
        }
    }

    @Test
    void lastPositionLogitsEqualTheLastRowOfAllLogits() throws Exception {
        int[] ids = ints(reference.readLongs("input_ids"));
        ForwardResult all = model.forward(ids, ForwardOptions.ALL_LOGITS);
        ForwardResult last = model.forward(ids, ForwardOptions.LAST_LOGITS);
        // Bit-identical: a position's logits do not depend on which other positions the head computes.
        assertArrayEquals(all.logits(0, ids.length - 1), last.logits(0, 0));
    }

    /** The reference's left-padded batch: each row's real tokens as one sequence of a ragged step (no padding). */
    @Test
    void raggedBatchMatchesTheLeftPaddedReferenceOnRealPositions() throws Exception {
        int rows = ROWS, tokens = batchIds.length / rows, vocab = model.config().vocabSize();
        StepBatch batch = new StepBatch();
        PagedKvCache cache = new PagedKvCache(model.config(), 4, 1 << 20, false);
        int[][] realIds = new int[rows][];
        int[] firstReal = new int[rows];
        for (int b = 0; b < rows; b++) {
            int[] mask = Arrays.copyOfRange(batchMask, b * tokens, (b + 1) * tokens);
            while (mask[firstReal[b]] == 0) firstReal[b]++;
            for (int t = firstReal[b]; t < tokens; t++) assertEquals(1, mask[t], "left padding only");
            realIds[b] = Arrays.copyOfRange(batchIds, b * tokens + firstReal[b], (b + 1) * tokens);
            BlockTable table = new BlockTable();
            assertTrue(cache.reserve(table, realIds[b].length));
            batch.add(realIds[b], 0, realIds[b].length, 0, table, StepBatch.Logits.ALL, null);
        }
        assertTrue(firstReal[0] > 0 || firstReal[1] > 0, "the reference batch is padded");
        StepOutput out = model.forward(batch, cache);
        for (int b = 0; b < rows; b++) {
            for (int i = 0; i < realIds[b].length; i++) {
                int off = (b * tokens + firstReal[b] + i) * vocab;
                double e = TestData.relL2(out.copyRow(out.row(b) + i), Arrays.copyOfRange(batchLogits, off, off + vocab));
                assertTrue(e < TOLERANCE, "row " + b + " position " + (firstReal[b] + i) + " error " + e);
            }
        }
    }

    /** The same padded batch through the training network (mask-aware attention within each row). */
    @Test
    void trainingForwardMatchesTheLeftPaddedReferenceOnRealPositions() throws Exception {
        int tokens = batchIds.length / ROWS, vocab = model.config().vocabSize();
        float[] logits = new Training(model, null).logits(new TrainingBatch(ROWS, tokens, batchIds, batchMask, batchIds));
        int compared = 0;
        for (int t = 0; t < ROWS * tokens; t++) {
            if (batchMask[t] == 0) continue;
            double e = TestData.relL2(Arrays.copyOfRange(logits, t * vocab, (t + 1) * vocab),
                    Arrays.copyOfRange(batchLogits, t * vocab, (t + 1) * vocab));
            assertTrue(e < TOLERANCE, "token " + t + " error " + e);
            compared++;
        }
        assertTrue(compared > tokens, "compared " + compared + " positions");
    }
}
