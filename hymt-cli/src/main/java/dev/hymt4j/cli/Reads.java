package dev.hymt4j.cli;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an option or positional parameter that names something the command reads. Before the command runs,
 * {@link CommandPaths} checks every output against every input so marked (see {@link dev.hymt4j.io.PathPlan}).
 * The field may be a {@code Path}, a {@code String} or a list of either; a String URI of another file system
 * ({@code hdfs://}, {@code s3a://}) is not checked, a {@code file:} URI is.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface Reads {
    Kind value();

    enum Kind {
        /** A file. */
        FILE,
        /** A directory (everything under it is an input). */
        DIRECTORY,
        /** A file, or a directory holding one (e.g. a tokenizer). */
        FILE_OR_DIRECTORY,
        /** A model directory or a hub repo id (its cached snapshot, found without touching the network). */
        MODEL,
        /** {@code FILE} or {@code FILE.jsonl:FIELD} (eval's hypothesis and reference files). */
        SEGMENTS,
        /** {@code NAME=DIR}, e.g. serve's {@code --adapter}: the directory after the '='. */
        NAMED_DIRECTORY
    }
}
