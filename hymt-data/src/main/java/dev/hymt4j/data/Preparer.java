package dev.hymt4j.data;

import dev.hymt4j.io.AtomicFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code hymt prepare}: cleans parallel data and splits it into train/valid/test.
 *
 * <p>One streaming pass: each input record is transformed ({@link Transformation}s), checked by each enabled
 * {@link CleaningRule} in turn (the first that objects names the reason in {@code rejects.jsonl}), and written to
 * the split its source's hash picks. Memory is bounded whatever the input size: one record at a time plus the
 * deduplication hash sets (~16 bytes per kept pair). Fixed-size valid/test sets need a second pass over the kept
 * pairs, which are spooled to a temporary file.
 *
 * <p>Every output is written under a temporary name and renamed into place only after all of them are complete,
 * summary last, so an interrupted run never leaves outputs that look finished.
 */
public final class Preparer {
    public static final String REJECTS = "rejects.jsonl";
    public static final String SUMMARY = "summary.json";
    /** Every file {@link #run} writes into its output directory. */
    public static final List<String> OUTPUT_FILES = List.of(Split.TRAIN.fileName(), Split.VALID.fileName(),
            Split.TEST.fileName(), REJECTS, SUMMARY);

    private final PrepareOptions options;
    private final List<Transformation> transformations = new ArrayList<>();
    private final List<CleaningRule> rules = new ArrayList<>();

    public Preparer(PrepareOptions options) {
        this.options = options;
        for (String name : PrepareOptions.TRANSFORMATIONS) {
            if (options.isEnabled(name)) transformations.add(transformation(name));
        }
        for (String name : PrepareOptions.RULES) {
            if (options.isEnabled(name)) rules.add(rule(name));
        }
    }

    private Transformation transformation(String name) {
        return switch (name) {
            case "whitespace" -> new WhitespaceTransformation();
            case "punctuation-width" -> new PunctuationWidthTransformation();
            case "lowercase" -> new LowercaseTransformation();
            default -> throw new IllegalArgumentException(name);
        };
    }

    private CleaningRule rule(String name) {
        return switch (name) {
            case "empty" -> new EmptySideRule();
            case "control-chars" -> new ControlCharacterRule();
            case "mojibake" -> new MojibakeRule();
            case "untranslated" -> new UntranslatedRule();
            case "length" -> new TokenLengthRule(options.tokenCounter, options.minTokens, options.maxTokens);
            case "ratio" -> new LengthRatioRule(options.maxLengthRatio, options.ratioMinLength);
            case "script" -> new ScriptRule();
            case "language" -> new LanguageIdRule(options.languageIdAccuracy, options.languageIdMinLetters);
            case "duplicate" -> new DuplicateRule(false, options.duplicateKey);
            case "near-duplicate" -> new DuplicateRule(true, options.duplicateKey);
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** The rules this preparer runs, in order. */
    public List<CleaningRule> rules() {
        return List.copyOf(rules);
    }

    /** The first enabled rule that rejects {@code ex} (after transformations), without remembering it as kept. */
    public Optional<Rejection> check(ParallelExample ex) {
        for (CleaningRule rule : rules) {
            Optional<String> problem = rule.problem(ex);
            if (problem.isPresent()) return Optional.of(new Rejection(rule.name(), problem.get()));
        }
        return Optional.empty();
    }

    /** Why a pair was dropped: the rule's name and its explanation. */
    public record Rejection(String rule, String detail) {}

    /** Applies the enabled transformations, counting those that changed something. */
    private ParallelExample transform(ParallelExample ex, PrepareSummary summary) {
        for (Transformation t : transformations) {
            ParallelExample changed = t.apply(ex);
            if (changed != ex) summary.changedByTransformation.merge(t.name(), 1L, Long::sum);
            ex = changed;
        }
        return ex;
    }

    /** Cleans and splits {@code inputs} into {@code outDir}; returns the counts also written to summary.json. */
    public PrepareSummary run(List<Path> inputs, Path outDir) throws IOException {
        long start = System.nanoTime();
        boolean created = !Files.exists(outDir);
        Files.createDirectories(outDir);
        boolean done = false;
        try {
            PrepareSummary summary = prepare(inputs, outDir, start);
            done = true;
            return summary;
        } finally {
            // A failed run leaves nothing behind, not even the directory it made.
            if (created && !done) Files.deleteIfExists(outDir);
        }
    }

    private PrepareSummary prepare(List<Path> inputs, Path outDir, long start) throws IOException {
        PrepareSummary summary = new PrepareSummary(transformations.stream().map(Transformation::name).toList(),
                rules.stream().map(CleaningRule::name).toList());
        Map<Split, Path> splitTemps = new EnumMap<>(Split.class);
        for (Split s : Split.values()) splitTemps.put(s, temp(outDir, s.fileName()));
        Path rejectsTemp = temp(outDir, REJECTS);
        Path summaryTemp = temp(outDir, SUMMARY);
        Path spool = temp(outDir, "kept.jsonl");
        boolean fixedSizes = options.validSize != null;
        FixedSizeSplitter splitter = fixedSizes ? new FixedSizeSplitter(options.validSize, options.testSize) : null;
        try {
            try (JsonlWriter rejects = new JsonlWriter(rejectsTemp);
                 SplitWriters splits = new SplitWriters(splitTemps);
                 JsonlWriter spooled = fixedSizes ? new JsonlWriter(spool) : null) {
                for (Path input : inputs) {
                    DataFormat format = options.format != null ? options.format : DataFormat.fromFileName(input);
                    try (ExampleReader reader = ExampleReader.open(input, format, options.prompts)) {
                        while (reader.hasNext()) {
                            LocatedExample at = reader.next();
                            summary.read++;
                            ParallelExample ex = transform(at.example().withDefaultLanguages(
                                    options.defaultSrcLang, options.defaultTgtLang), summary);
                            Optional<Rejection> rejection = check(ex);
                            if (rejection.isPresent()) {
                                summary.rejectedByRule.merge(rejection.get().rule(), 1L, Long::sum);
                                rejects.writeReject(new LocatedExample(ex, at.file(), at.line()),
                                        rejection.get().rule(), rejection.get().detail());
                                continue;
                            }
                            for (CleaningRule rule : rules) rule.kept(ex);
                            long key = Split.key(ex, options.seed);
                            if (fixedSizes) {
                                splitter.offer(key);
                                spooled.write(ex);
                            } else {
                                Split split = Split.byRatio(key, options.splitRatios);
                                splits.write(split, ex);
                                summary.countKept(split, ex.languagePair());
                            }
                        }
                    }
                }
                if (fixedSizes) {
                    spooled.close();
                    splitter.seal();
                    try (ExampleReader kept = ExampleReader.open(spool, DataFormat.JSONL, options.prompts)) {
                        while (kept.hasNext()) {
                            ParallelExample ex = kept.next().example();
                            Split split = splitter.route(Split.key(ex, options.seed));
                            splits.write(split, ex);
                            summary.countKept(split, ex.languagePair());
                        }
                    }
                }
            }
            if (summary.read == 0) {
                throw new IOException(String.join(", ", inputs.stream().map(Path::toString).toList())
                        + ": no examples to prepare (no records in the input); nothing was written");
            }
            summary.seconds = (System.nanoTime() - start) / 1e9;
            Files.writeString(summaryTemp, summary.toJson());
            for (Split s : Split.values()) publish(splitTemps.get(s), outDir.resolve(s.fileName()));
            publish(rejectsTemp, outDir.resolve(REJECTS));
            publish(summaryTemp, outDir.resolve(SUMMARY));
            return summary;
        } finally {
            Files.deleteIfExists(spool);
            for (Path p : splitTemps.values()) Files.deleteIfExists(p);
            Files.deleteIfExists(rejectsTemp);
            Files.deleteIfExists(summaryTemp);
        }
    }

    /**
     * Temporary files sit next to their final names so the rename is on one file system, hence atomic; each has
     * a fresh name, so no file already in the directory is ever written over.
     */
    private static Path temp(Path dir, String name) throws IOException {
        return AtomicFile.temporarySibling(dir.resolve(name));
    }

    private static void publish(Path temp, Path target) throws IOException {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** One JSONL writer per split, closed together. */
    private static final class SplitWriters implements AutoCloseable {
        private final Map<Split, JsonlWriter> writers = new EnumMap<>(Split.class);

        SplitWriters(Map<Split, Path> files) throws IOException {
            for (var e : files.entrySet()) writers.put(e.getKey(), new JsonlWriter(e.getValue()));
        }

        void write(Split split, ParallelExample ex) throws IOException {
            writers.get(split).write(ex);
        }

        @Override
        public void close() throws IOException {
            IOException first = null;
            for (JsonlWriter w : writers.values()) {
                try {
                    w.close();
                } catch (IOException e) {
                    if (first == null) first = e;
                }
            }
            if (first != null) throw first;
        }
    }
}
