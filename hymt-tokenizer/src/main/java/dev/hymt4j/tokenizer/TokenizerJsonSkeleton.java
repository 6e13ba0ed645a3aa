package dev.hymt4j.tokenizer;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The Hugging Face {@code tokenizer.json} of a byte-level BPE without a normalizer, as the files this project
 * writes have it (a trained demo tokenizer, one rebuilt from GGUF metadata): the callers fill in
 * {@code added_tokens}, {@code model.vocab} and {@code model.merges}.
 */
final class TokenizerJsonSkeleton {
    private TokenizerJsonSkeleton() {}

    /** The root object, with empty {@code added_tokens}, {@code model.vocab} and {@code model.merges}. */
    static ObjectNode root(ObjectNode preTokenizer, ObjectNode postProcessor, ObjectNode decoder) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        root.putArray("added_tokens");
        root.putNull("normalizer");
        root.set("pre_tokenizer", preTokenizer);
        root.set("post_processor", postProcessor);
        root.set("decoder", decoder);
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        model.putObject("vocab");
        model.putArray("merges");
        return root;
    }

    /** Appends an added token (matched in the raw text, never normalized or stripped) to {@code root}'s list. */
    static void addToken(ObjectNode root, int id, String content, boolean special) {
        ObjectNode t = ((ArrayNode) root.get("added_tokens")).addObject();
        t.put("id", id);
        t.put("content", content);
        t.put("single_word", false);
        t.put("lstrip", false);
        t.put("rstrip", false);
        t.put("normalized", false);
        t.put("special", special);
    }

    static ObjectNode vocab(ObjectNode root) {
        return (ObjectNode) root.get("model").get("vocab");
    }

    static ArrayNode merges(ObjectNode root) {
        return (ArrayNode) root.get("model").get("merges");
    }

    /** A {@code ByteLevel} pre-tokenizer, post-processor or decoder node. */
    static ObjectNode byteLevel(boolean addPrefixSpace, boolean trimOffsets, boolean useRegex) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("type", "ByteLevel");
        node.put("add_prefix_space", addPrefixSpace);
        node.put("trim_offsets", trimOffsets);
        node.put("use_regex", useRegex);
        return node;
    }
}
