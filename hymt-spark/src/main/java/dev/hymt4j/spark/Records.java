package dev.hymt4j.spark;

import dev.hymt4j.data.ParallelExample;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The row layout of parallel examples in the Spark jobs: the JSONL field names of {@code hymt prepare}
 * ({@code source, target, src_lang, tgt_lang, terms, context, format}) after the provenance columns
 * {@code file_index} (position of the file in the input list: the order deduplication's "first" follows),
 * {@code file} (its name, as local rejects give it) and {@code line} (1-based line, or row for Parquet).
 */
final class Records {
    private Records() {}

    static final StructType TERM = new StructType()
            .add("source", DataTypes.StringType, true)
            .add("target", DataTypes.StringType, true);

    /** The example columns, in {@link ParallelExample}'s order. */
    static final StructField[] EXAMPLE = {
            DataTypes.createStructField("source", DataTypes.StringType, true),
            DataTypes.createStructField("target", DataTypes.StringType, true),
            DataTypes.createStructField("src_lang", DataTypes.StringType, true),
            DataTypes.createStructField("tgt_lang", DataTypes.StringType, true),
            DataTypes.createStructField("terms", DataTypes.createArrayType(TERM, true), true),
            DataTypes.createStructField("context", DataTypes.StringType, true),
            DataTypes.createStructField("format", DataTypes.StringType, true),
    };

    static final StructField[] PROVENANCE = {
            DataTypes.createStructField("file_index", DataTypes.IntegerType, false),
            DataTypes.createStructField("file", DataTypes.StringType, false),
            DataTypes.createStructField("line", DataTypes.LongType, false),
    };

    /**
     * Records as read: provenance, the example (null fields when malformed) and {@code error}, the reader's
     * {@code file:line: field "x": problem} message for a malformed record, else null.
     */
    static final StructType LOCATED = struct(PROVENANCE, EXAMPLE,
            DataTypes.createStructField("error", DataTypes.StringType, true));

    static StructType struct(Object... fields) {
        StructType type = new StructType();
        for (Object f : fields) {
            if (f instanceof StructField[] many) {
                for (StructField one : many) type = type.add(one);
            } else {
                type = type.add((StructField) f);
            }
        }
        return type;
    }

    /** The example column values of {@code ex}, in {@link #EXAMPLE} order. */
    static Object[] values(ParallelExample ex) {
        List<Row> terms = new ArrayList<>(ex.terms().size());
        for (ParallelExample.Term t : ex.terms()) terms.add(RowFactory.create(t.source(), t.target()));
        return new Object[] {ex.source(), ex.target(), ex.srcLang(), ex.tgtLang(),
                scala.jdk.javaapi.CollectionConverters.asScala(terms).toSeq(), ex.context(), ex.format()};
    }

    /** The example of a row holding the {@link #EXAMPLE} columns from {@code first} on. */
    static ParallelExample example(Row row, int first) {
        List<ParallelExample.Term> terms = new ArrayList<>();
        if (!row.isNullAt(first + 4)) {
            for (Row t : row.<Row>getList(first + 4)) terms.add(new ParallelExample.Term(t.getString(0), t.getString(1)));
        }
        return new ParallelExample(row.getString(first), row.getString(first + 1), row.getString(first + 2),
                row.getString(first + 3), terms, row.getString(first + 5), row.getString(first + 6));
    }

    /** A located row of a well-formed record. */
    static Row located(int fileIndex, String file, long line, ParallelExample ex) {
        Object[] v = new Object[LOCATED.size()];
        v[0] = fileIndex;
        v[1] = file;
        v[2] = line;
        System.arraycopy(values(ex), 0, v, 3, EXAMPLE.length);
        return RowFactory.create(v);
    }

    /** A located row of a malformed record: no example, the error message. */
    static Row malformed(int fileIndex, String file, long line, String error) {
        Object[] v = new Object[LOCATED.size()];
        v[0] = fileIndex;
        v[1] = file;
        v[2] = line;
        v[v.length - 1] = error;
        return RowFactory.create(v);
    }
}
