package dev.hymt4j.prompt;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChatTemplateTest {
    // Written with escapes, independently of the constants: U+FF5C fullwidth bar, U+2581 lower block.
    private static final String BOS = "<\uFF5Chy_begin\u2581of\u2581sentence\uFF5C>";
    private static final String USER = "<\uFF5Chy_User\uFF5C>";
    private static final String ASSISTANT = "<\uFF5Chy_Assistant\uFF5C>";
    private static final String EOS = "<\uFF5Chy_place\u2581holder\u2581no\u25812\uFF5C>";
    private static final String SYSTEM_END = "<\uFF5Chy_place\u2581holder\u2581no\u25813\uFF5C>";
    private static final String END_OF_PROMPT = "<\uFF5Chy_place\u2581holder\u2581no\u25818\uFF5C>";

    /** One id per UTF-8 byte, so expected ids follow from the expected text by hand. */
    private static final TextEncoder BYTES = text -> {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) ids[i] = bytes[i] & 0xFF;
        return ids;
    };

    private static final ChatTemplate README = ChatTemplate.hyMt15();
    private static final ChatTemplate GENERATION_PROMPT =
            new ChatTemplate(SpecialTokens.hyMt15(), PromptEnding.ASSISTANT);

    private static int[] readmePromptIds(String userMessage) {
        List<Integer> ids = new ArrayList<>(List.of(120000, 120006));
        for (int b : BYTES.encode(userMessage)) ids.add(b);
        ids.add(120026);
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void specialTokenStrings() {
        SpecialTokens t = SpecialTokens.hyMt15();
        assertEquals(BOS, t.bos().text());
        assertEquals(USER, t.user().text());
        assertEquals(ASSISTANT, t.assistant().text());
        assertEquals(EOS, t.eos().text());
        assertEquals(SYSTEM_END, t.systemEnd().text());
        assertEquals(END_OF_PROMPT, t.endOfPrompt().text());
        assertEquals(List.of(120000, 120006, 120007, 120020, 120021, 120026),
                List.of(t.bos().id(), t.user().id(), t.assistant().id(), t.eos().id(), t.systemEnd().id(), t.endOfPrompt().id()));
        assertEquals(List.of(120020, 120001, 120008, 120000, 120006, 120007, 120026), List.copyOf(t.stopIds()));
    }

    @Test
    void readmeFormatStringAndIds() {
        assertEquals(BOS + USER + "Hi" + END_OF_PROMPT, README.renderUserPrompt("Hi"));
        assertArrayEquals(new int[] {120000, 120006, 'H', 'i', 120026}, README.encodeUserPrompt("Hi", BYTES));
    }

    @Test
    void generationPromptEndingIsAnOption() {
        assertEquals(BOS + USER + "Hi" + ASSISTANT, GENERATION_PROMPT.renderUserPrompt("Hi"));
        assertArrayEquals(new int[] {120000, 120006, 'H', 'i', 120007}, GENERATION_PROMPT.encodeUserPrompt("Hi", BYTES));
    }

    @Test
    void promptIdsForEveryOfficialTemplate() {
        PromptTemplates official = PromptTemplates.official();
        Map<TranslationRequest, String> cases = new HashMap<>();
        cases.put(TranslationRequest.of("It's on the house.", Language.ZH), PromptTemplatesTest.EXPECTED_ZH_XX);
        cases.put(TranslationRequest.of("Guten Morgen.", Language.FR).withSource(Language.DE), PromptTemplatesTest.EXPECTED_XX_XX);
        cases.put(TranslationRequest.of("The model runs on the JVM.", Language.ZH)
                .withGlossary(List.of(new GlossaryEntry("JVM", "Java 虚拟机"))), PromptTemplatesTest.EXPECTED_TERMINOLOGY_ONE);
        cases.put(TranslationRequest.of("He left.", Language.ZH).withContext("Tom was tired."), PromptTemplatesTest.EXPECTED_CONTEXT);
        cases.put(TranslationRequest.of("<s1>Hello</s1>, world", Language.ZH).withFormatted(true), PromptTemplatesTest.EXPECTED_FORMATTED);
        cases.forEach((request, expectedText) -> {
            int[] ids = README.encodeUserPrompt(official.render(request), BYTES);
            assertArrayEquals(readmePromptIds(expectedText), ids, expectedText);
        });
        // Spot-check the hand computation itself: ZH⇄XX starts 将 (E5 B0 86) right after the markers.
        int[] zh = readmePromptIds(PromptTemplatesTest.EXPECTED_ZH_XX);
        assertArrayEquals(new int[] {120000, 120006, 0xE5, 0xB0, 0x86}, Arrays.copyOf(zh, 5));
        assertEquals('.', zh[zh.length - 2]);
    }

    /** Spec §4.5 test vector 1, with a stand-in encoder that knows the real ids of its one content piece. */
    @Test
    void tokenizerVector1() {
        String user = "Translate the following text into Chinese:\nHello, world.";
        TextEncoder encoder = lookup(Map.of(user, new int[] {26403, 252, 1873, 2602, 1079, 8251, 592, 16883, 11, 2385, 13}));
        assertArrayEquals(new int[] {120000, 120006, 26403, 252, 1873, 2602, 1079, 8251, 592, 16883, 11, 2385, 13, 120007},
                GENERATION_PROMPT.encodeUserPrompt(user, encoder));
    }

    /** Spec §4.5 test vector 3: system, user, assistant, user, with the generation prompt. */
    @Test
    void multiTurnVector3() {
        List<ChatMessage> conversation = List.of(
                ChatMessage.system("Translate into German."),
                ChatMessage.user("Good morning."),
                ChatMessage.assistant("Guten Morgen."),
                ChatMessage.user("Good night."));
        assertEquals(BOS + "Translate into German." + SYSTEM_END
                        + USER + "Good morning."
                        + ASSISTANT + "Guten Morgen." + EOS
                        + USER + "Good night."
                        + ASSISTANT,
                GENERATION_PROMPT.render(conversation));
        TextEncoder encoder = lookup(Map.of(
                "Translate into German.", new int[] {26403, 1079, 8211, 13},
                "Good morning.", new int[] {21971, 11780, 13},
                "Guten Morgen.", new int[] {38, 18352, 9548, 2804, 13},
                "Good night.", new int[] {21971, 6749, 13}));
        assertArrayEquals(new int[] {120000, 26403, 1079, 8211, 13, 120021, 120006, 21971, 11780, 13, 120007,
                        38, 18352, 9548, 2804, 13, 120020, 120006, 21971, 6749, 13, 120007},
                GENERATION_PROMPT.encode(conversation, encoder));
    }

    @Test
    void bosIsNeverDoubled() {
        TextEncoder addsBos = text -> {
            int[] plain = BYTES.encode(text);
            int[] withBos = new int[plain.length + 1];
            withBos[0] = 120000;
            System.arraycopy(plain, 0, withBos, 1, plain.length);
            return withBos;
        };
        assertArrayEquals(new int[] {120000, 120006, 'H', 'i', 120026}, README.encodeUserPrompt("Hi", addsBos));

        assertEquals(BOS + USER + "Hi" + END_OF_PROMPT, README.render(List.of(ChatMessage.user(BOS + "Hi"))));
        assertEquals(BOS + "sys" + SYSTEM_END + USER + "Hi" + END_OF_PROMPT,
                README.render(List.of(ChatMessage.system(BOS + "sys"), ChatMessage.user("Hi"))));
        assertArrayEquals(new int[] {120000, 's', 120021, 120006, 'H', 120026},
                README.encode(List.of(ChatMessage.system(BOS + "s"), ChatMessage.user("H")), BYTES));
    }

    @Test
    void emptyContentEncodesToNothing() {
        assertArrayEquals(new int[] {120000, 120006, 120026}, README.encodeUserPrompt("", text -> {
            throw new AssertionError("encoder called for empty text");
        }));
    }

    @Test
    void malformedConversationsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> README.render(List.of()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> README.render(List.of(ChatMessage.user("a"), ChatMessage.system("b"))));
        assertTrue(e.getMessage().contains("system message"), e.getMessage());
    }

    @Test
    void specialTokensFromAnyVocabulary() {
        Map<String, Integer> vocab = new HashMap<>();
        List<String> required = List.of(BOS, USER, ASSISTANT, EOS, SYSTEM_END, END_OF_PROMPT);
        for (int i = 0; i < required.size(); i++) vocab.put(required.get(i), 500 + i);
        SpecialTokens t = SpecialTokens.fromVocabulary(s -> vocab.getOrDefault(s, -1));
        assertEquals(500, t.bos().id());
        assertEquals(505, t.endOfPrompt().id());
        // The extra stops the vocabulary lacks (end of sentence, EOT) are left out.
        assertEquals(List.of(503, 500, 501, 502, 505), List.copyOf(t.stopIds()));
        assertArrayEquals(new int[] {500, 501, 'x', 505},
                new ChatTemplate(t, PromptEnding.END_OF_PROMPT).encodeUserPrompt("x", BYTES));

        vocab.remove(USER);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SpecialTokens.fromVocabulary(s -> vocab.getOrDefault(s, -1)));
        assertTrue(e.getMessage().contains(USER) && e.getMessage().contains("120006"), e.getMessage());
    }

    private static TextEncoder lookup(Map<String, int[]> pieces) {
        return text -> {
            int[] ids = pieces.get(text);
            if (ids == null) throw new AssertionError("unexpected content piece: " + text);
            return ids;
        };
    }
}
