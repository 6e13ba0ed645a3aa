package dev.hymt4j.tokenizer;

import dev.hymt4j.gguf.GgufException;
import dev.hymt4j.gguf.GgufFile;
import dev.hymt4j.gguf.GgufMetadata;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a tokenizer from the {@code tokenizer.ggml.*} metadata of a GGUF file the way llama.cpp reads it
 * (spec formats.md §5.4): model {@code gpt2} (byte-level BPE), tokens and their types, merges in rank order,
 * pre-tokenizer by name. NORMAL tokens form the BPE vocabulary; CONTROL tokens become special added tokens
 * and USER_DEFINED ones plain added tokens, both matched in the raw text (llama.cpp's special-token
 * partition); UNUSED ids (padding rows such as {@code [PAD123]}) decode to nothing.
 */
final class GgufTokenizerLoader {
    static final String MODEL = "tokenizer.ggml.model", PRE = "tokenizer.ggml.pre", TOKENS = "tokenizer.ggml.tokens";
    static final String TOKEN_TYPE = "tokenizer.ggml.token_type", MERGES = "tokenizer.ggml.merges";
    static final String ADD_BOS = "tokenizer.ggml.add_bos_token", ADD_EOS = "tokenizer.ggml.add_eos_token";
    static final String BOS_ID = "tokenizer.ggml.bos_token_id", EOS_ID = "tokenizer.ggml.eos_token_id";
    /** llama.cpp's token types ({@code llama_token_type}). */
    static final int NORMAL = 1, UNKNOWN = 2, CONTROL = 3, USER_DEFINED = 4, UNUSED = 5, BYTE = 6;
    /** Pre-tokenizer names llama.cpp maps to the HY dense regex set (spec hunyuan-model.md §4.2). */
    static final List<String> HUNYUAN_PRE = List.of("hunyuan-dense", "deepseek-v3");

    private GgufTokenizerLoader() {}

    static Tokenizer load(Path file) throws TokenizerLoadException {
        try (GgufFile gguf = GgufFile.open(file)) {
            return load(gguf.metadata(), file);
        } catch (GgufException e) {
            throw wrap(file, e);
        }
    }

    static Tokenizer load(GgufMetadata m, Path file) throws TokenizerLoadException {
        try {
            if (!m.has(MODEL)) throw fault(file, "missing metadata key '" + MODEL + "': the file has no tokenizer");
            String model = m.string(MODEL);
            if (!model.equals("gpt2")) {
                throw fault(file, MODEL + " is '" + model + "'; only byte-level BPE ('gpt2') tokenizers are supported");
            }
            if (!m.has(PRE)) throw fault(file, "missing metadata key '" + PRE + "' (the pre-tokenizer name)");
            String pre = m.string(PRE);
            if (!HUNYUAN_PRE.contains(pre)) {
                throw fault(file, PRE + " is '" + pre + "'; supported: " + String.join(", ", HUNYUAN_PRE));
            }
            if (!m.has(TOKENS)) throw fault(file, "missing metadata key '" + TOKENS + "'");
            String[] tokens = m.strings(TOKENS);
            int[] types = m.has(TOKEN_TYPE) ? m.integers(TOKEN_TYPE) : null;
            if (types != null && types.length != tokens.length) {
                throw fault(file, TOKEN_TYPE + " has " + types.length + " entries but " + TOKENS + " has " + tokens.length);
            }
            if (!m.has(MERGES)) throw fault(file, "missing metadata key '" + MERGES + "' (a gpt2 tokenizer needs its merges)");
            String[] merges = m.strings(MERGES);

            Map<String, Integer> vocab = new HashMap<>(tokens.length * 2);
            List<AddedToken> added = new ArrayList<>();
            for (int id = 0; id < tokens.length; id++) {
                int type = types == null ? NORMAL : types[id];
                switch (type) {
                    case NORMAL, BYTE -> vocab.putIfAbsent(tokens[id], id);
                    case CONTROL, UNKNOWN -> added.add(AddedToken.special(id, tokens[id]));
                    case USER_DEFINED -> added.add(new AddedToken(id, tokens[id], false, false, false, false, false));
                    case UNUSED -> { }
                    default -> throw fault(file, TOKEN_TYPE + "[" + id + "] is " + type + " (expected 1 to 6)");
                }
            }
            PairTable table = new PairTable(merges.length);
            for (int rank = 0; rank < merges.length; rank++) {
                // llama.cpp splits at the first space after the first character.
                int cut = merges[rank].indexOf(' ', 1);
                if (cut < 0) throw fault(file, MERGES + "[" + rank + "] is \"" + merges[rank] + "\", expected \"left right\"");
                String left = merges[rank].substring(0, cut), right = merges[rank].substring(cut + 1);
                Integer l = vocab.get(left), r = vocab.get(right), merged = vocab.get(left + right);
                if (l == null || r == null || merged == null) {
                    throw fault(file, MERGES + "[" + rank + "] \"" + merges[rank] + "\" uses a token that is not in " + TOKENS);
                }
                table.put(l, r, rank, merged);
            }
            // llama.cpp adds BOS/EOS around a text only where the metadata asks for it (never by default for
            // this pre-tokenizer), and never cleans up spaces when decoding with it.
            int[] before = specialIfAsked(m, ADD_BOS, BOS_ID, tokens.length, file);
            int[] after = specialIfAsked(m, ADD_EOS, EOS_ID, tokens.length, file);
            return new Tokenizer(null, PreTokenizer.hunyuan(), new BpeModel(vocab, table, -1, false), added,
                    new PostProcessor(before, after), false);
        } catch (GgufException e) {
            throw wrap(file, e);
        }
    }

    private static int[] specialIfAsked(GgufMetadata m, String flag, String idKey, int vocabSize, Path file) throws GgufException,
            TokenizerLoadException {
        if (!m.optionalBool(flag).orElse(false)) return new int[0];
        if (!m.has(idKey)) throw fault(file, flag + " is true but '" + idKey + "' is missing");
        int id = m.integer(idKey, 0);
        if (id >= vocabSize) throw fault(file, idKey + " is " + id + ", outside the " + vocabSize + " tokens");
        return new int[] {id};
    }

    /** A metadata fault as a tokenizer fault, without naming the file twice. */
    private static TokenizerLoadException wrap(Path file, GgufException e) {
        String prefix = file + ": ";
        String message = e.getMessage().startsWith(prefix) ? e.getMessage().substring(prefix.length()) : e.getMessage();
        return new TokenizerLoadException(file, message, e);
    }

    private static TokenizerLoadException fault(Path file, String message) {
        return new TokenizerLoadException(file, message);
    }
}
