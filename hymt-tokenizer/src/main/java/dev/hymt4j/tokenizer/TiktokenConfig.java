package dev.hymt4j.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * How to read a {@code .tiktoken} rank file, whose conventions live in the model's Python code rather than in
 * the file (spec §4.7; [R]/[U] facts there, so every part is a parameter here).
 *
 * @param specialTokens special tokens appended, in this order, after the last ordinary token
 * @param splitRegex    the pre-tokenization regex (tiktoken's {@code pat_str}), Oniguruma/Python syntax
 * @param nfc           NFC-normalize the input before encoding
 */
public record TiktokenConfig(List<String> specialTokens, String splitRegex, boolean nfc) {

    /** Hunyuan-7B's {@code PAT_STR} (single digits), from transformers' {@code tokenization_hy.py}. */
    public static final String HUNYUAN_7B_SPLIT_REGEX =
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    public TiktokenConfig {
        specialTokens = List.copyOf(specialTokens);
    }

    /**
     * Hunyuan-7B / HY-MT1.5-7B: {@code <|endoftext|>}, {@code <|startoftext|>}, {@code <|bos|>}, {@code <|eos|>},
     * {@code <|pad|>}, {@code <|extra_0|>} … {@code <|extra_204|>}; NFC; {@link #HUNYUAN_7B_SPLIT_REGEX}.
     */
    public static TiktokenConfig hunyuan7b() {
        List<String> specials = new ArrayList<>(List.of("<|endoftext|>", "<|startoftext|>", "<|bos|>", "<|eos|>", "<|pad|>"));
        for (int i = 0; i <= 204; i++) specials.add("<|extra_" + i + "|>");
        return new TiktokenConfig(specials, HUNYUAN_7B_SPLIT_REGEX, true);
    }
}
