package dev.hymt4j.generate;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * One generated sequence. The generated ids include the stop token when {@link FinishReason#STOP_TOKEN}, as
 * transformers' output does. Timings: queue is submission to the first step that ran the request, prefill
 * from there to its first token (the prompt's forward passes, shared with the other sequences of those steps),
 * decode from the first token to the last.
 */
public record GenerationResult(int[] promptIds, int[] generatedIds, FinishReason finishReason,
                               long queueNanos, long prefillNanos, long decodeNanos) {

    public int promptTokens() {
        return promptIds.length;
    }

    public int generatedTokens() {
        return generatedIds.length;
    }

    /** Prompt followed by the generated ids. */
    public int[] allIds() {
        int[] all = Arrays.copyOf(promptIds, promptIds.length + generatedIds.length);
        System.arraycopy(generatedIds, 0, all, promptIds.length, generatedIds.length);
        return all;
    }

    public double prefillTokensPerSecond() {
        return promptIds.length / (prefillNanos / 1e9);
    }

    /** Tokens from decode passes (all but the first) per second of decoding; NaN with fewer than 2 tokens. */
    public double decodeTokensPerSecond() {
        return generatedIds.length < 2 ? Double.NaN : (generatedIds.length - 1) / (decodeNanos / 1e9);
    }

    /** Comma-separated ids, e.g. for the command line. */
    public static String join(int[] ids) {
        return Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }
}
