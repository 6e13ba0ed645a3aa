package dev.hymt4j.prompt;

import java.util.List;

/** A language code or name that is not among the 38 HY-MT1.5 languages; the message lists the valid codes. */
public final class UnknownLanguageException extends IllegalArgumentException {
    private final String input;

    public UnknownLanguageException(String input, List<String> validCodes) {
        this(input, validCodes, true);
    }

    /** @param namesAccepted whether English and Chinese names would have done too (not for data-file codes) */
    public UnknownLanguageException(String input, List<String> validCodes, boolean namesAccepted) {
        super("Unknown language '" + input + "'" + Language.closest(input).map(l -> " (did you mean '" + l.code() + "', "
                + l.englishName() + "?)").orElse("") + "; HY-MT1.5 supports these codes"
                + (namesAccepted ? " (English or Chinese names work too)" : "") + ": " + String.join(", ", validCodes));
        this.input = input;
    }

    /** What the caller asked for. */
    public String input() {
        return input;
    }
}
