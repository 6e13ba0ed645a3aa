package dev.hymt4j.tokenizer;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The {@code Digits} pre-tokenizer: numeric characters (Rust {@code char::is_numeric}, i.e. Unicode category N)
 * become pieces of their own, one per digit or one per run.
 */
final class DigitsPreTokenizer implements PreTokenizer {
    private final boolean individualDigits;
    private final PreTokenizer split;

    DigitsPreTokenizer(boolean individualDigits) {
        this.individualDigits = individualDigits;
        this.split = PreTokenizer.splitRegex(individualDigits ? "\\p{N}" : "\\p{N}+", SplitBehavior.Isolated, false);
    }

    @Override
    public void split(String text, List<String> out) {
        split.split(text, out);
    }

    @Override
    public ObjectNode toJson() {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("type", "Digits");
        node.put("individual_digits", individualDigits);
        return node;
    }
}
