package dev.hymt4j.prompt;

import dev.hymt4j.io.DidYouMean;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The 38 languages HY-MT1.5 supports (spec §6.3, README order), each with its code, the English name that
 * goes into the English template and the Chinese name that goes into the Chinese templates (§6.2).
 *
 * <p>Lookup accepts the table's codes case-insensitively, BCP-47 style tags that narrow them (a region or
 * script subtag is dropped until a code matches: {@code en-US → en}, {@code pt-BR → pt},
 * {@code zh-Hant-TW → zh-Hant}) and a few aliases where dropping subtags would pick the wrong variety:
 * <ul>
 *   <li>{@code zh-TW}, {@code zh-HK}, {@code zh-MO} → {@code zh-Hant}: text from these regions is written in
 *       traditional characters (Cantonese has its own code, {@code yue});</li>
 *   <li>{@code zh-Hans}, {@code zh-CN}, {@code zh-SG}, {@code cmn} → {@code zh};</li>
 *   <li>{@code fil} → {@code tl} (the model's Filipino is listed under the Tagalog code),
 *       {@code iw} → {@code he}, {@code in} → {@code id} (legacy Java/ISO codes).</li>
 * </ul>
 * Portuguese has one entry, so {@code pt-BR} and {@code pt-PT} both map to {@code pt}.
 */
public enum Language {
    ZH("zh", "Chinese", "中文"),
    EN("en", "English", "英语"),
    FR("fr", "French", "法语"),
    PT("pt", "Portuguese", "葡萄牙语"),
    ES("es", "Spanish", "西班牙语"),
    JA("ja", "Japanese", "日语"),
    TR("tr", "Turkish", "土耳其语"),
    RU("ru", "Russian", "俄语"),
    AR("ar", "Arabic", "阿拉伯语"),
    KO("ko", "Korean", "韩语"),
    TH("th", "Thai", "泰语"),
    IT("it", "Italian", "意大利语"),
    DE("de", "German", "德语"),
    VI("vi", "Vietnamese", "越南语"),
    MS("ms", "Malay", "马来语"),
    ID("id", "Indonesian", "印尼语"),
    TL("tl", "Filipino", "菲律宾语"),
    HI("hi", "Hindi", "印地语"),
    ZH_HANT("zh-Hant", "Traditional Chinese", "繁体中文"),
    PL("pl", "Polish", "波兰语"),
    CS("cs", "Czech", "捷克语"),
    NL("nl", "Dutch", "荷兰语"),
    KM("km", "Khmer", "高棉语"),
    MY("my", "Burmese", "缅甸语"),
    FA("fa", "Persian", "波斯语"),
    GU("gu", "Gujarati", "古吉拉特语"),
    UR("ur", "Urdu", "乌尔都语"),
    TE("te", "Telugu", "泰卢固语"),
    MR("mr", "Marathi", "马拉地语"),
    HE("he", "Hebrew", "希伯来语"),
    BN("bn", "Bengali", "孟加拉语"),
    TA("ta", "Tamil", "泰米尔语"),
    UK("uk", "Ukrainian", "乌克兰语"),
    BO("bo", "Tibetan", "藏语"),
    KK("kk", "Kazakh", "哈萨克语"),
    MN("mn", "Mongolian", "蒙古语"),
    UG("ug", "Uyghur", "维吾尔语"),
    YUE("yue", "Cantonese", "粤语");

    private static final Map<String, Language> BY_KEY = buildIndex();

    private final String code;
    private final String englishName;
    private final String chineseName;

    Language(String code, String englishName, String chineseName) {
        this.code = code;
        this.englishName = englishName;
        this.chineseName = chineseName;
    }

    /** The code of the official table, e.g. {@code zh-Hant}. */
    public String code() {
        return code;
    }

    /** The name used in the English template (XX⇄XX), e.g. {@code Traditional Chinese}. */
    public String englishName() {
        return englishName;
    }

    /** The name used in the Chinese templates (ZH⇄XX, terminology, context), e.g. {@code 繁体中文}. */
    public String chineseName() {
        return chineseName;
    }

    /** Finds a language by code or alias (see the class comment); throws {@link UnknownLanguageException}. */
    public static Language fromCode(String code) {
        return findByCode(code).orElseThrow(() -> new UnknownLanguageException(code, validCodes(), false));
    }

    /** Finds a language by its English name (any case) or its Chinese name. */
    public static Language fromName(String name) {
        return findByName(name).orElseThrow(() -> new UnknownLanguageException(name, validCodes()));
    }

    /** Accepts whatever a user typed: a code, an alias, an English or a Chinese name. */
    public static Language parse(String codeOrName) {
        return findByCode(codeOrName).or(() -> findByName(codeOrName))
                .orElseThrow(() -> new UnknownLanguageException(codeOrName, validCodes()));
    }

    /** Like {@link #fromCode} but empty, not an exception, for a code outside the table (or null). */
    public static Optional<Language> findByCode(String code) {
        if (code == null) return Optional.empty();
        String tag = code.trim().replace('_', '-').toLowerCase(Locale.ROOT);
        while (!tag.isEmpty()) {
            Language found = BY_KEY.get(codeKey(tag));
            if (found != null) return Optional.of(found);
            int dash = tag.lastIndexOf('-');
            tag = dash < 0 ? "" : tag.substring(0, dash);
        }
        return Optional.empty();
    }

    /** Like {@link #fromName} but empty, not an exception, for a name outside the table (or null). */
    public static Optional<Language> findByName(String name) {
        return name == null ? Optional.empty() : Optional.ofNullable(BY_KEY.get(nameKey(name)));
    }

    /**
     * The language whose code or English name is nearest to {@code input} by edit distance (case-insensitive),
     * if it is near enough to be a likely typo (at most a third of the longer string): {@code "germn"} → de,
     * {@code "zh_hant"} → zh-Hant. Empty for input nothing resembles.
     */
    public static Optional<Language> closest(String input) {
        if (input == null || input.isBlank()) return Optional.empty();
        String in = input.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        Language best = null;
        int bestDistance = Integer.MAX_VALUE, bestLength = 1;
        for (Language l : values()) {
            for (String key : List.of(l.code.toLowerCase(Locale.ROOT), l.englishName.toLowerCase(Locale.ROOT))) {
                int d = DidYouMean.editDistance(in, key);
                if (d < bestDistance) {
                    bestDistance = d;
                    best = l;
                    bestLength = Math.max(in.length(), key.length());
                }
            }
        }
        return bestDistance * 3 <= bestLength ? Optional.ofNullable(best) : Optional.empty();
    }

    /** The codes of all languages, in README order. */
    public static List<String> validCodes() {
        return Arrays.stream(values()).map(Language::code).toList();
    }

    // Codes and names share one map; the prefixes keep a code from matching a name and vice versa.
    private static String codeKey(String lowerCaseTag) {
        return "code:" + lowerCaseTag;
    }

    private static String nameKey(String name) {
        return "name:" + name.trim().toLowerCase(Locale.ROOT);
    }

    private static Map<String, Language> buildIndex() {
        Map<String, Language> index = new HashMap<>();
        for (Language language : values()) {
            index.put(codeKey(language.code.toLowerCase(Locale.ROOT)), language);
            index.put(nameKey(language.englishName), language);
            index.put(nameKey(language.chineseName), language);
        }
        Map<String, Language> aliases = Map.of(
                "zh-tw", ZH_HANT, "zh-hk", ZH_HANT, "zh-mo", ZH_HANT,
                "zh-hans", ZH, "zh-cn", ZH, "zh-sg", ZH, "cmn", ZH,
                "fil", TL, "iw", HE, "in", ID);
        aliases.forEach((alias, language) -> index.put(codeKey(alias), language));
        return Map.copyOf(index);
    }
}
