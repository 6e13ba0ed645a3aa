package dev.hymt4j.data;

import java.util.Optional;

/**
 * Turns an example into the user turn of a chat-format training record and back. Pluggable so that data can
 * use other prompts than the official ones; {@link TemplatePromptCodec#official()}, the default, delegates to the
 * inference code's {@link dev.hymt4j.prompt.PromptTemplates}.
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
