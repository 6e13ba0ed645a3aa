package dev.hymt4j.data;

import java.util.Optional;

/**
 * Drops pairs containing C0/C1 control characters other than tab and line breaks, or lone surrogates. These
 * come from binary junk or broken extraction and end up as odd byte tokens the model learns to emit.
 */
public final class ControlCharacterRule implements CleaningRule {
    @Override public String name() { return "control-chars"; }

    @Override public String description() { return "control characters (other than tab/newline) or lone surrogates"; }

    @Override
    public Optional<String> problem(ParallelExample ex) {
        return find(ex.source(), "source").or(() -> find(ex.target(), "target"));
    }

    private static Optional<String> find(String text, String side) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean control = (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || (c >= 0x7F && c <= 0x9F);
            boolean loneSurrogate = Character.isSurrogate(c)
                    && !(Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1)))
                    && !(Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(text.charAt(i - 1)));
            if (control || loneSurrogate) return Optional.of(String.format("%s has U+%04X at %d", side, (int) c, i));
        }
        return Optional.empty();
    }
}
