package dev.hymt4j.data;

import java.util.Optional;

/**
 * Turns an example into the user turn of a chat-format training record and back. Pluggable because the
 * official prompt templates live with the inference code; {@link HyMtPromptTemplates} is the data module's
 * rendering of the same published templates.
 */
public interface PromptCodec {

    /** The user-message content that asks the model to translate {@code example.source()}. */
    String render(ParallelExample example);

    /** The assistant-message content: the target as the template expects the model to answer. */
    default String renderResponse(ParallelExample example) {
        return example.target();
    }

    /**
     * Recovers the example from a user message and the assistant's answer, or empty if the message does not
     * follow a template this codec knows.
     */
    Optional<ParallelExample> parse(String userContent, String assistantContent);
}
