package dev.hymt4j.tokenizer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The splitting half of the {@code ByteLevel} pre-tokenizer: optionally prefixes a space and splits with
 * GPT-2's regex. The byte-to-character mapping itself is done by the BPE model on each piece, so this stage
 * must be the last one of a sequence (the loader checks).
 */
final class ByteLevelPreTokenizer implements PreTokenizer {
    /** GPT-2's split regex as {@code tokenizers} spells it. */
    static final String GPT2_REGEX = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
    private static final PreTokenizer GPT2_SPLIT = PreTokenizer.splitRegex(GPT2_REGEX, SplitBehavior.Isolated, false);

    private final boolean addPrefixSpace;
    private final boolean useRegex;

    ByteLevelPreTokenizer(boolean addPrefixSpace, boolean useRegex) {
        this.addPrefixSpace = addPrefixSpace;
        this.useRegex = useRegex;
    }

    @Override
    public void split(String text, List<String> out) {
        if (text.isEmpty()) return;
        // tokenizers prefixes a space to each incoming piece unless it already starts with an ASCII space.
        String piece = addPrefixSpace && text.charAt(0) != ' ' ? " " + text : text;
        if (useRegex) GPT2_SPLIT.split(piece, out);
        else out.add(piece);
    }

    @Override
    public ObjectNode toJson() {
        return TokenizerJsonSkeleton.byteLevel(addPrefixSpace, false, useRegex);
    }
}
