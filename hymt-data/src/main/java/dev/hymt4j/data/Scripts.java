package dev.hymt4j.data;

import dev.hymt4j.prompt.Language;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/** Writing-system tests on code points, shared by the CJK-aware rules. */
final class Scripts {
    private Scripts() {}

    /** The languages written in Chinese characters: Chinese, Traditional Chinese and Cantonese. */
    static final Set<Language> CHINESE =
            Collections.unmodifiableSet(EnumSet.of(Language.ZH, Language.ZH_HANT, Language.YUE));

    static boolean isHan(int cp) {
        return Character.UnicodeScript.of(cp) == Character.UnicodeScript.HAN;
    }

    static boolean isKana(int cp) {
        Character.UnicodeScript s = Character.UnicodeScript.of(cp);
        // U+30FC (prolonged sound mark) is script COMMON but only ever appears in Japanese.
        return s == Character.UnicodeScript.HIRAGANA || s == Character.UnicodeScript.KATAKANA || cp == 0x30FC;
    }

    static boolean isHangul(int cp) {
        return Character.UnicodeScript.of(cp) == Character.UnicodeScript.HANGUL;
    }

    /** Han, kana or Hangul: scripts where one character carries roughly a word's worth of meaning. */
    static boolean isCjk(int cp) {
        return isHan(cp) || isKana(cp) || isHangul(cp);
    }

    /** Whether more than half of the letters in {@code text} are Han, kana or Hangul. */
    static boolean mostlyCjk(String text) {
        int letters = 0, cjk = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (!Character.isLetter(cp)) continue;
            letters++;
            if (isCjk(cp)) cjk++;
        }
        return cjk * 2 > letters;
    }
}
