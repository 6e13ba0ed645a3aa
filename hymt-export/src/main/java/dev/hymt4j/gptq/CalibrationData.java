package dev.hymt4j.gptq;

import dev.hymt4j.data.ExampleReader;
import dev.hymt4j.data.LocatedExample;
import dev.hymt4j.data.ParallelExample;
import dev.hymt4j.demo.DemoSetup;
import dev.hymt4j.tokenizer.Tokenizer;
import dev.hymt4j.train.ExampleEncoder;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Calibration sequences for GPTQ: translation examples rendered exactly as fine-tuning and inference see them
 * ({@link ExampleEncoder}: official prompt template in the chat template, then the target and EOS), concatenated
 * and cut into {@code samples} sequences of {@code seqLen} tokens — GPTQ's usual fixed-length calibration
 * windows, here over in-domain prompts instead of web text.
 *
 * <p>Inputs: JSONL / TSV / sharegpt pairs (the data package's readers, so the user's own training data works
 * unchanged), or a {@code .txt} file of plain lines, each rendered as a prompt to translate it (into Chinese, or
 * into English when the line has CJK characters) with an empty answer. Pairs without a target language get the
 * same rule. With no file, the shipped LibreOffice help sample (en-zh, MPL-2.0) is used.
 */
public final class CalibrationData {
    /** The shipped default. */
    public static final String DEFAULT_NAME = "shipped sample " + DemoSetup.CORPUS.get(0);

    private CalibrationData() {}

    /**
     * @param file      the calibration file, or null for the shipped sample
     * @param tokenizer the model's tokenizer
     * @return {@code samples} sequences of exactly {@code seqLen} ids
     */
    public static int[][] load(Path file, Tokenizer tokenizer, int samples, int seqLen) throws IOException {
        if (samples < 1) throw new IllegalArgumentException("--samples must be ≥ 1, got " + samples);
        if (seqLen < 2) throw new IllegalArgumentException("--seq-len must be ≥ 2, got " + seqLen);
        Path source = file;
        Path temp = null;
        if (source == null) {
            temp = Files.createTempDirectory("hymt-calibration-");
            source = DemoSetup.copyCorpus(DemoSetup.CORPUS.get(0), temp);
        }
        try {
            return pack(examples(source), tokenizer, samples, seqLen, file == null ? DEFAULT_NAME : file.toString());
        } finally {
            if (temp != null) {
                try (var files = Files.list(temp)) {
                    for (Path p : files.toList()) Files.deleteIfExists(p);
                }
                Files.deleteIfExists(temp);
            }
        }
    }

    private static int[][] pack(List<ParallelExample> examples, Tokenizer tokenizer, int samples, int seqLen, String name) {
        long needed = (long) samples * seqLen;
        if (examples.isEmpty()) throw new IllegalArgumentException(name + ": no calibration examples (the file is empty)");
        ExampleEncoder encoder = new ExampleEncoder(tokenizer);
        int[] stream = new int[(int) Math.min(needed, Integer.MAX_VALUE - 16)];
        int filled = 0;
        for (ParallelExample e : examples) {
            int[] ids;
            try {
                ids = encoder.encode(e).ids();
            } catch (IllegalArgumentException noTemplate) {
                continue;   // e.g. terms and context together: no official template renders it, as in training
            }
            int take = (int) Math.min(ids.length, needed - filled);
            System.arraycopy(ids, 0, stream, filled, take);
            filled += take;
            if (filled == needed) break;
        }
        if (filled < needed) {
            throw new IllegalArgumentException(name + ": too short for calibration: " + examples.size() + " examples give " + filled
                    + " tokens, but --samples " + samples + " × --seq-len " + seqLen + " needs " + needed
                    + " (give more text, or lower --samples or --seq-len)");
        }
        int[][] out = new int[samples][];
        for (int s = 0; s < samples; s++) out[s] = java.util.Arrays.copyOfRange(stream, s * seqLen, (s + 1) * seqLen);
        return out;
    }

    /** Every example of the file, in order; a target language filled in where the file has none. */
    static List<ParallelExample> examples(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "calibration file not found");
        List<ParallelExample> out = new ArrayList<>();
        if (isPlainText(file)) {
            try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (!line.isBlank()) out.add(ParallelExample.of(line.strip(), "", null, defaultTarget(line)));
                }
            }
            return out;
        }
        try (ExampleReader reader = ExampleReader.open(file)) {
            while (reader.hasNext()) {
                LocatedExample located = reader.next();
                ParallelExample e = located.example();
                out.add(e.tgtLang() == null ? e.withDefaultLanguages(null, defaultTarget(e.source())) : e);
            }
        }
        return out;
    }

    /** A {@code .txt} file whose first non-blank line has no tab: plain text, one segment per line. */
    private static boolean isPlainText(Path file) throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!name.endsWith(".txt") && !name.endsWith(".text")) return false;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line; (line = r.readLine()) != null; ) {
                if (!line.isBlank()) return line.indexOf('\t') < 0;
            }
        }
        return true;
    }

    /** Chinese for text without CJK characters, English for text with them. */
    private static String defaultTarget(String text) {
        return text.codePoints().anyMatch(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN) ? "en" : "zh";
    }
}
