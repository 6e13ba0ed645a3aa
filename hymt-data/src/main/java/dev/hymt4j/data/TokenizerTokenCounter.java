package dev.hymt4j.data;

import dev.hymt4j.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/** Counts tokens exactly, with a model's tokenizer: the length the model sees, no special tokens added. */
public final class TokenizerTokenCounter implements TokenCounter {
    private final Tokenizer tokenizer;

    public TokenizerTokenCounter(Tokenizer tokenizer) {
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
    }

    /** Loads the tokenizer at {@code path}: a {@code tokenizer.json}, a {@code .tiktoken} file or a model directory. */
    public static TokenizerTokenCounter load(Path path) throws IOException {
        return new TokenizerTokenCounter(Tokenizer.load(path));
    }

    @Override
    public int count(String text) {
        return tokenizer.encode(text, dev.hymt4j.tokenizer.EncodeOptions.PLAIN_TEXT).length;
    }
}
