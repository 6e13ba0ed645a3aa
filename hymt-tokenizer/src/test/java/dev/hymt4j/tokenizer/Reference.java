package dev.hymt4j.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real Hugging Face tokenizers library (Rust, through DJL) and the comparisons against it. */
final class Reference implements AutoCloseable {
    final HuggingFaceTokenizer hf;

    Reference(Path tokenizerJson) throws IOException {
        hf = HuggingFaceTokenizer.newInstance(tokenizerJson, Map.of("addSpecialTokens", "false", "padding", "false", "truncation", "false"));
    }

    int[] encode(String text, boolean addSpecialTokens) {
        return toInts(hf.encode(text, addSpecialTokens, false).getIds());
    }

    int[][] encodeAll(List<String> texts) {
        Encoding[] encodings = hf.batchEncode(texts);
        int[][] ids = new int[encodings.length][];
        for (int i = 0; i < ids.length; i++) ids[i] = toInts(encodings[i].getIds());
        return ids;
    }

    String decode(int[] ids, boolean skipSpecial) {
        return hf.decode(Arrays.stream(ids).asLongStream().toArray(), skipSpecial);
    }

    static int[] toInts(long[] ids) {
        return Arrays.stream(ids).mapToInt(Math::toIntExact).toArray();
    }

    /** Asserts identical ids for every text, reporting the first difference; returns the number of ids compared. */
    static long assertSameIds(Tokenizer ours, int[][] expected, List<String> texts) {
        long total = 0;
        int mismatches = 0;
        StringBuilder report = new StringBuilder();
        for (int i = 0; i < texts.size(); i++) {
            int[] got = ours.encode(texts.get(i));
            total += expected[i].length;
            if (!Arrays.equals(expected[i], got)) {
                if (mismatches++ < 5) report.append("\n  text ").append(i).append(' ').append(escape(texts.get(i)))
                        .append("\n    HF:   ").append(Arrays.toString(expected[i])).append("\n    ours: ").append(Arrays.toString(got));
            }
        }
        assertEquals(0, mismatches, mismatches + " of " + texts.size() + " texts differ:" + report);
        assertTrue(total > 0);
        return total;
    }

    /** Decoding the reference ids of {@code text} gives the reference's text, with and without special tokens. */
    void assertSameDecode(Tokenizer ours, String text) {
        int[] ids = encode(text, false);
        for (boolean skip : new boolean[] {false, true}) {
            assertEquals(decode(ids, skip), ours.decode(ids, skip, false), "decode of " + escape(text));
        }
    }

    static String escape(String s) {
        String shown = s.length() > 120 ? s.substring(0, 120) + "…" : s;
        return "\"" + shown.replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r") + "\"";
    }

    @Override
    public void close() {
        hf.close();
    }
}
