package dev.hymt4j.train;

import dev.hymt4j.data.ParallelExample;
import dev.hymt4j.data.TemplatePromptCodec;
import dev.hymt4j.prompt.ChatTemplate;
import dev.hymt4j.prompt.PromptEnding;
import dev.hymt4j.prompt.SpecialTokens;
import dev.hymt4j.tokenizer.EncodeOptions;
import dev.hymt4j.tokenizer.Tokenizer;

import java.util.Arrays;

/**
 * Turns a translation example into a training sequence exactly as inference will prompt for it: the official
 * prompt template its fields call for (plain, terminology, context or formatted; {@link TemplatePromptCodec}),
 * wrapped in the chat template ({@code BOS USER prompt END_OF_PROMPT}, spec §5.2), followed by the target (in
 * {@code <target>} tags for the formatted template) and the EOS that ends an assistant turn — the format
 * LLaMA-Factory's {@code hunyuan_small} template trains HY-MT1.5 with. Text is encoded as plain text, so
 * special-token strings inside the data stay text, as they do in {@code Translator}.
 */
public final class ExampleEncoder {
    private final Tokenizer tokenizer;
    private final ChatTemplate chat;
    private final TemplatePromptCodec prompts = TemplatePromptCodec.official();

    public ExampleEncoder(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
        this.chat = new ChatTemplate(SpecialTokens.fromVocabulary(tokenizer::findTokenId), PromptEnding.END_OF_PROMPT);
    }

    /** Prompt and answer ids of one example; the loss is taken on the answer (target + EOS) only. */
    public record Sequence(int[] ids, int promptLength) {
        public int length() {
            return ids.length;
        }
    }

    /** @throws IllegalArgumentException if no official template can express the example (e.g. terms and context) */
    public Sequence encode(ParallelExample example) {
        int[] prompt = chat.encodeUserPrompt(prompts.render(example), this::plainText);
        int[] answer = plainText(prompts.renderResponse(example));
        int[] ids = Arrays.copyOf(prompt, prompt.length + answer.length + 1);
        System.arraycopy(answer, 0, ids, prompt.length, answer.length);
        ids[ids.length - 1] = eosId();
        return new Sequence(ids, prompt.length);
    }

    /** The id that ends an answer; also what padding positions hold (they are masked, so any id would do). */
    public int eosId() {
        return chat.tokens().eos().id();
    }

    private int[] plainText(String text) {
        return tokenizer.encode(text, EncodeOptions.PLAIN_TEXT);
    }
}
