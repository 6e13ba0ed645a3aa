package dev.hymt4j.data;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SequencedMap;

/** The 38 languages HY-MT1.5 supports (model spec §6.3): code → English and Chinese names used in prompts. */
public final class HyMtLanguages {
    private HyMtLanguages() {}

    public record Language(String code, String englishName, String chineseName) {}

    private static final SequencedMap<String, Language> BY_CODE = new LinkedHashMap<>();
    private static final Map<String, Language> BY_NAME = new HashMap<>();

    static {
        String[][] table = {
                {"zh", "Chinese", "中文"}, {"en", "English", "英语"}, {"fr", "French", "法语"},
                {"pt", "Portuguese", "葡萄牙语"}, {"es", "Spanish", "西班牙语"}, {"ja", "Japanese", "日语"},
                {"tr", "Turkish", "土耳其语"}, {"ru", "Russian", "俄语"}, {"ar", "Arabic", "阿拉伯语"},
                {"ko", "Korean", "韩语"}, {"th", "Thai", "泰语"}, {"it", "Italian", "意大利语"},
                {"de", "German", "德语"}, {"vi", "Vietnamese", "越南语"}, {"ms", "Malay", "马来语"},
                {"id", "Indonesian", "印尼语"}, {"tl", "Filipino", "菲律宾语"}, {"hi", "Hindi", "印地语"},
                {"zh-Hant", "Traditional Chinese", "繁体中文"}, {"pl", "Polish", "波兰语"}, {"cs", "Czech", "捷克语"},
                {"nl", "Dutch", "荷兰语"}, {"km", "Khmer", "高棉语"}, {"my", "Burmese", "缅甸语"},
                {"fa", "Persian", "波斯语"}, {"gu", "Gujarati", "古吉拉特语"}, {"ur", "Urdu", "乌尔都语"},
                {"te", "Telugu", "泰卢固语"}, {"mr", "Marathi", "马拉地语"}, {"he", "Hebrew", "希伯来语"},
                {"bn", "Bengali", "孟加拉语"}, {"ta", "Tamil", "泰米尔语"}, {"uk", "Ukrainian", "乌克兰语"},
                {"bo", "Tibetan", "藏语"}, {"kk", "Kazakh", "哈萨克语"}, {"mn", "Mongolian", "蒙古语"},
                {"ug", "Uyghur", "维吾尔语"}, {"yue", "Cantonese", "粤语"},
        };
        for (String[] row : table) {
            Language lang = new Language(row[0], row[1], row[2]);
            BY_CODE.put(row[0].toLowerCase(Locale.ROOT), lang);
            BY_NAME.put(row[1], lang);
            BY_NAME.put(row[2], lang);
        }
    }

    /** The language with this code (case-insensitive; {@code zh-CN}/{@code zh-Hans} mean {@code zh}, {@code zh-TW} means {@code zh-Hant}). */
    public static Language byCode(String code) {
        Language lang = find(code);
        if (lang == null) throw new IllegalArgumentException("unsupported language code: " + code);
        return lang;
    }

    /** Like {@link #byCode} but null for a code outside the table. */
    public static Language find(String code) {
        String key = code.toLowerCase(Locale.ROOT).replace('_', '-');
        Language lang = BY_CODE.get(key);
        if (lang != null) return lang;
        if (key.equals("zh-tw") || key.equals("zh-hk")) return BY_CODE.get("zh-hant");
        if (key.startsWith("zh")) return BY_CODE.get("zh");
        int dash = key.indexOf('-');
        return dash > 0 ? BY_CODE.get(key.substring(0, dash)) : null;
    }

    /** The language whose English or Chinese prompt name is {@code name}, or null. */
    public static Language byName(String name) {
        return BY_NAME.get(name);
    }

    /** Whether the language is written in Chinese characters: zh, zh-Hant and Cantonese. */
    public static boolean isChinese(String code) {
        Language lang = code == null ? null : find(code);
        return lang != null && (lang.code().equals("zh") || lang.code().equals("zh-Hant") || lang.code().equals("yue"));
    }
}
