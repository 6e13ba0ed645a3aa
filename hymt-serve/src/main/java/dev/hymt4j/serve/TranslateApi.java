package dev.hymt4j.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hymt4j.data.LanguageIdentifier;
import dev.hymt4j.prompt.GlossaryEntry;
import dev.hymt4j.prompt.Language;
import dev.hymt4j.prompt.OutputCleaner;
import dev.hymt4j.prompt.TranslationRequest;
import dev.hymt4j.tokenizer.EncodeOptions;
import dev.hymt4j.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The native API: {@code POST /v1/translate} with every HY-MT feature (glossary, context, formatted mode,
 * adapters, sampling options, streaming), and llama-server's {@code POST /tokenize} and {@code POST /detokenize}.
 *
 * <p>The prompt is built as {@code hymt translate} builds it: the official template chosen from the target, the
 * given source, a glossary, context or formatted mode. A source the server detects is reported, not used to pick
 * the template, so a request gives the same prompt as the same command line.
 */
final class TranslateApi {
    private final Inference inference;
    private final Metrics metrics;
    private final ModelNames models;
    private final Limits limits;
    private final LanguageIdentifier identifier;

    TranslateApi(Inference inference, Metrics metrics, ModelNames models, Limits limits, LanguageIdentifier identifier) {
        this.inference = inference;
        this.metrics = metrics;
        this.models = models;
        this.limits = limits;
        this.identifier = identifier;
    }

    /** A detected language with Lingua's confidence (0–1). */
    record Detected(Language language, double confidence) {}

    /** The most likely language of {@code text}, or null when it cannot be told (no letters). */
    Detected detect(String text) {
        List<LanguageIdentifier.Guess> guesses = identifier.guesses(text);
        return guesses.isEmpty() ? null : new Detected(guesses.getFirst().language(), guesses.getFirst().confidence());
    }

    List<LanguageIdentifier.Guess> guesses(String text) {
        return identifier.guesses(text);
    }

    void translate(Exchange ex) {
        Fields f = ex.fields;
        List<String> texts = f.strings("text");
        if (texts == null) throw ApiException.invalid("text", "missing field 'text'");
        if (texts.isEmpty()) throw ApiException.invalid("text", "field 'text': the array is empty");
        Language target = language(f.requiredString("target"), "target");
        String sourceField = f.string("source");
        Language source = sourceField == null || sourceField.equalsIgnoreCase("auto") ? null : language(sourceField, "source");
        List<GlossaryEntry> glossary = glossary(f.get("glossary"));
        String context = f.string("context");
        boolean formatted = Boolean.TRUE.equals(f.bool("formatted"));
        String adapter = models.adapterFor(f.string("model"), f.string("adapter"));
        Decoding decoding = Decoding.parse(f, inference.defaults(), limits);
        if (decoding.n() != 1) throw ApiException.invalid("n", "n is not supported by /v1/translate; send the text several times with different seeds");
        long chars = context == null ? 0 : context.length();
        for (String t : texts) chars += t.length();
        for (GlossaryEntry g : glossary) chars += g.sourceTerm().length() + g.targetTerm().length();
        limits.checkInput(chars);

        List<RunGroup.Spec> specs = new ArrayList<>();
        List<Detected> detected = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            String text = texts.get(i);
            if (text.isBlank()) throw ApiException.invalid("text", "field 'text'" + (texts.size() > 1 ? "[" + i + "]" : "") + " is empty");
            TranslationRequest request = TranslationRequest.of(text, target).withSource(source).withGlossary(glossary)
                    .withFormatted(formatted);
            if (context != null && !context.isEmpty()) request = request.withContext(context);
            int[] prompt = prompt(request);
            specs.add(new RunGroup.Spec(prompt, decoding.forChoice(0, prompt.length, inference.contextLength()), adapter, decoding.stops()));
            detected.add(source == null ? detect(text) : null);
        }
        String model = models.idOf(adapter);
        boolean stream = Boolean.TRUE.equals(f.bool("stream"));
        if (!stream) {
            RunGroup.start(ex, inference, metrics, specs, null, runs -> {
                ObjectNode body = Exchange.JSON.createObjectNode().put("model", model);
                ArrayNode out = body.putArray("translations");
                for (SequenceRun run : runs) out.add(translation(run, source, detected.get(run.index), formatted));
                body.set("usage", OpenAiApi.usage(runs, 1));
                body.put("total_ms", ex.elapsedMillis());
                ex.sendJson(200, body);
            });
            return;
        }
        ex.startEvents();
        RunGroup.start(ex, inference, metrics, specs, (index, text) ->
                ex.event(Exchange.JSON.createObjectNode().put("type", "delta").put("index", index).put("text", text)), runs -> {
            for (SequenceRun run : runs) {
                ObjectNode event = translation(run, source, detected.get(run.index), formatted);
                event.put("type", "translation").put("index", run.index);
                ex.event(event);
            }
            ObjectNode done = Exchange.JSON.createObjectNode().put("type", "done").put("model", model);
            done.set("usage", OpenAiApi.usage(runs, 1));
            done.put("total_ms", ex.elapsedMillis());
            ex.event(done);
            ex.endEvents();
        });
    }

    private ObjectNode translation(SequenceRun run, Language source, Detected detected, boolean formatted) {
        ObjectNode t = Exchange.JSON.createObjectNode();
        t.put("text", OutputCleaner.clean(run.text(), formatted));
        if (source != null) t.put("source_language", source.code());
        else if (detected != null) t.put("source_language", detected.language().code());
        else t.putNull("source_language");
        if (detected != null) {
            t.putObject("detected_language").put("language", detected.language().code()).put("confidence", detected.confidence());
        }
        t.put("prompt_tokens", run.promptTokens()).put("completion_tokens", run.completionTokens())
                .put("finish_reason", run.finishReason());
        ObjectNode timings = t.putObject("timings").put("first_token_ms", run.timeToFirstTokenMillis());
        double tps = run.tokensPerSecond();
        if (Double.isFinite(tps)) timings.put("tokens_per_second", Math.round(tps * 10) / 10.0);
        else timings.putNull("tokens_per_second");
        return t;
    }

    /** The prompt ids of a request; a combination the official templates cannot express is a 400. */
    int[] prompt(TranslationRequest request) {
        try {
            return inference.translationPrompt(request);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(null, e.getMessage());
        }
    }

    static Language language(String codeOrName, String field) {
        try {
            return Language.parse(codeOrName);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(field, "field '" + field + "': " + e.getMessage());
        }
    }

    /** Term pairs: {@code [["src","tgt"],…]}, {@code [{"source":…,"target":…},…]} or {@code {"src":"tgt",…}}. */
    static List<GlossaryEntry> glossary(JsonNode node) {
        List<GlossaryEntry> out = new ArrayList<>();
        if (node == null || node.isNull()) return out;
        try {
            if (node.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (!e.getValue().isTextual()) throw Fields.wrongType("glossary." + e.getKey(), e.getValue(), "a string");
                    out.add(new GlossaryEntry(e.getKey(), e.getValue().textValue()));
                }
                return out;
            }
            if (!node.isArray()) throw Fields.wrongType("glossary", node, "an array of [source, target] pairs");
            for (int i = 0; i < node.size(); i++) {
                JsonNode pair = node.get(i);
                String where = "glossary[" + i + "]";
                if (pair.isArray() && pair.size() == 2 && pair.get(0).isTextual() && pair.get(1).isTextual()) {
                    out.add(new GlossaryEntry(pair.get(0).textValue(), pair.get(1).textValue()));
                } else if (pair.isObject() && pair.path("source").isTextual() && pair.path("target").isTextual()) {
                    out.add(new GlossaryEntry(pair.get("source").textValue(), pair.get("target").textValue()));
                } else {
                    throw Fields.wrongType(where, pair, "a [source, target] pair of strings or {\"source\", \"target\"}");
                }
            }
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("glossary", "field 'glossary': " + e.getMessage());
        }
        return out;
    }

    /** llama-server's {@code /tokenize}: {@code content}, {@code add_special}, {@code parse_special}, {@code with_pieces}. */
    void tokenize(Exchange ex) {
        Fields f = ex.fields;
        String content = f.requiredString("content");
        limits.checkInput(content.length());
        boolean addSpecial = Boolean.TRUE.equals(f.bool("add_special"));
        boolean parseSpecial = !Boolean.FALSE.equals(f.bool("parse_special"));
        boolean withPieces = Boolean.TRUE.equals(f.bool("with_pieces"));
        Tokenizer tokenizer = inference.tokenizer();
        int[] ids = tokenizer.encode(content, new EncodeOptions(addSpecial, parseSpecial));
        ObjectNode body = Exchange.JSON.createObjectNode();
        ArrayNode tokens = body.putArray("tokens");
        for (int id : ids) {
            if (withPieces) tokens.addObject().put("id", id).put("piece", tokenizer.decode(new int[]{id}, false, false));
            else tokens.add(id);
        }
        ex.sendJson(200, body);
    }

    /** llama-server's {@code /detokenize}: {@code tokens} → {@code content} (special tokens included, as llama-server). */
    void detokenize(Exchange ex) {
        JsonNode tokens = ex.fields.get("tokens");
        if (tokens == null) throw ApiException.invalid("tokens", "missing field 'tokens'");
        if (!tokens.isArray()) throw Fields.wrongType("tokens", tokens, "an array of token ids");
        limits.checkInput(tokens.size());
        int vocab = inference.tokenizer().vocabSize();
        int[] ids = new int[tokens.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode v = tokens.get(i);
            if (!v.isIntegralNumber() || v.asLong() < 0 || v.asLong() >= vocab) {
                throw ApiException.invalid("tokens", "tokens[" + i + "]: expected a token id in [0, " + vocab + "), got " + v);
            }
            ids[i] = v.intValue();
        }
        ex.sendJson(200, Exchange.JSON.createObjectNode().put("content", inference.tokenizer().decode(ids, false, false)));
    }
}
