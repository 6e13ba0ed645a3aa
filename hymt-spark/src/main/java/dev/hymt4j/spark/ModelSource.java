package dev.hymt4j.spark;

import dev.hymt4j.hub.ModelLocator;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SparkEnv;
import org.apache.spark.SparkFiles;

/**
 * Where an executor finds the model named by {@code --model}. Only the name travels with the job, never the
 * weights; each executor memory-maps a copy on its own disk:
 * <ul>
 *   <li>a Hadoop URI ({@code hdfs://}, {@code s3a://}, …): copied once per executor into its local directory,
 *       then mapped;</li>
 *   <li>a local path (a shared file system, or the same path on every node) or a Hugging Face repo id resolved
 *       through the node's hub cache: as {@code hymt translate --model} takes it;</li>
 *   <li>a name shipped with {@code spark-submit --files/--archives}: its {@link SparkFiles} copy.</li>
 * </ul>
 */
final class ModelSource {
    private ModelSource() {}

    /** The local directory (or GGUF file) of {@code model} on this executor; errors say which executor failed. */
    static Path resolve(String model) throws IOException {
        try {
            URI uri = URI.create(model);
            if (uri.getScheme() != null && !uri.getScheme().equals("file") && uri.getScheme().length() > 1) {
                return copyToLocal(uri);
            }
            String local = uri.getScheme() != null ? uri.getPath() : model;
            if (!Files.exists(Path.of(local)) && SparkEnv.get() != null) {
                Path shipped = Path.of(SparkFiles.get(local));
                if (Files.exists(shipped)) return shipped;
            }
            return ModelLocator.resolve(local);
        } catch (IOException | RuntimeException e) {
            throw new IOException(where() + " cannot read the model " + model + ": " + e.getMessage()
                    + " (the model must be readable on every executor: a shared path, an hdfs:// or s3a:// URI, or"
                    + " shipped with --archives)", e);
        }
    }

    /** "executor ID on HOST", for messages. */
    static String where() {
        String id = SparkEnv.get() == null ? "?" : SparkEnv.get().executorId();
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "?";
        }
        return "executor " + id + " on " + host;
    }

    /** A Hadoop file system copy of the model in this executor's local directory, made once and reused. */
    private static synchronized Path copyToLocal(URI uri) throws IOException {
        Path root = Path.of(SparkEnv.get() != null ? SparkFiles.getRootDirectory() : System.getProperty("java.io.tmpdir"));
        Path target = root.resolve("hymt-model-" + sha256(uri.toString()).substring(0, 16));
        if (Files.isDirectory(target)) return target;
        org.apache.hadoop.fs.Path source = new org.apache.hadoop.fs.Path(uri);
        Configuration conf = SparkEnv.get() != null
                ? org.apache.spark.deploy.SparkHadoopUtil.get().newConfiguration(SparkEnv.get().conf()) : new Configuration();
        FileSystem fs = source.getFileSystem(conf);
        if (!fs.exists(source)) throw new java.io.FileNotFoundException(uri + ": no such file or directory");
        // Copied next to its final name and renamed, so a task killed mid-copy leaves nothing that looks complete.
        Path partial = root.resolve(target.getFileName() + ".partial-" + ProcessHandle.current().pid());
        fs.copyToLocalFile(false, source, new org.apache.hadoop.fs.Path(partial.toUri()), true);
        Files.move(partial, target);
        return target;
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
