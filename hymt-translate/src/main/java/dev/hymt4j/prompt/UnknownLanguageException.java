package dev.hymt4j.prompt;

import java.util.List;

/** A language code or name that is not among the 38 HY-MT1.5 languages; the message lists the valid codes. */
public final class UnknownLanguageException extends IllegalArgumentException {
    private final String input;

    public UnknownLanguageException(String input, List<String> validCodes) {
        super("Unknown language '" + input + "'. HY-MT1.5 supports these codes (English or Chinese names work too): "
                + String.join(", ", validCodes));
        this.input = input;
    }

    /** What the caller asked for. */
    public String input() {
        return input;
    }
}
