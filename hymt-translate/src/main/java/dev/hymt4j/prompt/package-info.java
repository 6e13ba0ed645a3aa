/**
 * HY-MT1.5 prompts: the 38 {@link dev.hymt4j.prompt.Language}s, the five official
 * {@link dev.hymt4j.prompt.PromptTemplates} that turn a {@link dev.hymt4j.prompt.TranslationRequest} into the
 * user message, the {@link dev.hymt4j.prompt.ChatTemplate} that wraps it into prompt text or prompt ids, the
 * {@link dev.hymt4j.prompt.GenerationDefaults} and the {@link dev.hymt4j.prompt.OutputCleaner}.
 *
 * <p>Typical use:
 * <pre>{@code
 * String user = PromptTemplates.official().render(TranslationRequest.of(text, Language.parse("fr")));
 * int[] promptIds = ChatTemplate.hyMt15().encodeUserPrompt(user, tokenizer::encode);
 * // generate until an id in GenerationDefaults.load(modelDir).stopIds(SpecialTokens.hyMt15()) ...
 * String translation = OutputCleaner.clean(decoded, request.formatted());
 * }</pre>
 *
 * <p>Points the spec leaves open, and what this package does:
 * <ul>
 *   <li>prompt ending 120026 (README) or 120007 ({@code add_generation_prompt=True}): {@link dev.hymt4j.prompt.PromptEnding},
 *       default 120026;</li>
 *   <li>whether zh-Hant and yue select the Chinese template: yes by default,
 *       {@link dev.hymt4j.prompt.PromptTemplates#withChineseSide};</li>
 *   <li>trailing newline of the context template: omitted,
 *       {@link dev.hymt4j.prompt.PromptTemplates#CONTEXT_WITH_TRAILING_NEWLINE} to add it;</li>
 *   <li>several glossary terms: one {@code {source_term} 翻译成 {target_term}} line each;</li>
 *   <li>special-token ids: {@link dev.hymt4j.prompt.SpecialTokens#hyMt15()} or looked up in the loaded vocabulary
 *       ({@link dev.hymt4j.prompt.SpecialTokens#fromVocabulary});</li>
 *   <li>content is encoded by the caller's {@link dev.hymt4j.prompt.TextEncoder}; whether added-token strings
 *       inside user text become special ids (HF parity) is that encoder's choice.</li>
 * </ul>
 */
package dev.hymt4j.prompt;
