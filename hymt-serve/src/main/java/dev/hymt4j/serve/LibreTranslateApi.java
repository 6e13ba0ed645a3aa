package dev.hymt4j.serve;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hymt4j.data.LanguageIdentifier;
import dev.hymt4j.generate.GenerationConfig;
import dev.hymt4j.prompt.Language;
import dev.hymt4j.prompt.OutputCleaner;
import dev.hymt4j.prompt.TranslationRequest;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * LibreTranslate's API ({@code libretranslate/app.py}), so its clients and plugins work unchanged:
 * {@code POST /translate}, {@code POST /detect}, {@code GET /languages} and {@code GET /frontend/settings}.
 * Parameters come as JSON, an HTML form (urlencoded or multipart) or the query string, as Flask's
 * {@code request.values} reads them; errors are {@code {"error": "…"}}.
 *
 * <p>{@code alternatives} are further sampled translations (seeds 1, 2, …), duplicates dropped, so there may be
 * fewer than asked. {@code format=html} translates each text node and keeps the markup ({@link HtmlText}).
 * Text the identifier cannot place (no letters) detects as {@code en} with confidence 0, as LibreTranslate
 * answers, because its clients read {@code [0]} of the answer.
 */
final class LibreTranslateApi {
    private final Inference inference;
    private final Metrics metrics;
    private final Limits limits;
    private final TranslateApi translate;
    private final boolean keyRequired;

    LibreTranslateApi(Inference inference, Metrics metrics, Limits limits, TranslateApi translate, boolean keyRequired) {
        this.inference = inference;
        this.metrics = metrics;
        this.limits = limits;
        this.translate = translate;
        this.keyRequired = keyRequired;
    }

    void translate(Exchange ex) {
        Fields f = ex.fields;
        if (!f.has("q")) throw ApiException.invalid("q", "Invalid request: missing q parameter");
        List<String> qs = f.strings("q");
        boolean batch = f.get("q").isArray();
        if (!f.has("target")) throw ApiException.invalid("target", "Invalid request: missing target parameter");
        Language target = supported(f.string("target"), "Target");
        String sourceCode = f.has("source") ? f.string("source") : "auto";
        Language source = sourceCode.equalsIgnoreCase("auto") ? null : supported(sourceCode, "Source");
        String format = f.has("format") ? f.string("format") : "text";
        if (!format.equals("text") && !format.equals("html")) {
            throw ApiException.invalid("format", "Invalid request: format must be text or html, got " + format);
        }
        Long alternatives = f.integer("alternatives");
        int alts = alternatives == null ? 0 : alternatives.intValue();
        if (alts < 0 || alts > Decoding.MAX_CHOICES) {
            throw ApiException.invalid("alternatives", "Invalid request: alternatives must be between 0 and " + Decoding.MAX_CHOICES);
        }
        limits.checkInput(qs.stream().mapToLong(String::length).sum());
        Decoding decoding = Decoding.parse(f, inference.defaults(), limits);

        // Every text node of every q, each translated alts + 1 times; specs in (q, variant, node) order.
        List<List<HtmlText.Piece>> documents = new ArrayList<>();
        List<RunGroup.Spec> specs = new ArrayList<>();
        int[][] firstSpec = new int[qs.size()][alts + 1];
        for (int q = 0; q < qs.size(); q++) {
            String text = qs.get(q);
            List<HtmlText.Piece> pieces = format.equals("html") ? HtmlText.split(text) : List.of(new HtmlText.Piece(text, !text.isBlank()));
            documents.add(pieces);
            List<String> nodes = format.equals("html") ? HtmlText.texts(pieces) : text.isBlank() ? List.of() : List.of(text);
            for (int variant = 0; variant <= alts; variant++) {
                firstSpec[q][variant] = specs.size();
                for (String node : nodes) {
                    int[] prompt = translate.prompt(TranslationRequest.of(node, target).withSource(source));
                    GenerationConfig config = decoding.forChoice(variant, prompt.length, inference.contextLength());
                    if (variant > 0 && !config.sample()) config = sampled(config, inference.defaults());
                    specs.add(new RunGroup.Spec(prompt, config, null, decoding.stops()));
                }
            }
        }
        List<TranslateApi.Detected> detected = new ArrayList<>();
        if (source == null) for (String q : qs) detected.add(translate.detect(q));

        RunGroup.start(ex, inference, metrics, specs, null, runs -> {
            ArrayNode texts = Exchange.JSON.createArrayNode();
            ArrayNode altLists = Exchange.JSON.createArrayNode();
            for (int q = 0; q < qs.size(); q++) {
                String main = document(documents.get(q), runs, firstSpec[q][0], format);
                texts.add(main);
                Set<String> seen = new LinkedHashSet<>();
                for (int variant = 1; variant <= alts; variant++) {
                    String alt = document(documents.get(q), runs, firstSpec[q][variant], format);
                    if (!alt.equals(main)) seen.add(alt);
                }
                ArrayNode list = altLists.addArray();
                seen.forEach(list::add);
            }
            ObjectNode body = Exchange.JSON.createObjectNode();
            if (batch) body.set("translatedText", texts);
            else body.set("translatedText", texts.get(0));
            if (source == null) {
                ArrayNode langs = Exchange.JSON.createArrayNode();
                for (TranslateApi.Detected d : detected) langs.add(detectedLanguage(d));
                if (batch) body.set("detectedLanguage", langs);
                else body.set("detectedLanguage", langs.get(0));
            }
            if (alts > 0) {
                if (batch) body.set("alternatives", altLists);
                else body.set("alternatives", altLists.get(0));
            }
            ex.sendJson(200, body);
        });
    }

    /** One document from its translated nodes: runs {@code first…} hold its nodes in order. */
    private static String document(List<HtmlText.Piece> pieces, List<SequenceRun> runs, int first, String format) {
        if (format.equals("text")) {
            return pieces.getFirst().translatable() ? OutputCleaner.clean(runs.get(first).text(), false) : pieces.getFirst().raw();
        }
        int[] next = {first};
        return HtmlText.rebuild(pieces, node -> OutputCleaner.clean(runs.get(next[0]++).text(), false));
    }

    /** An alternative of a greedy default still has to differ: sample it with the README's temperature. */
    private static GenerationConfig sampled(GenerationConfig c, GenerationConfig defaults) {
        float temperature = defaults.sample() ? defaults.temperature() : 0.7f;
        return new GenerationConfig(c.maxNewTokens(), true, temperature, c.topK(), c.topP(), c.repetitionPenalty(),
                c.seed(), c.stopTokenIds());
    }

    private static ObjectNode detectedLanguage(TranslateApi.Detected d) {
        ObjectNode n = Exchange.JSON.createObjectNode();
        n.put("confidence", d == null ? 0.0 : percent(d.confidence()));
        n.put("language", d == null ? "en" : d.language().code());
        return n;
    }

    private static double percent(double confidence) {
        return Math.round(confidence * 1000) / 10.0;
    }

    void detect(Exchange ex) {
        Fields f = ex.fields;
        if (!f.has("q")) throw ApiException.invalid("q", "Invalid request: missing q parameter");
        String q = String.join("\n", f.strings("q"));
        limits.checkInput(q.length());
        ArrayNode out = Exchange.JSON.createArrayNode();
        List<LanguageIdentifier.Guess> guesses = translate.guesses(q);
        for (LanguageIdentifier.Guess g : guesses.subList(0, Math.min(3, guesses.size()))) {
            out.addObject().put("confidence", percent(g.confidence())).put("language", g.language().code());
        }
        if (out.isEmpty()) out.add(detectedLanguage(null));
        ex.sendJson(200, out);
    }

    /** Every language translates into every other. */
    void languages(Exchange ex) {
        ArrayNode out = Exchange.JSON.createArrayNode();
        for (Language l : Language.values()) {
            ObjectNode n = out.addObject().put("code", l.code()).put("name", l.englishName());
            ArrayNode targets = n.putArray("targets");
            for (Language t : Language.values()) targets.add(t.code());
        }
        ex.sendJson(200, out);
    }

    void frontendSettings(Exchange ex) {
        ObjectNode s = Exchange.JSON.createObjectNode();
        s.put("charLimit", limits.maxInputChars()).put("frontendTimeout", 500).put("apiKeys", keyRequired)
                .put("keyRequired", keyRequired).put("suggestions", false).put("filesTranslation", false);
        s.putArray("supportedFilesFormat");
        ObjectNode language = s.putObject("language");
        language.putObject("source").put("code", "auto").put("name", "Auto Detect");
        language.putObject("target").put("code", Language.ZH.code()).put("name", Language.ZH.englishName());
        ex.sendJson(200, s);
    }

    private static Language supported(String code, String which) {
        if (code == null) throw ApiException.invalid(which.toLowerCase(), "Invalid request: missing " + which.toLowerCase() + " parameter");
        return Language.findByCode(code).orElseThrow(() -> ApiException.invalid(which.toLowerCase(),
                which + " language " + code + " is not supported"));
    }
}
