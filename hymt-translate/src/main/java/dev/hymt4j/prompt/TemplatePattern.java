package dev.hymt4j.prompt;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A template turned into a regular expression that matches exactly the texts {@link PromptTemplates#render} can
 * produce from it, so that a rendered prompt can be read back (see {@link PromptTemplates#parse}).
 *
 * <p>Literal text is matched verbatim. A language placeholder matches the rest of a line lazily (names never span
 * lines), text placeholders match anything including newlines, and the glossary line matches one or more lines
 * of its own shape. A placeholder that occurs twice must repeat the same value.
 */
final class TemplatePattern {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z_]+)}");
    private static final Map<String, TemplatePattern> CACHE = new ConcurrentHashMap<>();
    private static final String GLOSSARY = "glossary";

    private final Pattern pattern;
    /** The placeholder name captured by each group, in group order (group 1 first). */
    private final List<String> groups;
    /** The glossary line with its two groups (source term, target term), or null if the template has none. */
    private final Pattern glossaryLine;

    private TemplatePattern(String template) {
        List<String> names = new ArrayList<>();
        StringBuilder regex = new StringBuilder();
        Pattern line = null;
        String[] lines = template.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (i > 0) regex.append("\\n");
            if (lines[i].contains("{source_term}")) {
                // Rendered once per glossary entry: one or more lines of this shape, read term by term later.
                String one = lineRegex(lines[i], new ArrayList<>(), false);
                line = Pattern.compile(lineRegex(lines[i], new ArrayList<>(), true));
                regex.append('(').append(one).append("(?:\\n").append(one).append(")*)");
                names.add(GLOSSARY);
            } else {
                regex.append(lineRegex(lines[i], names, true));
            }
        }
        this.pattern = Pattern.compile(regex.toString(), Pattern.DOTALL);
        this.groups = List.copyOf(names);
        this.glossaryLine = line;
    }

    static TemplatePattern of(String template) {
        return CACHE.computeIfAbsent(template, TemplatePattern::new);
    }

    /**
     * The placeholder values of {@code text}, with {@code "glossary"} mapped to the raw glossary lines, or empty
     * when the text does not follow the template.
     */
    Optional<Map<String, String>> match(String text) {
        Matcher m = pattern.matcher(text);
        if (!m.matches()) return Optional.empty();
        Map<String, String> values = new HashMap<>();
        for (int g = 0; g < groups.size(); g++) values.put(groups.get(g), m.group(g + 1));
        return Optional.of(values);
    }

    /** The entries of a glossary block captured by {@link #match}; empty if one of its terms is blank. */
    Optional<List<GlossaryEntry>> glossary(String block) {
        List<GlossaryEntry> entries = new ArrayList<>();
        for (String line : block.split("\n", -1)) {
            Matcher m = glossaryLine.matcher(line);
            if (!m.matches()) return Optional.empty();
            String source = m.group(1), target = m.group(2);
            if (source.isBlank() || target.isBlank()) return Optional.empty();
            entries.add(new GlossaryEntry(source, target));
        }
        return Optional.of(entries);
    }

    static boolean isGlossary(String name) {
        return name.equals(GLOSSARY);
    }

    /**
     * The regex of one template line. With {@code capture}, each first occurrence of a placeholder becomes a group
     * whose name is appended to {@code names}, and later occurrences a back-reference; without, placeholders are
     * matched but not captured.
     */
    private static String lineRegex(String line, List<String> names, boolean capture) {
        StringBuilder regex = new StringBuilder();
        Matcher m = PLACEHOLDER.matcher(line);
        int at = 0;
        while (m.find()) {
            String name = m.group(1);
            String value = valueRegex(name);
            if (value == null) continue; // not a placeholder render fills: it stays literal
            if (m.start() > at) regex.append(Pattern.quote(line.substring(at, m.start())));
            at = m.end();
            if (!capture) {
                regex.append("(?:").append(value).append(')');
            } else if (names.contains(name)) {
                regex.append("\\").append(names.indexOf(name) + 1);
            } else {
                names.add(name);
                regex.append('(').append(value).append(')');
            }
        }
        if (at < line.length()) regex.append(Pattern.quote(line.substring(at)));
        return regex.toString();
    }

    private static String valueRegex(String placeholder) {
        return switch (placeholder) {
            case "target_language", "target_language_en", "target_language_zh", "source_term", "target_term" -> "[^\\n]+?";
            case "source_text", "src_text_with_format", "context" -> ".*";
            default -> null;
        };
    }
}
