package dev.hymt4j.spark;

import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hymt4j.cli.Hymt;
import dev.hymt4j.cli.TranslationOptions;
import dev.hymt4j.prompt.GlossaryEntry;
import dev.hymt4j.prompt.TranslationRequest;
import dev.hymt4j.translate.Translation;
import dev.hymt4j.translate.PendingTranslation;
import dev.hymt4j.translate.Translator;
import dev.hymt4j.translate.TranslatorOptions;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;

/**
 * {@code hymt translate --in/--out} as a Spark job: a text column translated with the official templates, row for
 * row the same output as {@code hymt translate} on one machine.
 *
 * <ul>
 *   <li>Only the model's name ships; each executor JVM loads (memory-maps) it once and runs one continuous-batching
 *       engine for all its tasks ({@link ExecutorTranslator}, {@link ModelSource}), computing with the executor's
 *       task slots × {@code spark.task.cpus} threads.</li>
 *   <li>A partition's rows stream through the engine, a bounded window of them in flight: no partition is ever
 *       held whole, and the rows of all the executor's tasks share its batches.</li>
 *   <li>A row that cannot be translated (no text, a glossary with context, a prompt the model cannot take, a
 *       failure in generation) gets its message in the error column and no translation; the job goes on. Rows
 *       whose error column is already set (a malformed input line) pass through untranslated.</li>
 *   <li>Writers go through Spark's output committer ({@link Outputs}), so a retried task's rows appear once.</li>
 *   <li>Accumulators in the Spark UI: {@value #ROWS}, {@value #FAILED}, {@value #PROMPT_TOKENS}, {@value #GENERATED_TOKENS},
 *       {@value #TOKENS_PER_SECOND} (generated tokens per second of translating, summed over tasks).</li>
 * </ul>
 * From a user's own code: {@code new TranslateJob(model, options, glossary, columns).translate(rows)} over any
 * {@code Dataset<Row>} with a string text column; the result is the same rows plus the output and error columns.
 */
public final class TranslateJob implements Serializable {
    private static final long serialVersionUID = 1L;
    static final String ROWS = "hymt rows translated";
    static final String FAILED = "hymt rows failed";
    static final String PROMPT_TOKENS = "hymt prompt tokens";
    static final String GENERATED_TOKENS = "hymt generated tokens";
    static final String TOKENS_PER_SECOND = "hymt generated tokens/s per task";

    /** Rows a task keeps in flight, in batches: enough that the engine always has a full batch from it. */
    private static final int WINDOW_BATCHES = 2;

    /**
     * Which columns hold what. {@code glossary} (array of {source, target} structs), {@code context} (string) and
     * {@code formatted} (boolean) are optional (null); {@code output} and {@code error} are added.
     */
    public record Columns(String text, String glossary, String context, String formatted, String output, String error)
            implements Serializable {
        public static Columns of(String text) {
            return new Columns(text, null, null, null, "translation", "error");
        }

        public Columns withGlossary(String c) { return new Columns(text, c, context, formatted, output, error); }

        public Columns withContext(String c) { return new Columns(text, glossary, c, formatted, output, error); }

        public Columns withFormatted(String c) { return new Columns(text, glossary, context, c, output, error); }

        public Columns withOutput(String out, String err) { return new Columns(text, glossary, context, formatted, out, err); }
    }

    private final String model;
    private final TranslationOptions options;
    private final String[][] glossary;
    private final Columns columns;
    private Metrics metrics;

    /**
     * @param model    a path every executor can read, a Hadoop URI, a name shipped with {@code --archives}, or a
     *                 hub repo id (see {@link ModelSource})
     * @param options  the {@code hymt translate} options (target language, decoding, …)
     * @param glossary terms for every row ({@code --term}, {@code --glossary}), read on the driver; rows may add their own
     */
    public TranslateJob(String model, TranslationOptions options, List<GlossaryEntry> glossary, Columns columns) {
        this.model = model;
        this.options = options;
        this.glossary = glossary.stream().map(g -> new String[] {g.sourceTerm(), g.targetTerm()}).toArray(String[][]::new);
        this.columns = columns;
    }

    /** The accumulators of the last {@link #translate} (their values are final once its action has run). */
    public record Metrics(LongAccumulator rows, LongAccumulator failed, LongAccumulator promptTokens,
                          LongAccumulator generatedTokens, ThroughputAccumulator tokensPerSecond) implements Serializable {}

    public Metrics metrics() {
        return metrics;
    }

    /** {@code in} plus the output and error columns (lazy: the translation runs when an action needs it). */
    public Dataset<Row> translate(Dataset<Row> in) {
        StructType schema = in.schema();
        int text = column(schema, columns.text(), DataTypes.StringType);
        int terms = columns.glossary() == null ? -1 : column(schema, columns.glossary(), null);
        int context = columns.context() == null ? -1 : column(schema, columns.context(), DataTypes.StringType);
        int formatted = columns.formatted() == null ? -1 : column(schema, columns.formatted(), DataTypes.BooleanType);
        if (Arrays.asList(schema.fieldNames()).contains(columns.output())) {
            throw new IllegalArgumentException("the input already has a column \"" + columns.output() + "\"; name the output another way");
        }
        boolean hasError = Arrays.asList(schema.fieldNames()).contains(columns.error());
        StructType out = schema.add(columns.output(), DataTypes.StringType, true);
        if (!hasError) out = out.add(columns.error(), DataTypes.StringType, true);
        int outputIndex = out.fieldIndex(columns.output());
        int errorIndex = out.fieldIndex(columns.error());
        var sc = in.sparkSession().sparkContext();
        metrics = new Metrics(sc.longAccumulator(ROWS), sc.longAccumulator(FAILED), sc.longAccumulator(PROMPT_TOKENS),
                sc.longAccumulator(GENERATED_TOKENS),
                ThroughputAccumulator.register(sc, TOKENS_PER_SECOND));
        Metrics m = metrics;
        RowLayout layout = new RowLayout(out, text, terms, context, formatted, outputIndex, errorIndex, schema.size());
        return in.mapPartitions((MapPartitionsFunction<Row, Row>) rows -> new TranslatedRows(this, layout, m, rows),
                Encoders.row(out));
    }

    /** Positions of the columns a task reads and writes. */
    private record RowLayout(StructType schema, int text, int terms, int context, int formatted, int output, int error,
                             int inputWidth) implements Serializable {
        int width() {
            return schema.size();
        }
    }

    private static int column(StructType schema, String name, DataType expected) {
        if (!Arrays.asList(schema.fieldNames()).contains(name)) {
            throw new IllegalArgumentException("no column \"" + name + "\"; columns: " + String.join(", ", schema.fieldNames()));
        }
        StructField f = schema.apply(name);
        boolean ok = expected != null ? f.dataType().equals(expected)
                : f.dataType() instanceof ArrayType a && a.elementType() instanceof StructType s
                        && Arrays.asList(s.fieldNames()).containsAll(List.of("source", "target"));
        if (!ok) {
            throw new IllegalArgumentException("column \"" + name + "\": expected "
                    + (expected != null ? expected.simpleString() : "array<struct<source:string,target:string>>")
                    + ", got " + f.dataType().simpleString());
        }
        return schema.fieldIndex(name);
    }

    /** The engine threads of this executor: its task slots × {@code spark.task.cpus}, i.e. its cores. */
    static int engineThreads() {
        int taskCpus = TaskContext.get() != null ? TaskContext.get().cpus() : 1;
        var conf = SparkEnv.get().conf();
        int cores;
        if (conf.contains("spark.executor.cores")) {
            cores = conf.getInt("spark.executor.cores", 1);
        } else {
            // Local mode (local[N], local[N,F], local[*]) runs N task threads in this JVM; elsewhere all the node's cores.
            String master = conf.get("spark.master", "");
            var m = java.util.regex.Pattern.compile("local\\[(\\d+|\\*)").matcher(master);
            cores = m.lookingAt() && !m.group(1).equals("*") ? Integer.parseInt(m.group(1)) : Runtime.getRuntime().availableProcessors();
        }
        int slots = Math.max(1, cores / taskCpus);
        return slots * taskCpus;
    }

    /**
     * One partition's rows with their translations, streamed through the executor's engine: up to
     * {@code window} rows are in flight (submitted, not yet handed on), results leave in row order. A task that
     * ends early (failed, killed) cancels what it still has in flight, freeing the engine for the retry.
     */
    private static final class TranslatedRows implements Iterator<Row> {
        private final TranslateJob job;
        private final RowLayout layout;
        private final Metrics metrics;
        private final Iterator<Row> rows;
        private final int window;
        private final java.util.ArrayDeque<InFlight> inFlight = new java.util.ArrayDeque<>();
        private Translator translator;
        private long lastEmit = System.nanoTime();

        /** A row's values and its translation being computed (null when the row failed before submission). */
        private record InFlight(Object[] values, PendingTranslation pending) {}

        TranslatedRows(TranslateJob job, RowLayout layout, Metrics metrics, Iterator<Row> rows) {
            this.job = job;
            this.layout = layout;
            this.metrics = metrics;
            this.rows = rows;
            this.window = Math.max(1, job.options.batchSize()) * WINDOW_BATCHES;
            TaskContext task = TaskContext.get();
            if (task != null) task.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) ctx -> cancelInFlight());
        }

        @Override
        public boolean hasNext() {
            while (inFlight.size() < window && rows.hasNext()) inFlight.add(submit(rows.next()));
            return !inFlight.isEmpty();
        }

        @Override
        public Row next() {
            if (!hasNext()) throw new NoSuchElementException();
            InFlight head = inFlight.poll();
            Object[] v = head.values();
            if (head.pending() != null) {
                try {
                    Translation t = head.pending().result().get();
                    v[layout.output()] = t.text();
                    metrics.rows().add(1);
                    metrics.promptTokens().add(t.promptTokens());
                    metrics.generatedTokens().add(t.generatedTokens());
                    long now = System.nanoTime();
                    metrics.tokensPerSecond().add(new long[] {t.generatedTokens(), now - lastEmit});
                    lastEmit = now;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while translating (task killed)", e);
                } catch (java.util.concurrent.ExecutionException e) {
                    v[layout.error()] = Hymt.describe(e.getCause() instanceof Exception c ? c : e);
                }
            }
            if (v[layout.error()] != null) metrics.failed().add(1);
            // With its schema: Spark may hand these rows straight to the next map, which reads columns by name.
            return new org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema(v, layout.schema());
        }

        private InFlight submit(Row r) {
            Object[] v = new Object[layout.width()];
            for (int i = 0; i < layout.inputWidth(); i++) v[i] = r.get(i);
            if (v[layout.error()] != null) return new InFlight(v, null);
            Translator t = translator(); // a model that cannot be loaded fails the task, not the row
            try {
                return new InFlight(v, t.submit(job.request(r, layout), t.generation(), null, null));
            } catch (IllegalArgumentException e) { // the row's own fault: no text, terms with context, a prompt too long
                v[layout.error()] = Hymt.describe(e);
                return new InFlight(v, null);
            }
        }

        private void cancelInFlight() {
            for (InFlight f : inFlight) if (f.pending() != null) f.pending().cancel();
            inFlight.clear();
        }

        private Translator translator() {
            if (translator == null) {
                int threads = engineThreads();
                TranslatorOptions engine = job.options.translatorOptions().withThreads(threads);
                try {
                    translator = job.options.configure(ExecutorTranslator.get(job.model, engine));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e.getMessage(), e);
                }
            }
            return translator;
        }
    }

    /** The request of one row: its text, the shared and the row's own terms, the row's context and mode. */
    private TranslationRequest request(Row r, RowLayout layout) {
        if (r.isNullAt(layout.text())) throw new IllegalArgumentException("no text: column \"" + columns.text() + "\" is null");
        List<GlossaryEntry> terms = new ArrayList<>(glossary.length);
        for (String[] g : glossary) terms.add(new GlossaryEntry(g[0], g[1]));
        if (layout.terms() >= 0 && !r.isNullAt(layout.terms())) {
            for (Row t : r.<Row>getList(layout.terms())) {
                if (t == null || t.isNullAt(t.fieldIndex("source")) || t.isNullAt(t.fieldIndex("target"))) {
                    throw new IllegalArgumentException("column \"" + columns.glossary() + "\": a term without source or target");
                }
                terms.add(new GlossaryEntry(t.getString(t.fieldIndex("source")), t.getString(t.fieldIndex("target"))));
            }
        }
        String context = layout.context() >= 0 && !r.isNullAt(layout.context()) ? r.getString(layout.context()) : null;
        boolean formatted = layout.formatted() >= 0 && !r.isNullAt(layout.formatted()) && r.getBoolean(layout.formatted());
        return options.request(r.getString(layout.text()), terms, context, formatted);
    }

    // ---- hymt translate --in/--out on Spark ----

    /** The output layouts of the command: text (as {@code hymt translate --out}), JSONL or Parquet rows. */
    public enum OutputFormat { TEXT, JSONL, PARQUET }

    /**
     * {@code --in PATH}, as {@code hymt translate} reads it: a {@code .jsonl} file's {@code columns.text()} field
     * (blank lines skipped; a bad line gets an error instead of stopping the job), a Parquet file's column, or every
     * line of any other text file. Rows come range-partitioned into {@code partitions} in input order, with
     * {@code _file_index}, {@code _file} and {@code _line}.
     */
    public Dataset<Row> read(SparkSession spark, String in, int partitions) throws java.io.IOException {
        var conf = spark.sparkContext().hadoopConfiguration();
        List<InputFiles.InputFile> files = InputFiles.list(conf, List.of(in), InputFiles.Format::forTranslation);
        Dataset<Row> rows;
        if (files.stream().allMatch(f -> f.format() == InputFiles.Format.PARQUET)) {
            rows = InputFiles.parquetWithPosition(spark, files);
        } else if (files.stream().anyMatch(f -> f.format() == InputFiles.Format.PARQUET)) {
            throw new IllegalArgumentException(in + ": mixes Parquet with text files; translate them separately");
        } else {
            var jsc = org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext());
            Columns c = columns;
            rows = spark.createDataFrame(InputFiles.readLines(jsc, files, (f, line, text) -> lineRow(f, line, text, c)), lineSchema());
        }
        return rows.repartitionByRange(partitions, col("_file_index"), col("_line"));
    }

    /** The columns of a text or JSONL input row. */
    private StructType lineSchema() {
        StructType s = new StructType()
                .add("_file_index", DataTypes.IntegerType, false).add("_file", DataTypes.StringType, false)
                .add("_line", DataTypes.LongType, false).add("_record", DataTypes.StringType, true)
                .add(columns.text(), DataTypes.StringType, true);
        if (columns.glossary() != null) s = s.add(columns.glossary(), DataTypes.createArrayType(Records.TERM, true), true);
        if (columns.context() != null) s = s.add(columns.context(), DataTypes.StringType, true);
        if (columns.formatted() != null) s = s.add(columns.formatted(), DataTypes.BooleanType, true);
        return s.add(columns.error(), DataTypes.StringType, true);
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A text line is the text; a JSONL line is an object whose fields fill the columns (or an error). */
    private static Row lineRow(InputFiles.InputFile f, long line, String text, Columns c) {
        boolean jsonl = f.format() == InputFiles.Format.JSONL;
        List<Object> v = new ArrayList<>(List.of(f.index(), f.name(), line));
        int optional = (c.glossary() != null ? 1 : 0) + (c.context() != null ? 1 : 0) + (c.formatted() != null ? 1 : 0);
        if (!jsonl) {
            v.add(null);
            v.add(text);
            for (int i = 0; i < optional; i++) v.add(null);
            v.add(null);
            return RowFactory.create(v.toArray());
        }
        if (text.isBlank()) return null;
        v.add(text);
        String where = f.name() + ":" + line + ": ";
        try {
            JsonNode n = JSON.readTree(text);
            if (!n.isObject()) throw new IllegalArgumentException(where + "expected a JSON object");
            v.add(textField(n, c.text(), where));
            if (c.glossary() != null) v.add(terms(n.get(c.glossary()), c.glossary(), where));
            if (c.context() != null) v.add(textField(n, c.context(), where));
            if (c.formatted() != null) {
                JsonNode b = n.get(c.formatted());
                if (b != null && !b.isNull() && !b.isBoolean()) throw new IllegalArgumentException(where + "field \"" + c.formatted() + "\": expected true or false");
                v.add(b == null || b.isNull() ? null : b.booleanValue());
            }
            v.add(null);
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            String message = e instanceof com.fasterxml.jackson.core.JsonProcessingException j
                    ? where + "not valid JSON (" + j.getOriginalMessage() + ")" : e.getMessage();
            v = new ArrayList<>(List.of(f.index(), f.name(), line, text));
            for (int i = 0; i < 1 + optional; i++) v.add(null);
            v.add(message);
        }
        return RowFactory.create(v.toArray());
    }

    private static String textField(JsonNode n, String field, String where) {
        JsonNode value = n.get(field);
        if (value == null || value.isNull()) return null;
        if (!value.isTextual()) throw new IllegalArgumentException(where + "field \"" + field + "\": expected a string");
        return value.textValue();
    }

    private static scala.collection.immutable.Seq<Row> terms(JsonNode node, String field, String where) {
        List<Row> out = new ArrayList<>();
        if (node != null && !node.isNull()) {
            if (!node.isArray()) throw new IllegalArgumentException(where + "field \"" + field + "\": expected an array of terms");
            for (JsonNode t : node) {
                JsonNode s = t.isArray() ? t.get(0) : t.get("source");
                JsonNode g = t.isArray() ? t.get(1) : t.get("target");
                if (s == null || g == null || !s.isTextual() || !g.isTextual()) {
                    throw new IllegalArgumentException(where + "field \"" + field + "\": expected {\"source\",\"target\"} or [source, target] terms");
                }
                out.add(RowFactory.create(s.textValue(), g.textValue()));
            }
        }
        return scala.jdk.javaapi.CollectionConverters.asScala(out).toList();
    }

    /** Reads {@code in}, translates it and writes {@code out} ({@link #write(Dataset, String, OutputFormat, boolean)}). */
    public long write(SparkSession spark, String in, String out, OutputFormat format, int partitions, boolean force) throws Exception {
        Outputs.check(spark.sparkContext().hadoopConfiguration(), out, List.of(in), force);
        return write(translate(read(spark, in, partitions)), out, format, force);
    }

    /**
     * Writes rows of {@link #translate} over {@link #read}: TEXT is {@code hymt translate --out}'s layout (one
     * translation per line, line breaks as spaces, an empty line for a failed row) with the failures listed in
     * {@code out/_errors} (JSONL: file, line, error); JSONL adds the output and error fields to each input object
     * (a line that was not JSON gets file and line); PARQUET writes the input columns plus the output and error
     * columns. Rows stream from the translator into the writer, so a task's output grows as it translates and
     * only a committed attempt's output is kept. Returns the number of failed rows.
     *
     * <p>The TEXT error listing is a second pass over the same rows, which translates them again: it runs only when
     * some row failed; JSONL and Parquet keep the errors in their rows and need no second pass.
     */
    public long write(Dataset<Row> translated, String out, OutputFormat format, boolean force) {
        String output = columns.output();
        String error = columns.error();
        switch (format) {
            case TEXT -> Outputs.writeLines(translated.map((MapFunction<Row, String>) r -> {
                String t = r.getAs(output);
                return t == null ? "" : t.replace('\n', ' ');
            }, Encoders.STRING()), out, force);
            case JSONL -> Outputs.writeLines(translated.map((MapFunction<Row, String>) r -> jsonLine(r, output, error), Encoders.STRING()), out, force);
            case PARQUET -> translated.drop("_file_index", "_file", "_line", "_record").write()
                    .mode(force ? org.apache.spark.sql.SaveMode.Overwrite : org.apache.spark.sql.SaveMode.ErrorIfExists).parquet(out);
        }
        // Only successful task attempts merge their accumulator updates, so this counts each row once.
        long failed = metrics.failed().value();
        if (failed > 0 && format == OutputFormat.TEXT) {
            Outputs.writeLines(translated.filter(col(error).isNotNull()).map((MapFunction<Row, String>) r -> {
                ObjectNode n = JSON.createObjectNode();
                n.put("file", r.<String>getAs("_file")).put("line", r.<Long>getAs("_line")).put("error", r.<String>getAs(error));
                return n.toString();
            }, Encoders.STRING()), out + "/_errors", force);
        }
        return failed;
    }

    /** The input JSON object with the output and error fields added; a line that was not JSON keeps file and line. */
    private static String jsonLine(Row r, String output, String error) throws java.io.IOException {
        ObjectNode n;
        String record = r.getAs("_record");
        JsonNode parsed = null;
        try {
            parsed = record == null ? null : JSON.readTree(record);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            parsed = null;
        }
        if (parsed instanceof ObjectNode o) {
            n = o;
        } else {
            n = JSON.createObjectNode();
            n.put("file", r.<String>getAs("_file")).put("line", r.<Long>getAs("_line"));
        }
        String t = r.getAs(output);
        if (t != null) n.put(output, t);
        String e = r.getAs(error);
        if (e != null) n.put(error, e);
        return n.toString();
    }
}
