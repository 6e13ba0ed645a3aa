package dev.hymt4j.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.when;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hymt4j.data.DuplicateRule;
import dev.hymt4j.data.FixedSizeSplitter;
import dev.hymt4j.data.JsonlWriter;
import dev.hymt4j.data.LocatedExample;
import dev.hymt4j.data.ParallelExample;
import dev.hymt4j.data.PrepareOptions;
import dev.hymt4j.data.PrepareRules;
import dev.hymt4j.data.PrepareSummary;
import dev.hymt4j.data.Split;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.function.Function0;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * {@code hymt prepare} as Spark transformations, with the same result as the local {@link dev.hymt4j.data.Preparer}
 * on the same input and seed: the same kept rows in the same splits, the same rejects and the same summary counts.
 *
 * <ol>
 *   <li>Per row (a map, no shuffle): {@link PrepareRules#clean} — default languages, transformations, every rule but
 *       deduplication — and the record's dedup keys ({@link DuplicateRule#key}) and split key; the rule objects are
 *       built once per partition from the shipped options.</li>
 *   <li>Deduplication, global: one shuffle on the dedup key (the near-duplicate key when that rule is on, which
 *       every exact repeat shares), each group ordered by (file_index, line). The first record of a group is kept —
 *       the local rule's first-occurrence-wins, because only records that passed every other rule reach this
 *       stage; a later one is a "duplicate" when its exact key equals the first's, else a "near-duplicate".</li>
 *   <li>Split: by ratio, a function of the split key; fixed sizes, one {@link FixedSizeSplitter} merged from each
 *       partition's smallest keys, sealed on the driver and broadcast.</li>
 * </ol>
 * A malformed record (bad JSON, wrong type, missing field) does not fail the job, unlike the local reader which
 * stops at the first: it is rejected with reason {@value #MALFORMED} and the reader's {@code file:line} message.
 *
 * <p>From a user's own code: {@code new PrepareJob(() -> new PrepareOptions().seed(7)).run(rows)} over a
 * {@code Dataset<Row>} with the columns of {@link Records#LOCATED} ({@link #read} makes one from files), and
 * {@link Result#kept()} / {@link Result#rejects()} / {@link Result#summary()} out.
 */
public final class PrepareJob implements Serializable {
    private static final long serialVersionUID = 1L;
    /** The reject reason of a record the reader could not parse. */
    public static final String MALFORMED = "malformed";

    private static final int FIRST_EXAMPLE_COLUMN = Records.PROVENANCE.length;

    /** After the per-row stage: provenance, the transformed example, what changed it, the verdict so far, the keys. */
    static final StructType CLEANED = Records.struct(Records.PROVENANCE, Records.EXAMPLE,
            DataTypes.createStructField("changed", DataTypes.createArrayType(DataTypes.StringType, false), false),
            DataTypes.createStructField("reason", DataTypes.StringType, true),
            DataTypes.createStructField("detail", DataTypes.StringType, true),
            DataTypes.createStructField("exact_key", DataTypes.LongType, false),
            DataTypes.createStructField("near_key", DataTypes.LongType, false),
            DataTypes.createStructField("split_key", DataTypes.LongType, false),
            DataTypes.createStructField("split", DataTypes.StringType, true));

    private final Function0<PrepareOptions> options;

    /**
     * @param options builds the settings; called on the driver and once per partition on the executors (which
     *                is where a {@code --tokenizer} is loaded), so it must be serializable and give equal settings
     */
    public PrepareJob(Function0<PrepareOptions> options) {
        this.options = options;
    }

    /** The records of {@code paths} (files, directories or globs on any Hadoop file system) as located rows. */
    public static Dataset<Row> read(SparkSession spark, List<String> paths, String format) throws java.io.IOException {
        var conf = spark.sparkContext().hadoopConfiguration();
        return InputFiles.read(spark, InputFiles.list(conf, paths, format == null ? null : InputFiles.Format.parse(format)));
    }

    /** The outcome of a run: every record with its split or reject reason, persisted until {@link #close}. */
    public static final class Result implements AutoCloseable {
        private final Dataset<Row> cleaned;
        private final Dataset<Row> decided;
        private final PrepareRules rules;

        Result(Dataset<Row> cleaned, Dataset<Row> decided, PrepareRules rules) {
            this.cleaned = cleaned;
            this.decided = decided;
            this.rules = rules;
        }

        /** Every record: provenance, the (transformed) example, {@code split} (kept) or {@code reason}/{@code detail}. */
        public Dataset<Row> all() {
            return decided;
        }

        /** Kept records with their {@code split} (train, valid, test). */
        public Dataset<Row> kept() {
            return decided.filter(col("split").isNotNull()).drop("reason", "detail");
        }

        /** Kept records of one split. */
        public Dataset<Row> split(Split split) {
            return kept().filter(col("split").equalTo(splitName(split))).drop("split");
        }

        /** Dropped records with {@code reason} (the rule's name, or {@value #MALFORMED}) and {@code detail}. */
        public Dataset<Row> rejects() {
            return decided.filter(col("reason").isNotNull()).drop("split");
        }

        /** The counts of summary.json (a few aggregations over the persisted result). */
        public PrepareSummary summary() {
            PrepareSummary summary = rules.newSummary();
            summary.countRead(cleaned.count());
            for (Row r : cleaned.select(explode(col("changed")).as("t")).groupBy("t").count().collectAsList()) {
                summary.countChanged(r.getString(0), r.getLong(1));
            }
            List<Row> byReason = decided.filter(col("reason").isNotNull()).groupBy("reason").count().collectAsList();
            for (String rule : rules.ruleNames()) {
                for (Row r : byReason) if (r.getString(0).equals(rule)) summary.countRejected(rule, r.getLong(1));
            }
            for (Row r : byReason) if (r.getString(0).equals(MALFORMED)) summary.countRejected(MALFORMED, r.getLong(1));
            for (Row r : decided.filter(col("split").isNotNull()).groupBy("split", "src_lang", "tgt_lang").count().collectAsList()) {
                String pair = ParallelExample.of("", "", r.getString(1), r.getString(2)).languagePair();
                summary.countKept(Split.valueOf(r.getString(0).toUpperCase(Locale.ROOT)), pair, r.getLong(3));
            }
            return summary;
        }

        @Override
        public void close() {
            decided.unpersist();
            cleaned.unpersist();
        }
    }

    /**
     * {@code hymt prepare IN... --out DIR} on Spark: {@code DIR/train}, {@code valid}, {@code test} and
     * {@code rejects} (directories of JSONL part files, in input order: their parts concatenated in name order are
     * local prepare's files) and {@code DIR/summary.json}, written last.
     */
    public PrepareSummary write(SparkSession spark, List<String> inputs, String format, String outDir, boolean force) throws Exception {
        long start = System.nanoTime();
        var conf = spark.sparkContext().hadoopConfiguration();
        Outputs.check(conf, outDir, inputs, force);
        try (Result result = run(read(spark, inputs, format))) {
            for (Split s : Split.values()) {
                Outputs.writeLines(inOrder(result.split(s)).map((MapFunction<Row, String>) PrepareJob::keptLine, Encoders.STRING()),
                        outDir + "/" + splitName(s), force);
            }
            Outputs.writeLines(inOrder(result.rejects()).map((MapFunction<Row, String>) PrepareJob::rejectLine, Encoders.STRING()),
                    outDir + "/rejects", force);
            PrepareSummary summary = result.summary();
            summary.seconds((System.nanoTime() - start) / 1e9);
            Outputs.writeFile(conf, outDir + "/" + dev.hymt4j.data.Preparer.SUMMARY, summary.toJson());
            return summary;
        }
    }

    private static Dataset<Row> inOrder(Dataset<Row> rows) {
        return rows.orderBy("file_index", "line");
    }

    static String splitName(Split split) {
        return split.name().toLowerCase(Locale.ROOT);
    }

    /** Cleans, deduplicates and splits {@code located} (the columns of {@link Records#LOCATED}). */
    public Result run(Dataset<Row> located) throws Exception {
        PrepareRules rules = new PrepareRules(options.call());
        Function0<PrepareOptions> settings = options;
        Dataset<Row> cleaned = located.select(columnsOf(Records.LOCATED)).mapPartitions(
                (MapPartitionsFunction<Row, Row>) rows -> new Cleaner(new PrepareRules(settings.call()), rows),
                Encoders.row(CLEANED)).persist(StorageLevel.MEMORY_AND_DISK());
        Dataset<Row> decided = deduplicate(cleaned, rules);
        if (rules.fixedSizeSplit()) decided = splitFixedSizes(decided, rules);
        List<Column> out = new ArrayList<>(List.of(columnsOf(Records.LOCATED, "error")));
        for (String c : List.of("split", "reason", "detail")) out.add(col(c));
        return new Result(cleaned, decided.select(out.toArray(Column[]::new)).persist(StorageLevel.MEMORY_AND_DISK()), rules);
    }

    private static Column[] columnsOf(StructType type, String... except) {
        List<Column> cols = new ArrayList<>();
        for (String name : type.fieldNames()) if (!List.of(except).contains(name)) cols.add(col(name));
        return cols.toArray(Column[]::new);
    }

    /** The per-row stage over one partition, with one set of rule objects. */
    private static final class Cleaner implements Iterator<Row> {
        private final PrepareRules rules;
        private final Iterator<Row> rows;
        private final DuplicateRule exact;
        private final DuplicateRule near;

        Cleaner(PrepareRules rules, Iterator<Row> rows) {
            this.rules = rules;
            this.rows = rows;
            this.exact = rules.exactDuplicates();
            this.near = rules.nearDuplicates();
        }

        @Override public boolean hasNext() { return rows.hasNext(); }

        @Override
        public Row next() {
            Row in = rows.next();
            Object[] v = new Object[CLEANED.size()];
            for (int i = 0; i < FIRST_EXAMPLE_COLUMN; i++) v[i] = in.get(i);
            String error = in.getString(Records.LOCATED.fieldIndex("error"));
            int after = FIRST_EXAMPLE_COLUMN + Records.EXAMPLE.length;
            if (error != null) {
                v[after] = scala.jdk.javaapi.CollectionConverters.asScala(List.<String>of()).toList();
                v[after + 1] = MALFORMED;
                v[after + 2] = error;
                v[after + 3] = 0L;
                v[after + 4] = 0L;
                v[after + 5] = 0L;
                return RowFactory.create(v);
            }
            PrepareRules.Outcome outcome = rules.clean(Records.example(in, FIRST_EXAMPLE_COLUMN));
            ParallelExample ex = outcome.example();
            System.arraycopy(Records.values(ex), 0, v, FIRST_EXAMPLE_COLUMN, Records.EXAMPLE.length);
            v[after] = scala.jdk.javaapi.CollectionConverters.asScala(outcome.changedBy()).toList();
            if (outcome.rejection() != null) {
                v[after + 1] = outcome.rejection().rule();
                v[after + 2] = outcome.rejection().detail();
            }
            v[after + 3] = exact == null ? 0L : exact.key(ex);
            v[after + 4] = near == null ? 0L : near.key(ex);
            long splitKey = rules.splitKey(ex);
            v[after + 5] = splitKey;
            if (outcome.rejection() == null && !rules.fixedSizeSplit()) v[after + 6] = splitName(rules.splitByRatio(splitKey));
            return RowFactory.create(v);
        }
    }

    /**
     * Global first-occurrence deduplication of the records no per-row rule dropped: one shuffle on the group key,
     * each group in input order. Records dropped earlier pass through unchanged.
     */
    private static Dataset<Row> deduplicate(Dataset<Row> cleaned, PrepareRules rules) {
        DuplicateRule exact = rules.exactDuplicates();
        DuplicateRule near = rules.nearDuplicates();
        if (exact == null && near == null) return cleaned;
        Dataset<Row> candidates = cleaned.filter(col("reason").isNull());
        Dataset<Row> dropped = cleaned.filter(col("reason").isNotNull());
        String group = near != null ? "near_key" : "exact_key";
        WindowSpec inOrder = Window.partitionBy(group).orderBy("file_index", "line");
        Column repeat = row_number().over(inOrder).gt(1);
        Column reason;
        Column detail;
        if (near == null) {
            reason = lit(exact.name());
            detail = lit(exact.detail());
        } else {
            Column sameExact = exact == null ? lit(false) : col("exact_key").equalTo(first("exact_key").over(inOrder));
            reason = when(sameExact, lit(exact == null ? "" : exact.name())).otherwise(lit(near.name()));
            detail = when(sameExact, lit(exact == null ? "" : exact.detail())).otherwise(lit(near.detail()));
        }
        Dataset<Row> decided = candidates
                .withColumn("reason", when(repeat, reason))
                .withColumn("detail", when(repeat, detail));
        decided = decided.withColumn("split", when(col("reason").isNull(), col("split")));
        return dropped.unionByName(decided);
    }

    /** Fixed-size valid/test: the smallest split keys of the kept records, merged partition by partition. */
    private static Dataset<Row> splitFixedSizes(Dataset<Row> decided, PrepareRules rules) {
        // The closure is deserialised by each task, so every partition offers to its own fresh copy of this one.
        FixedSizeSplitter empty = rules.newFixedSizeSplitter();
        Dataset<Long> keys = decided.filter(col("reason").isNull()).select("split_key").as(Encoders.LONG());
        Dataset<Long> smallest = keys.mapPartitions((MapPartitionsFunction<Long, Long>) it -> {
            while (it.hasNext()) empty.offer(it.next());
            return empty.smallestKeys().iterator();
        }, Encoders.LONG());
        FixedSizeSplitter splitter = rules.newFixedSizeSplitter();
        for (long k : smallest.collectAsList()) splitter.offer(k);
        splitter.seal();
        Broadcast<FixedSizeSplitter> sealed = decided.sparkSession().sparkContext()
                .broadcast(splitter, scala.reflect.ClassTag$.MODULE$.apply(FixedSizeSplitter.class));
        int splitColumn = CLEANED.fieldIndex("split");
        int keyColumn = CLEANED.fieldIndex("split_key");
        int reasonColumn = CLEANED.fieldIndex("reason");
        return decided.select(columnsOf(CLEANED)).map((MapFunction<Row, Row>) r -> {
            if (!r.isNullAt(reasonColumn)) return r;
            Object[] v = new Object[r.size()];
            for (int i = 0; i < v.length; i++) v[i] = r.get(i);
            v[splitColumn] = splitName(sealed.value().route(r.getLong(keyColumn)));
            return RowFactory.create(v);
        }, Encoders.row(CLEANED));
    }

    /** The rejects line of a row of {@link Result#rejects()}: local prepare's layout; a malformed record has no pair. */
    static String rejectLine(Row r) {
        String file = r.getString(r.fieldIndex("file"));
        long line = r.getLong(r.fieldIndex("line"));
        String reason = r.getString(r.fieldIndex("reason"));
        String detail = r.getString(r.fieldIndex("detail"));
        if (reason.equals(MALFORMED)) {
            ObjectNode json = new ObjectMapper().createObjectNode();
            json.put("file", file).put("line", line).put("reason", reason).put("detail", detail);
            return json.toString();
        }
        return JsonlWriter.rejectLine(new LocatedExample(Records.example(r, FIRST_EXAMPLE_COLUMN), file, line), reason, detail);
    }

    /** The split-file line of a kept row: local prepare's layout. */
    static String keptLine(Row r) {
        return JsonlWriter.line(Records.example(r, FIRST_EXAMPLE_COLUMN));
    }
}
