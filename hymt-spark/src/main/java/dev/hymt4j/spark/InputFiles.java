package dev.hymt4j.spark;

import dev.hymt4j.data.DataFormat;
import dev.hymt4j.data.DataFormatException;
import dev.hymt4j.data.ExampleReader;
import dev.hymt4j.data.LocatedExample;
import dev.hymt4j.data.ParallelExample;
import dev.hymt4j.data.TemplatePromptCodec;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.lib.input.FileSplit;
import org.apache.hadoop.mapreduce.lib.input.TextInputFormat;
import org.apache.spark.api.java.JavaNewHadoopRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.Tuple2;

/**
 * Input files on any Hadoop file system, read into {@link Records#LOCATED} rows with the file names and line
 * numbers {@code hymt prepare} reports. A path may be a file, a directory (its files, except Spark's {@code _*} and
 * hidden ones) or a glob; files are taken in the order of the paths, each path's files sorted by name, and that
 * order is the {@code file_index} deduplication's "first occurrence" follows.
 *
 * <p>JSONL and TSV are split by Hadoop's line reader; line numbers come from a first, cheap pass that counts the
 * lines of each split, so a huge file is read in parallel and still reports its true line numbers. Each line is
 * parsed by {@link DataFormat#parseLine}, the local readers' code. Parquet rows are numbered by
 * {@code _metadata.row_index}; sharegpt JSON is read whole per file by the local reader.
 */
final class InputFiles {
    private InputFiles() {}

    /** What a file holds: a local pair format, Parquet (columns named as the JSONL fields), or plain text lines. */
    enum Format {
        JSONL, TSV, SHAREGPT, PARQUET, TEXT;

        /** The {@code --format} value: {@code jsonl}, {@code tsv}, {@code json} or {@code sharegpt}, {@code parquet}. */
        static Format parse(String name) {
            return switch (name.toLowerCase(Locale.ROOT)) {
                case "jsonl" -> JSONL;
                case "tsv" -> TSV;
                case "json", "sharegpt" -> SHAREGPT;
                case "parquet" -> PARQUET;
                default -> throw new IllegalArgumentException("--format " + name + ": expected jsonl, tsv, json (sharegpt) or parquet");
            };
        }

        /** The format a file's name implies, as {@link DataFormat#fromFileName}, plus {@code .parquet}. */
        static Format of(String fileName) {
            if (fileName.toLowerCase(Locale.ROOT).endsWith(".parquet")) return PARQUET;
            return valueOf(DataFormat.fromFileName(java.nio.file.Path.of(fileName)).name());
        }

        /** What {@code hymt translate --in} makes of a name: JSONL, Parquet, else one text per line. */
        static Format forTranslation(String fileName) {
            String name = fileName.toLowerCase(Locale.ROOT);
            if (name.endsWith(".parquet")) return PARQUET;
            if (name.endsWith(".jsonl") || name.endsWith(".jsonl.gz")) return JSONL;
            return TEXT;
        }

        DataFormat local() {
            return DataFormat.valueOf(name());
        }
    }

    /** One input file: its place in the input order, its full path and the format it is read as. */
    record InputFile(int index, String path, Format format) implements Serializable {
        String name() {
            return new Path(path).getName();
        }
    }

    /**
     * The files of {@code paths} in input order; a path that matches nothing is an error naming it. {@code format}
     * null guesses each file's format from its name.
     */
    static List<InputFile> list(Configuration conf, List<String> paths, Format format) throws IOException {
        return list(conf, paths, format != null ? name -> format : Format::of);
    }

    /** As {@link #list(Configuration, List, Format)}, each file's format given by {@code formatOfName}. */
    static List<InputFile> list(Configuration conf, List<String> paths, java.util.function.Function<String, Format> formatOfName)
            throws IOException {
        List<InputFile> files = new ArrayList<>();
        for (String p : paths) {
            Path path = new Path(p);
            FileSystem fs = path.getFileSystem(conf);
            FileStatus[] matches = fs.globStatus(path);
            if (matches == null || matches.length == 0) throw new FileNotFoundException(p + ": no such file or directory");
            List<FileStatus> found = new ArrayList<>();
            for (FileStatus m : matches) {
                if (m.isDirectory()) {
                    for (FileStatus child : fs.listStatus(m.getPath())) {
                        String name = child.getPath().getName();
                        if (child.isFile() && !name.startsWith("_") && !name.startsWith(".")) found.add(child);
                    }
                } else {
                    found.add(m);
                }
            }
            if (found.isEmpty()) throw new FileNotFoundException(p + ": no data files in the directory");
            found.sort(Comparator.comparing(s -> s.getPath().toString()));
            for (FileStatus s : found) {
                String name = s.getPath().getName();
                Format f;
                try {
                    f = formatOfName.apply(name);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(s.getPath() + ": cannot tell the format from the name;"
                            + " expected .jsonl, .tsv, .json or .parquet (or give --format)");
                }
                files.add(new InputFile(files.size(), s.getPath().toString(), f));
            }
        }
        return files;
    }

    /** All {@code files} as {@link Records#LOCATED} rows. */
    static Dataset<Row> read(SparkSession spark, List<InputFile> files) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<InputFile> lines = files.stream().filter(f -> f.format() == Format.JSONL || f.format() == Format.TSV).toList();
        List<InputFile> whole = files.stream().filter(f -> f.format() == Format.SHAREGPT).toList();
        List<InputFile> parquet = files.stream().filter(f -> f.format() == Format.PARQUET).toList();
        List<Dataset<Row>> parts = new ArrayList<>();
        if (!lines.isEmpty()) parts.add(spark.createDataFrame(readLines(jsc, lines, InputFiles::parsePair), Records.LOCATED));
        if (!whole.isEmpty()) parts.add(spark.createDataFrame(readWhole(jsc, whole), Records.LOCATED));
        if (!parquet.isEmpty()) parts.add(readParquet(spark, parquet));
        Dataset<Row> all = parts.get(0);
        for (int i = 1; i < parts.size(); i++) all = all.union(parts.get(i));
        return all;
    }

    // ---- JSONL / TSV: Hadoop splits, line numbers from a counting pass ----

    @SuppressWarnings("unchecked")
    private static JavaNewHadoopRDD<LongWritable, Text> textFile(JavaSparkContext jsc, InputFile f) {
        return (JavaNewHadoopRDD<LongWritable, Text>) jsc.newAPIHadoopFile(f.path(), TextInputFormat.class,
                LongWritable.class, Text.class, jsc.hadoopConfiguration());
    }

    /** What a line becomes: a row, or null to skip it (its number still counts). */
    interface LineRows extends Serializable {
        Row row(InputFile file, long line, String text);
    }

    /** A pair per non-blank line, parsed by the local readers' parser; a malformed one keeps its error. */
    private static Row parsePair(InputFile file, long line, String text) {
        if (text.isBlank()) return null;
        String name = file.name();
        try {
            return Records.located(file.index(), name, line, file.format().local().parseLine(text, name, line));
        } catch (DataFormatException e) {
            return Records.malformed(file.index(), name, line, e.getMessage());
        }
    }

    /** Every line of {@code files} through {@code rows}, with its true line number, in file and line order. */
    static JavaRDD<Row> readLines(JavaSparkContext jsc, List<InputFile> files, LineRows rows) {
        // Pass 1: lines per split, keyed "fileIndex:splitStart"; then each split's first line number.
        List<JavaRDD<Tuple2<String, Long>>> counts = new ArrayList<>();
        for (InputFile f : files) {
            counts.add(textFile(jsc, f).mapPartitionsWithInputSplit((split, it) -> {
                long n = 0;
                while (it.hasNext()) {
                    it.next();
                    n++;
                }
                return List.of(new Tuple2<>(f.index() + ":" + ((FileSplit) split).getStart(), n)).iterator();
            }, false));
        }
        Map<String, Long> firstLine = firstLines(jsc.union(counts.toArray(JavaRDD[]::new)).collect());
        Broadcast<Map<String, Long>> starts = jsc.broadcast(firstLine);
        // Pass 2: each line, numbered.
        List<JavaRDD<Row>> parts = new ArrayList<>();
        for (InputFile f : files) {
            parts.add(textFile(jsc, f).mapPartitionsWithInputSplit((split, it) -> {
                long line = starts.value().get(f.index() + ":" + ((FileSplit) split).getStart());
                return new NumberedLines(f, line, it, rows);
            }, false));
        }
        return jsc.union(parts.toArray(JavaRDD[]::new));
    }

    /** Split key → 1-based number of the split's first line (splits of one file in offset order). */
    private static Map<String, Long> firstLines(List<Tuple2<String, Long>> counts) {
        List<Tuple2<String, Long>> sorted = new ArrayList<>(counts);
        sorted.sort(Comparator.<Tuple2<String, Long>>comparingInt(t -> Integer.parseInt(t._1().split(":")[0]))
                .thenComparingLong(t -> Long.parseLong(t._1().split(":")[1])));
        Map<String, Long> first = new HashMap<>();
        int file = -1;
        long next = 1;
        for (Tuple2<String, Long> t : sorted) {
            int f = Integer.parseInt(t._1().split(":")[0]);
            if (f != file) {
                file = f;
                next = 1;
            }
            first.put(t._1(), next);
            next += t._2();
        }
        return first;
    }

    /** The rows of one split's lines, numbered from the split's first line. */
    private static final class NumberedLines implements Iterator<Row> {
        private final InputFile file;
        private final Iterator<Tuple2<LongWritable, Text>> lines;
        private final LineRows rows;
        private long line;
        private Row next;

        NumberedLines(InputFile file, long firstLine, Iterator<Tuple2<LongWritable, Text>> lines, LineRows rows) {
            this.file = file;
            this.lines = lines;
            this.rows = rows;
            this.line = firstLine - 1;
        }

        @Override
        public boolean hasNext() {
            while (next == null && lines.hasNext()) {
                next = rows.row(file, ++line, lines.next()._2().toString());
            }
            return next != null;
        }

        @Override
        public Row next() {
            if (!hasNext()) throw new java.util.NoSuchElementException();
            Row r = next;
            next = null;
            return r;
        }
    }

    // ---- sharegpt: one task per file, through the local reader ----

    private static JavaRDD<Row> readWhole(JavaSparkContext jsc, List<InputFile> files) {
        return jsc.parallelize(files, Math.max(1, files.size())).flatMap(f -> {
            // The local reader needs a local file; it keeps the original name, which the rejects report.
            java.nio.file.Path dir = Files.createTempDirectory("hymt-sharegpt");
            java.nio.file.Path local = dir.resolve(f.name());
            Path path = new Path(f.path());
            try (InputStream in = path.getFileSystem(new Configuration()).open(path)) {
                Files.copy(in, local, StandardCopyOption.REPLACE_EXISTING);
            }
            List<Row> rows = new ArrayList<>();
            try (ExampleReader reader = ExampleReader.open(local, DataFormat.SHAREGPT, TemplatePromptCodec.official())) {
                while (reader.hasNext()) {
                    LocatedExample at = reader.next();
                    rows.add(Records.located(f.index(), at.file(), at.line(), at.example()));
                }
            } catch (DataFormatException e) {
                // A broken JSON array cannot be read past: the record is reported and the rest of the file is lost.
                rows.add(Records.malformed(f.index(), e.file(), e.line(), e.getMessage() + " (rest of the file not read)"));
            } finally {
                Files.deleteIfExists(local);
                Files.deleteIfExists(dir);
            }
            return rows.iterator();
        });
    }

    // ---- Parquet: columns named as the JSONL fields ----

    /**
     * Parquet files with their rows' positions: the files' own columns plus {@code _file_index}, {@code _file} (name)
     * and {@code _line} (1-based row number in its file, from {@code _metadata.row_index}).
     */
    static Dataset<Row> parquetWithPosition(SparkSession spark, List<InputFile> files) {
        Map<String, Integer> index = new HashMap<>();
        for (InputFile f : files) index.put(new Path(f.path()).toUri().getPath(), f.index());
        Dataset<Row> df = spark.read().parquet(files.stream().map(InputFile::path).toArray(String[]::new));
        org.apache.spark.sql.api.java.UDF1<String, Integer> fileIndex = uri -> index.get(new Path(java.net.URI.create(uri)).toUri().getPath());
        org.apache.spark.sql.api.java.UDF1<String, String> fileName = uri -> new Path(java.net.URI.create(uri)).getName();
        return df.withColumn("_file_index", functions.udf(fileIndex, DataTypes.IntegerType).apply(functions.col("_metadata.file_path")))
                .withColumn("_file", functions.udf(fileName, DataTypes.StringType).apply(functions.col("_metadata.file_path")))
                .withColumn("_line", functions.col("_metadata.row_index").plus(1));
    }

    private static Dataset<Row> readParquet(SparkSession spark, List<InputFile> files) {
        Dataset<Row> df = parquetWithPosition(spark, files);
        StructType schema = df.schema();
        String where = files.get(0).path();
        for (String required : List.of("source", "target")) {
            if (!Arrays.asList(schema.fieldNames()).contains(required)) {
                throw new IllegalArgumentException(where + ": no \"" + required + "\" column; columns: " + String.join(", ", schema.fieldNames()));
            }
        }
        List<Column> columns = new ArrayList<>(List.of(functions.col("_file_index"), functions.col("_file"), functions.col("_line")));
        for (StructField f : Records.EXAMPLE) {
            if (Arrays.asList(schema.fieldNames()).contains(f.name())) {
                checkType(where, schema.apply(f.name()), f.dataType());
                columns.add(functions.col(f.name()).cast(f.dataType()).as(f.name()));
            } else {
                columns.add(functions.lit(null).cast(f.dataType()).as(f.name()));
            }
        }
        return df.select(columns.toArray(Column[]::new)).mapPartitions(
                (org.apache.spark.api.java.function.MapPartitionsFunction<Row, Row>) it -> new Iterator<>() {
                    @Override public boolean hasNext() { return it.hasNext(); }

                    @Override public Row next() { return locate(it.next()); }
                }, org.apache.spark.sql.Encoders.row(Records.LOCATED));
    }

    /** A Parquet row as a located record: a null source or target is the reader's "missing" error. */
    private static Row locate(Row r) {
        int fileIndex = r.getInt(0);
        String name = r.getString(1);
        long line = r.getLong(2);
        for (int i = 0; i < 2; i++) {
            if (r.isNullAt(3 + i)) {
                return Records.malformed(fileIndex, name, line,
                        new DataFormatException(name, line, Records.EXAMPLE[i].name(), "missing").getMessage());
            }
        }
        List<Row> terms = r.isNullAt(7) ? List.of() : r.getList(7);
        for (int i = 0; i < terms.size(); i++) {
            for (int side = 0; side < 2; side++) {
                if (terms.get(i) == null || terms.get(i).isNullAt(side)) {
                    String field = "terms[" + i + "]" + (terms.get(i) == null ? "" : side == 0 ? ".source" : ".target");
                    return Records.malformed(fileIndex, name, line, new DataFormatException(name, line, field, "missing").getMessage());
                }
            }
        }
        return Records.located(fileIndex, name, line, Records.example(r, 3));
    }

    /** Parquet columns must hold what the JSONL fields hold; a wrong type is one clear error before any work. */
    private static void checkType(String file, StructField actual, DataType expected) {
        boolean ok = expected instanceof ArrayType
                ? actual.dataType() instanceof ArrayType a && a.elementType() instanceof StructType s
                        && Arrays.asList(s.fieldNames()).containsAll(List.of("source", "target"))
                : actual.dataType().equals(DataTypes.StringType);
        if (!ok) {
            throw new IllegalArgumentException(file + ": column \"" + actual.name() + "\": expected "
                    + expected.simpleString() + ", got " + actual.dataType().simpleString());
        }
    }
}
