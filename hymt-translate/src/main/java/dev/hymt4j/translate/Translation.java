package dev.hymt4j.translate;

import dev.hymt4j.generate.FinishReason;

/**
 * One translated text and what it cost.
 *
 * @param text            the translation, cleaned (trimmed; the {@code <target>} wrapper removed in formatted mode)
 * @param rawOutput       the decoded model output before cleaning
 * @param promptTokens    tokens in the rendered prompt (chat template included)
 * @param generatedTokens tokens the model generated, the stop token included
 * @param finishReason    why generation ended (a stop token, or the max-new-tokens limit)
 */
public record Translation(String text, String rawOutput, int promptTokens, int generatedTokens, FinishReason finishReason) {
}
