package dev.hymt4j.spark;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.SaveMode;

/**
 * Where the jobs write, on any Hadoop file system. Row data goes through Spark's writers and so through its output
 * committer: a task's files appear only when the task commits, a retried or speculative attempt's files never do,
 * and the job's {@code _SUCCESS} marks a finished directory. Small files (summary.json) are written beside their
 * name and renamed into place.
 */
final class Outputs {
    private Outputs() {}

    /**
     * Refuses, before any work: an output that is one of the inputs or inside an input directory (nothing is ever
     * written into the data being read), or an existing non-empty output unless {@code force}.
     */
    static void check(Configuration conf, String out, List<String> inputs, boolean force) throws IOException {
        Path target = qualified(conf, out);
        for (String in : inputs) {
            Path input = qualified(conf, in);
            if (within(target, input) || within(input, target)) {
                throw new IllegalArgumentException("--out " + out + " overlaps the input " + in + "; write somewhere else");
            }
        }
        FileSystem fs = target.getFileSystem(conf);
        if (!force && fs.exists(target)) {
            FileStatus status = fs.getFileStatus(target);
            if (status.isFile() || fs.listStatus(target).length > 0) {
                throw new FileAlreadyExistsException(out, null, "already exists; give --force to replace it");
            }
        }
    }

    private static Path qualified(Configuration conf, String path) throws IOException {
        Path p = new Path(path);
        return p.getFileSystem(conf).makeQualified(p);
    }

    /** True when {@code inner} is {@code outer} or below it. */
    private static boolean within(Path inner, Path outer) {
        String a = inner.toUri().toString();
        String b = outer.toUri().toString();
        return a.equals(b) || a.startsWith(b.endsWith("/") ? b : b + "/");
    }

    /** One text line per row into the directory {@code dir}, in the dataset's order, through the committer. */
    static void writeLines(Dataset<String> lines, String dir, boolean force) {
        lines.write().mode(force ? SaveMode.Overwrite : SaveMode.ErrorIfExists).text(dir);
    }

    /** A small file written whole: temporary name, then rename, so it is never seen half-written. */
    static void writeFile(Configuration conf, String file, String content) throws IOException {
        Path target = new Path(file);
        FileSystem fs = target.getFileSystem(conf);
        Path temp = new Path(target.getParent(), "." + target.getName() + ".tmp");
        try (OutputStream out = fs.create(temp, true)) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
        }
        if (fs.exists(target)) fs.delete(target, false);
        if (!fs.rename(temp, target)) throw new IOException(file + ": could not rename " + temp + " into place");
    }
}
