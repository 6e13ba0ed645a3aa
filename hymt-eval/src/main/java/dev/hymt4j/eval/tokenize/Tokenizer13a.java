package dev.hymt4j.eval.tokenize;

/** sacreBLEU's default {@code 13a} tokenizer (mteval-v13a.pl), the WMT standard. */
public final class Tokenizer13a implements BleuTokenizer {

    @Override
    public String name() {
        return "13a";
    }

    @Override
    public String tokenize(String line) {
        line = line.replace("<skipped>", "");
        line = line.replace("-\n", "");
        line = line.replace("\n", " ");
        if (line.indexOf('&') >= 0) {
            // Sequential, as in sacreBLEU: "&amp;lt;" therefore ends up as "<".
            line = line.replace("&quot;", "\"");
            line = line.replace("&amp;", "&");
            line = line.replace("&lt;", "<");
            line = line.replace("&gt;", ">");
        }
        // The padding lets a final "." after a digit be split (unlike intl and zh).
        return MtevalRegexp.apply(" " + line + " ");
    }
}
