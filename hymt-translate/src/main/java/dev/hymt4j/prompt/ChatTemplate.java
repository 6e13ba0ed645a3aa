package dev.hymt4j.prompt;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * The HY-MT1.5 chat template (spec §5.1): {@code BOS [system SYSTEM_END] (USER content | ASSISTANT content EOS)*
 * ENDING}, content verbatim. It renders the template string, and builds prompt ids directly from marker ids
 * and encoded content, which equals encoding the string as long as the content holds no added-token text.
 *
 * <p>A prompt holds exactly one BOS, at its start: a first message whose content already begins with the BOS
 * text does not get a second one, and a leading BOS id an encoder adds to a piece of content is dropped
 * (a doubled BOS changes the model's output, spec §8.7).
 */
public final class ChatTemplate {
    private final SpecialTokens tokens;
    private final PromptEnding ending;

    public ChatTemplate(SpecialTokens tokens, PromptEnding ending) {
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.ending = Objects.requireNonNull(ending, "ending");
    }

    /** HY-MT1.5 token ids, prompt ending 120026 as in the official README. */
    public static ChatTemplate hyMt15() {
        return new ChatTemplate(SpecialTokens.hyMt15(), PromptEnding.END_OF_PROMPT);
    }

    public SpecialTokens tokens() {
        return tokens;
    }

    public PromptEnding ending() {
        return ending;
    }

    /** The template string for a conversation, ending with the configured prompt ending. */
    public String render(List<ChatMessage> messages) {
        checkOrder(messages);
        StringBuilder out = new StringBuilder(tokens.bos().text());
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage message = messages.get(i);
            String content = i == 0 ? withoutLeadingBosText(message.content()) : message.content();
            switch (message.role()) {
                case SYSTEM -> out.append(content).append(tokens.systemEnd().text());
                case USER -> out.append(tokens.user().text()).append(content);
                case ASSISTANT -> out.append(tokens.assistant().text()).append(content).append(tokens.eos().text());
            }
        }
        return out.append(ending.token(tokens).text()).toString();
    }

    /** The prompt string for one user message, the usual translation prompt. */
    public String renderUserPrompt(String userMessage) {
        return render(List.of(ChatMessage.user(userMessage)));
    }

    /** Prompt ids for a conversation: marker ids plus {@code encoder}'s ids for each content. */
    public int[] encode(List<ChatMessage> messages, TextEncoder encoder) {
        checkOrder(messages);
        IdBuffer ids = new IdBuffer();
        ids.add(tokens.bos().id());
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage message = messages.get(i);
            String content = i == 0 ? withoutLeadingBosText(message.content()) : message.content();
            switch (message.role()) {
                case SYSTEM -> {
                    ids.addAll(encodeContent(encoder, content));
                    ids.add(tokens.systemEnd().id());
                }
                case USER -> {
                    ids.add(tokens.user().id());
                    ids.addAll(encodeContent(encoder, content));
                }
                case ASSISTANT -> {
                    ids.add(tokens.assistant().id());
                    ids.addAll(encodeContent(encoder, content));
                    ids.add(tokens.eos().id());
                }
            }
        }
        ids.add(ending.token(tokens).id());
        return ids.toArray();
    }

    /** Prompt ids for one user message: {@code [BOS, USER, …encode(userMessage)…, ENDING]} (spec §5.2). */
    public int[] encodeUserPrompt(String userMessage, TextEncoder encoder) {
        return encode(List.of(ChatMessage.user(userMessage)), encoder);
    }

    private int[] encodeContent(TextEncoder encoder, String content) {
        if (content.isEmpty()) return new int[0];
        int[] encoded = encoder.encode(content);
        int start = 0;
        while (start < encoded.length && encoded[start] == tokens.bos().id()) start++;
        return start == 0 ? encoded : Arrays.copyOfRange(encoded, start, encoded.length);
    }

    private String withoutLeadingBosText(String content) {
        String bos = tokens.bos().text();
        while (content.startsWith(bos)) content = content.substring(bos.length());
        return content;
    }

    private static void checkOrder(List<ChatMessage> messages) {
        if (messages.isEmpty()) throw new IllegalArgumentException("A prompt needs at least one message.");
        boolean misplacedSystem = IntStream.range(1, messages.size())
                .anyMatch(i -> messages.get(i).role() == ChatMessage.Role.SYSTEM);
        if (misplacedSystem) {
            throw new IllegalArgumentException("A system message may only come first; the HY-MT1.5 template has no"
                    + " place for one later in the conversation.");
        }
    }

    /** A growable int array, so prompt building does not box every id. */
    private static final class IdBuffer {
        private int[] ids = new int[64];
        private int size;

        void add(int id) {
            if (size == ids.length) ids = Arrays.copyOf(ids, size * 2);
            ids[size++] = id;
        }

        void addAll(int[] more) {
            if (size + more.length > ids.length) ids = Arrays.copyOf(ids, Math.max(size * 2, size + more.length));
            System.arraycopy(more, 0, ids, size, more.length);
            size += more.length;
        }

        int[] toArray() {
            return Arrays.copyOf(ids, size);
        }
    }
}
