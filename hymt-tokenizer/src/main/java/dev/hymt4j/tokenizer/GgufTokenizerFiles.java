package dev.hymt4j.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hymt4j.gguf.GgufException;
import dev.hymt4j.gguf.GgufMetadata;
import dev.hymt4j.io.AtomicFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The Hugging Face tokenizer files ({@code tokenizer.json}, {@code tokenizer_config.json}) for the tokenizer a
 * GGUF file carries as {@code tokenizer.ggml.*} metadata: what tools that read HF files (onnxruntime-genai,
 * transformers) need beside a model exported from a GGUF. The inverse of {@link GgufVocabularyWriter}, and it
 * encodes as {@link GgufTokenizerLoader} (llama.cpp) reads the metadata:
 * <ul>
 *   <li>NORMAL and BYTE tokens form {@code model.vocab}, the merges keep their rank order;</li>
 *   <li>CONTROL (and UNKNOWN) tokens become special added tokens, USER_DEFINED ones plain added tokens, with the
 *       strings the GGUF holds (llama.cpp's converter has already turned a {@code ▁} in a user-defined token into
 *       a space, and that cannot be undone: the file matches what llama.cpp matches);</li>
 *   <li>UNUSED ids (embedding padding such as {@code [PAD123]}) are left out, as in the original file;</li>
 *   <li>the pre-tokenizer is HY-MT's (the GGUF's {@code tokenizer.ggml.pre} is checked to be one that names it),
 *       byte-level decoding, no normalizer;</li>
 *   <li>tokenizer_config.json names the BOS/EOS/PAD tokens from their ids, the add-BOS/EOS flags and the chat
 *       template where the metadata has them, and {@code clean_up_tokenization_spaces: false} (a GGUF has no
 *       such setting, and llama.cpp never cleans up).</li>
 * </ul>
 */
public final class GgufTokenizerFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private GgufTokenizerFiles() {}

    /**
     * Writes tokenizer.json and tokenizer_config.json into {@code outDir} from the metadata {@code m} of
     * {@code gguf} (each file through a temporary file and a rename).
     *
     * @throws TokenizerLoadException naming {@code gguf} when the metadata holds no tokenizer we (and llama.cpp) read
     */
    public static void write(GgufMetadata m, Path gguf, Path outDir) throws IOException {
        GgufTokenizerLoader.load(m, gguf);   // the same checks, and the same faults, as loading it
        try {
            String[] tokens = m.strings(GgufTokenizerLoader.TOKENS);
            int[] types = m.has(GgufTokenizerLoader.TOKEN_TYPE) ? m.integers(GgufTokenizerLoader.TOKEN_TYPE) : null;
            ObjectNode root = TokenizerJsonSkeleton.root(PreTokenizer.hunyuan().toJson(), TokenizerJsonSkeleton.byteLevel(true, false, true),
                    TokenizerJsonSkeleton.byteLevel(true, true, true));
            ObjectNode vocab = TokenizerJsonSkeleton.vocab(root);
            for (int id = 0; id < tokens.length; id++) {
                int type = types == null ? GgufTokenizerLoader.NORMAL : types[id];
                switch (type) {
                    case GgufTokenizerLoader.NORMAL, GgufTokenizerLoader.BYTE -> {
                        if (!vocab.has(tokens[id])) vocab.put(tokens[id], id);
                    }
                    case GgufTokenizerLoader.CONTROL, GgufTokenizerLoader.UNKNOWN ->
                            TokenizerJsonSkeleton.addToken(root, id, tokens[id], true);
                    case GgufTokenizerLoader.USER_DEFINED -> TokenizerJsonSkeleton.addToken(root, id, tokens[id], false);
                    default -> { }   // UNUSED: no token
                }
            }
            ArrayNode merges = TokenizerJsonSkeleton.merges(root);
            for (String merge : m.strings(GgufTokenizerLoader.MERGES)) merges.add(merge);
            AtomicFile.writeString(outDir.resolve("tokenizer.json"), JSON.writeValueAsString(root));

            ObjectNode config = JSON.createObjectNode();
            config.put("tokenizer_class", "PreTrainedTokenizerFast");
            token(m, GgufTokenizerLoader.BOS_ID, tokens).ifPresent(t -> config.put("bos_token", t));
            token(m, GgufTokenizerLoader.EOS_ID, tokens).ifPresent(t -> config.put("eos_token", t));
            token(m, "tokenizer.ggml.padding_token_id", tokens).ifPresent(t -> config.put("pad_token", t));
            m.optionalBool(GgufTokenizerLoader.ADD_BOS).ifPresent(b -> config.put("add_bos_token", b));
            m.optionalBool(GgufTokenizerLoader.ADD_EOS).ifPresent(b -> config.put("add_eos_token", b));
            config.put("clean_up_tokenization_spaces", false);
            m.optionalString("tokenizer.chat_template").ifPresent(t -> config.put("chat_template", t));
            AtomicFile.writeString(outDir.resolve("tokenizer_config.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config) + "\n");
        } catch (GgufException e) {
            throw new TokenizerLoadException(gguf, e.getMessage(), e);
        }
    }

    /** The string of the token whose id {@code key} holds, when it holds one inside the vocabulary. */
    private static Optional<String> token(GgufMetadata m, String key, String[] tokens) throws GgufException {
        return m.optionalInteger(key, 0).filter(id -> id < tokens.length).map(id -> tokens[id]);
    }
}
