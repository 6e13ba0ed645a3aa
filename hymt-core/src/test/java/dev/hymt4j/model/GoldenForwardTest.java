package dev.hymt4j.model;

import dev.hymt4j.safetensors.SafetensorsFile;
import dev.hymt4j.testing.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The forward pass against transformers' float32 outputs for golden/tiny-tied (see testdata/golden/README.md). */
class GoldenForwardTest {
    static final double TOLERANCE = 1e-5;
    static HunyuanModel model;
    static SafetensorsFile reference;

    @BeforeAll
    static void open() throws Exception {
        model = HunyuanModel.load(TestData.path("golden/tiny-tied"));
        reference = SafetensorsFile.open(TestData.path("golden/tiny-tied/reference_outputs.safetensors"));
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
        // Not bit-identical: the JIT may compile the vector reductions of the two calls differently.
        double e = TestData.relL2(last.logits(0, 0), all.logits(0, ids.length - 1));
        assertTrue(e < 1e-6, "error " + e);
    }

    @Test
    void leftPaddedBatchMatchesOnRealPositions() throws Exception {
        long[] flatIds = reference.readLongs("batch_input_ids");
        long[] flatMask = reference.readLongs("batch_attention_mask");
        float[] expected = reference.readFloats("batch_logits");
        int rows = 2, tokens = flatIds.length / rows, vocab = model.config().vocabSize();
        int[][] ids = new int[rows][], mask = new int[rows][];
        for (int b = 0; b < rows; b++) {
            ids[b] = ints(Arrays.copyOfRange(flatIds, b * tokens, (b + 1) * tokens));
            mask[b] = ints(Arrays.copyOfRange(flatMask, b * tokens, (b + 1) * tokens));
        }
        assertTrue(Arrays.stream(mask[0]).anyMatch(m -> m == 0) || Arrays.stream(mask[1]).anyMatch(m -> m == 0),
                "the reference batch is padded");
        ForwardResult r = model.forward(ids, mask, null, ForwardOptions.ALL_LOGITS);
        int compared = 0;
        for (int b = 0; b < rows; b++) {
            for (int t = 0; t < tokens; t++) {
                if (mask[b][t] == 0) continue;
                int off = (b * tokens + t) * vocab;
                double e = TestData.relL2(r.logits(b, t), Arrays.copyOfRange(expected, off, off + vocab));
                assertTrue(e < TOLERANCE, "row " + b + " position " + t + " error " + e);
                compared++;
            }
        }
        assertTrue(compared > tokens, "compared " + compared + " positions");
    }
}
