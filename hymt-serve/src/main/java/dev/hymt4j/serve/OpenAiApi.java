package dev.hymt4j.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hymt4j.prompt.ChatMessage;
import dev.hymt4j.tokenizer.EncodeOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * OpenAI-compatible {@code POST /v1/chat/completions} and {@code POST /v1/completions}.
 *
 * <p>Chat messages go through the model's chat template with their text encoded as plain text (a special-token
 * string in a message stays text). A completion prompt is raw: its special-token text is parsed, so a client
 * can write the template itself; nothing is added to it. Fields OpenAI defines that change nothing here
 * ({@code user}, {@code presence_penalty}…) are ignored; those whose effect we cannot give ({@code logprobs},
 * {@code tools}, {@code echo}) are refused with 400 rather than silently dropped. As vLLM,
 * {@code "return_token_ids": true} adds each choice's generated ids ({@code token_ids}, the stop token included)
 * to a non-streamed response.
 */
final class OpenAiApi {
    private final Inference inference;
    private final Metrics metrics;
    private final ModelNames models;
    private final Limits limits;

    OpenAiApi(Inference inference, Metrics metrics, ModelNames models, Limits limits) {
        this.inference = inference;
        this.metrics = metrics;
        this.models = models;
        this.limits = limits;
    }

    void chatCompletions(Exchange ex) {
        Fields f = ex.fields;
        refuseUnsupported(f);
        String adapter = models.adapterFor(f.string("model"), f.string("adapter"));
        List<ChatMessage> messages = messages(f);
        limits.checkInput(messages.stream().mapToLong(m -> m.content().length()).sum());
        int[] prompt;
        try {
            prompt = inference.chatPrompt(messages);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("messages", e.getMessage());
        }
        generate(ex, List.of(prompt), adapter, true);
    }

    void completions(Exchange ex) {
        Fields f = ex.fields;
        refuseUnsupported(f);
        String adapter = models.adapterFor(f.string("model"), f.string("adapter"));
        List<int[]> prompts = prompts(f);
        generate(ex, prompts, adapter, false);
    }

    private void generate(Exchange ex, List<int[]> prompts, String adapter, boolean chat) {
        Fields f = ex.fields;
        Decoding decoding = Decoding.parse(f, inference.defaults(), limits);
        boolean stream = Boolean.TRUE.equals(f.bool("stream"));
        boolean returnIds = Boolean.TRUE.equals(f.bool("return_token_ids"));
        boolean includeUsage = stream && f.get("stream_options") != null
                && f.get("stream_options").path("include_usage").asBoolean(false);
        List<RunGroup.Spec> specs = new ArrayList<>();
        for (int[] prompt : prompts) {
            for (int i = 0; i < decoding.n(); i++) {
                specs.add(new RunGroup.Spec(prompt, decoding.forChoice(i, prompt.length, inference.contextLength()),
                        adapter, decoding.stops()));
            }
        }
        String id = Exchange.newId(chat ? "chatcmpl" : "cmpl");
        long created = System.currentTimeMillis() / 1000;
        String model = models.idOf(adapter);
        String object = chat ? "chat.completion" : "text_completion";
        if (!stream) {
            RunGroup.start(ex, inference, metrics, specs, null, runs -> {
                ObjectNode body = head(id, object, created, model);
                ArrayNode choices = body.putArray("choices");
                for (SequenceRun run : runs) {
                    ObjectNode choice = choices.addObject().put("index", run.index);
                    if (chat) choice.putObject("message").put("role", "assistant").put("content", run.text());
                    else choice.put("text", run.text());
                    choice.putNull("logprobs");
                    choice.put("finish_reason", run.finishReason());
                    if (returnIds) {
                        ArrayNode ids = choice.putArray("token_ids");
                        for (int token : run.result().generated()) ids.add(token);
                    }
                }
                body.set("usage", usage(runs, decoding.n()));
                ex.sendJson(200, body);
            });
            return;
        }
        String chunkObject = chat ? "chat.completion.chunk" : "text_completion";
        ex.startEvents();
        if (chat) {
            // OpenAI opens each choice with its role and empty content.
            for (int i = 0; i < specs.size(); i++) {
                ObjectNode chunk = head(id, chunkObject, created, model);
                chunk.putArray("choices").addObject().put("index", i)
                        .putNull("logprobs").putNull("finish_reason")
                        .putObject("delta").put("role", "assistant").put("content", "");
                ex.event(chunk);
            }
        }
        RunGroup.start(ex, inference, metrics, specs, (index, text) -> {
            ObjectNode chunk = head(id, chunkObject, created, model);
            ObjectNode choice = chunk.putArray("choices").addObject().put("index", index);
            if (chat) choice.putObject("delta").put("content", text);
            else choice.put("text", text);
            choice.putNull("logprobs").putNull("finish_reason");
            ex.event(chunk);
        }, runs -> {
            for (SequenceRun run : runs) {
                ObjectNode chunk = head(id, chunkObject, created, model);
                ObjectNode choice = chunk.putArray("choices").addObject().put("index", run.index);
                if (chat) choice.putObject("delta");
                else choice.put("text", "");
                choice.putNull("logprobs").put("finish_reason", run.finishReason());
                ex.event(chunk);
            }
            if (includeUsage) {
                ObjectNode chunk = head(id, chunkObject, created, model);
                chunk.putArray("choices");
                chunk.set("usage", usage(runs, decoding.n()));
                ex.event(chunk);
            }
            ex.endEvents();
        });
    }

    private static ObjectNode head(String id, String object, long created, String model) {
        return Exchange.JSON.createObjectNode().put("id", id).put("object", object).put("created", created).put("model", model);
    }

    /**
     * usage as OpenAI: the stop token counts as a completion token, and the {@code choicesPerPrompt} choices of
     * one prompt share its prompt tokens (counted once).
     */
    static ObjectNode usage(List<SequenceRun> runs, int choicesPerPrompt) {
        long prompt = 0, completion = 0;
        for (SequenceRun r : runs) {
            completion += r.completionTokens();
            if (r.index % choicesPerPrompt == 0) prompt += r.promptTokens();
        }
        return Exchange.JSON.createObjectNode().put("prompt_tokens", prompt).put("completion_tokens", completion)
                .put("total_tokens", prompt + completion);
    }

    private List<ChatMessage> messages(Fields f) {
        JsonNode messages = f.get("messages");
        if (messages == null) throw ApiException.invalid("messages", "missing field 'messages'");
        if (!messages.isArray() || messages.isEmpty()) throw Fields.wrongType("messages", messages, "a non-empty array of messages");
        List<ChatMessage> out = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String where = "messages[" + i + "]";
            if (!m.isObject()) throw Fields.wrongType(where, m, "an object {role, content}");
            Fields mf = new Fields(m, false);
            String role = mf.requiredString("role");
            ChatMessage.Role r = switch (role.toLowerCase(Locale.ROOT)) {
                case "system", "developer" -> ChatMessage.Role.SYSTEM;
                case "user" -> ChatMessage.Role.USER;
                case "assistant" -> ChatMessage.Role.ASSISTANT;
                default -> throw ApiException.invalid(where + ".role", where + ".role: '" + role
                        + "' is not supported; use system, user or assistant");
            };
            out.add(new ChatMessage(r, content(m.get("content"), where + ".content")));
        }
        return out;
    }

    /** A message's text: a string, or an array of {@code {"type":"text","text":…}} parts (joined). */
    private static String content(JsonNode content, String where) {
        if (content == null || content.isNull()) return "";
        if (content.isTextual()) return content.textValue();
        if (!content.isArray()) throw Fields.wrongType(where, content, "a string or an array of text parts");
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < content.size(); i++) {
            JsonNode part = content.get(i);
            if (!"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                throw ApiException.invalid(where, where + "[" + i + "]: only {\"type\": \"text\", \"text\": …} parts are supported");
            }
            text.append(part.get("text").textValue());
        }
        return text.toString();
    }

    /** The prompts of a completion request: a string, an array of strings, token ids, or arrays of token ids. */
    private List<int[]> prompts(Fields f) {
        JsonNode p = f.get("prompt");
        if (p == null) throw ApiException.invalid("prompt", "missing field 'prompt'");
        List<int[]> prompts = new ArrayList<>();
        long chars = 0;
        if (p.isTextual()) {
            chars += p.textValue().length();
            prompts.add(encode(p.textValue()));
        } else if (p.isArray() && !p.isEmpty() && p.get(0).isIntegralNumber()) {
            prompts.add(ids(p, "prompt"));
        } else if (p.isArray() && !p.isEmpty()) {
            for (int i = 0; i < p.size(); i++) {
                JsonNode item = p.get(i);
                if (item.isTextual()) {
                    chars += item.textValue().length();
                    prompts.add(encode(item.textValue()));
                } else if (item.isArray()) {
                    prompts.add(ids(item, "prompt[" + i + "]"));
                } else {
                    throw Fields.wrongType("prompt[" + i + "]", item, "a string or an array of token ids");
                }
            }
        } else {
            throw Fields.wrongType("prompt", p, "a string, an array of strings or an array of token ids");
        }
        limits.checkInput(chars);
        for (int[] ids : prompts) {
            if (ids.length == 0) throw ApiException.invalid("prompt", "the prompt is empty");
        }
        return prompts;
    }

    private int[] encode(String text) {
        return inference.tokenizer().encode(text, EncodeOptions.DEFAULT);
    }

    private int[] ids(JsonNode array, String where) {
        int vocab = inference.tokenizer().vocabSize();
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode v = array.get(i);
            if (!v.isIntegralNumber() || v.asLong() < 0 || v.asLong() >= vocab) {
                throw ApiException.invalid(where, where + "[" + i + "]: expected a token id in [0, " + vocab + "), got " + v);
            }
            ids[i] = v.intValue();
        }
        limits.checkInput(ids.length);
        return ids;
    }

    private static void refuseUnsupported(Fields f) {
        JsonNode logprobs = f.get("logprobs");
        if (logprobs != null && (logprobs.asBoolean(false) || logprobs.isNumber())) {
            throw ApiException.invalid("logprobs", "logprobs are not supported by this server");
        }
        JsonNode tools = f.get("tools");
        if (tools != null && tools.isArray() && !tools.isEmpty()) {
            throw ApiException.invalid("tools", "tools are not supported by this server (a translation model)");
        }
        JsonNode echo = f.get("echo");
        if (echo != null && echo.asBoolean(false)) throw ApiException.invalid("echo", "echo is not supported by this server");
    }
}
