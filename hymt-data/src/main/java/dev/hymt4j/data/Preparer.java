package dev.hymt4j.data;

import dev.hymt4j.io.AtomicFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code hymt prepare}: cleans parallel data and splits it into train/valid/test.
 *
 * <p>One streaming pass: each input record goes through the per-row stage of {@link PrepareRules} (transformations,
 * then each enabled {@link CleaningRule} in turn; the first that objects names the reason in {@code rejects.jsonl}),
 * then deduplication against the records kept before it, and is written to the split its source's hash picks. Memory is bounded whatever the input size: one record at a time plus the
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
    private final PrepareRules rules;

    public Preparer(PrepareOptions options) {
        this.options = options;
        this.rules = new PrepareRules(options);
    }

    /** The per-row outcome's rejection, else deduplication against the records kept so far; null when it is kept. */
    private PrepareRules.Rejection check(PrepareRules.Outcome outcome) {
        if (outcome.rejection() != null) return outcome.rejection();
        for (DuplicateRule rule : new DuplicateRule[] {rules.exactDuplicates(), rules.nearDuplicates()}) {
            if (rule == null) continue;
            Optional<String> problem = rule.problem(outcome.example());
            if (problem.isPresent()) return new PrepareRules.Rejection(rule.name(), problem.get());
        }
        return null;
    }

    /** Deduplication remembers only kept records, so a record dropped by a rule never shadows a later copy. */
    private void remember(ParallelExample kept) {
        if (rules.exactDuplicates() != null) rules.exactDuplicates().kept(kept);
        if (rules.nearDuplicates() != null) rules.nearDuplicates().kept(kept);
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
        PrepareSummary summary = rules.newSummary();
        Map<Split, Path> splitTemps = new EnumMap<>(Split.class);
        for (Split s : Split.values()) splitTemps.put(s, temp(outDir, s.fileName()));
        Path rejectsTemp = temp(outDir, REJECTS);
        Path summaryTemp = temp(outDir, SUMMARY);
        Path spool = temp(outDir, "kept.jsonl");
        boolean fixedSizes = rules.fixedSizeSplit();
        FixedSizeSplitter splitter = fixedSizes ? rules.newFixedSizeSplitter() : null;
        try {
            try (JsonlWriter rejects = new JsonlWriter(rejectsTemp);
                 SplitWriters splits = new SplitWriters(splitTemps);
                 JsonlWriter spooled = fixedSizes ? new JsonlWriter(spool) : null) {
                for (Path input : inputs) {
                    DataFormat format = options.format != null ? options.format : DataFormat.fromFileName(input);
                    try (ExampleReader reader = ExampleReader.open(input, format, options.prompts)) {
                        while (reader.hasNext()) {
                            LocatedExample at = reader.next();
                            summary.countRead(1);
                            PrepareRules.Outcome outcome = rules.clean(at.example());
                            for (String t : outcome.changedBy()) summary.countChanged(t, 1);
                            ParallelExample ex = outcome.example();
                            PrepareRules.Rejection rejection = check(outcome);
                            if (rejection != null) {
                                summary.countRejected(rejection.rule(), 1);
                                rejects.writeReject(new LocatedExample(ex, at.file(), at.line()),
                                        rejection.rule(), rejection.detail());
                                continue;
                            }
                            remember(ex);
                            long key = rules.splitKey(ex);
                            if (fixedSizes) {
                                splitter.offer(key);
                                spooled.write(ex);
                            } else {
                                Split split = rules.splitByRatio(key);
                                splits.write(split, ex);
                                summary.countKept(split, ex.languagePair(), 1);
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
                            Split split = splitter.route(rules.splitKey(ex));
                            splits.write(split, ex);
                            summary.countKept(split, ex.languagePair(), 1);
                        }
                    }
                }
            }
            if (summary.read() == 0) {
                throw new IOException(String.join(", ", inputs.stream().map(Path::toString).toList())
                        + ": no examples to prepare (no records in the input); nothing was written");
            }
            summary.seconds((System.nanoTime() - start) / 1e9);
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
