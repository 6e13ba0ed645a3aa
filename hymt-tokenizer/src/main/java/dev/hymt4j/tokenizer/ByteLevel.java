package dev.hymt4j.tokenizer;

import java.nio.charset.StandardCharsets;

/**
 * GPT-2's {@code bytes_to_unicode} table: every byte gets a printable character, so that byte strings can be
 * stored as ordinary vocabulary strings. Bytes 33–126, 161–172 and 174–255 map to themselves; the other 68
 * bytes map to U+0100, U+0101, … in increasing byte order (space → {@code Ġ}, newline → {@code Ċ}).
 */
final class ByteLevel {
    private ByteLevel() {}

    /** Character for each byte value. */
    private static final char[] BYTE_TO_CHAR = new char[256];
    /** Byte value for each mapped character below U+0144, or -1 when the character is not a mapped byte. */
    private static final short[] CHAR_TO_BYTE = new short[0x144];
    /** The 256 bytes in the table's own order (printable ones first), which is GPT-2's id order. */
    private static final int[] ALPHABET_ORDER = new int[256];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, (short) -1);
        int n = 0, extra = 0;
        for (int b = 0; b < 256; b++) {
            if (isPrintable(b)) {
                BYTE_TO_CHAR[b] = (char) b;
                ALPHABET_ORDER[n++] = b;
            }
        }
        for (int b = 0; b < 256; b++) {
            if (!isPrintable(b)) {
                BYTE_TO_CHAR[b] = (char) (256 + extra++);
                ALPHABET_ORDER[n++] = b;
            }
        }
        for (int b = 0; b < 256; b++) CHAR_TO_BYTE[BYTE_TO_CHAR[b]] = (short) b;
    }

    private static boolean isPrintable(int b) {
        return (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    }

    static char charOf(int unsignedByte) {
        return BYTE_TO_CHAR[unsignedByte];
    }

    /** The bytes in GPT-2 order ({@code !} first), used to give the 256 base symbols their ids. */
    static int byteAtRank(int rank) {
        return ALPHABET_ORDER[rank];
    }

    /** The byte-level string of some raw bytes. */
    static String encode(byte[] bytes) {
        char[] out = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) out[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        return new String(out);
    }

    /**
     * The bytes a token string stands for, as the Hugging Face ByteLevel decoder computes them: if every
     * character is a mapped byte, the mapped bytes; otherwise (e.g. an added token like {@code <｜hy_User｜>})
     * the token's own UTF-8 bytes.
     */
    static byte[] decodeToken(String token) {
        byte[] out = new byte[token.length()];
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            int b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
            if (b < 0) return token.getBytes(StandardCharsets.UTF_8);
            out[i] = (byte) b;
        }
        return out;
    }
}
