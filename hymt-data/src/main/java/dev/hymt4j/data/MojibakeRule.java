package dev.hymt4j.data;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Drops pairs showing encoding damage: U+FFFD (bytes that were not valid UTF-8), or the tell-tale sequences
 * that UTF-8 leaves when decoded as Latin-1 or Windows-1252. A UTF-8 lead byte C2/C3 shows as {@code Â}/{@code Ã}
 * followed by a continuation byte (0x80–0xBF, which CP1252 renders as {@code €‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ} or
 * Latin-1 symbols), and three-byte characters (punctuation such as {@code ’}, all CJK) show as a lead letter
 * from {@code â} to {@code ï} and two such continuation characters ({@code â€™}). Real words almost never put
 * those characters next to each other ({@code SÃO} has a letter after {@code Ã}), so precision is high.
 */
public final class MojibakeRule implements CleaningRule {
    private static final String CONTINUATION = "[\\u0080-\\u00BF€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]";
    private static final Pattern DAMAGE = Pattern.compile(
            "\\uFFFD"                                              // bytes that were not valid UTF-8
            + "|锟斤拷"                                               // U+FFFD's UTF-8 bytes read back as GBK
            + "|[ÂÃ]" + CONTINUATION                               // 2-byte UTF-8: é → Ã©, no-break space → Â
            + "|[âãäåæçèéêëìíîï]" + CONTINUATION + CONTINUATION);  // 3-byte UTF-8: ’ → â€™, 中 → ä¸­

    @Override public String name() { return "mojibake"; }

    @Override public String description() { return "encoding damage: U+FFFD or UTF-8 read as Latin-1/CP1252 (Ã©, â€™)"; }

    @Override
    public Optional<String> problem(ParallelExample ex) {
        return find(ex.source(), "source").or(() -> find(ex.target(), "target"));
    }

    private static Optional<String> find(String text, String side) {
        Matcher m = DAMAGE.matcher(text);
        return m.find() ? Optional.of(side + " has \"" + m.group() + "\" at " + m.start()) : Optional.empty();
    }
}
