package dev.hymt4j.prompt;

/**
 * The token that closes a prompt. Both are used in practice and both produce translations; which one Tencent
 * trained with is not established (spec §5.2, §9), hence the choice.
 */
public enum PromptEnding {
    /** {@link dev.hymt4j.tokenizer.HunyuanTokens#END_OF_DOCUMENT} (120026): the official README usage, {@code add_generation_prompt=False}. */
    END_OF_PROMPT,
    /** {@link dev.hymt4j.tokenizer.HunyuanTokens#ASSISTANT} (120007): {@code add_generation_prompt=True}, as llama.cpp and most GGUF apps do. */
    ASSISTANT;

    public SpecialTokens.Token token(SpecialTokens tokens) {
        return this == END_OF_PROMPT ? tokens.endOfPrompt() : tokens.assistant();
    }
}
