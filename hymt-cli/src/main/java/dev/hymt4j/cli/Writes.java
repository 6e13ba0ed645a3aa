package dev.hymt4j.cli;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an option or positional parameter that names something the command writes; see {@link Reads}. A
 * command with outputs also mixes in {@link ForceOption}, which lets existing outputs be replaced.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface Writes {
    Kind value();

    /** For {@link Kind#FILES_IN_DIRECTORY}: the names of the files written in the directory. */
    String[] files() default {};

    /**
     * For an output whose kind follows the command's mode: when the option named here is given, the output is a
     * {@link Kind#DIRECTORY} rather than {@link #value()} ({@code quantize --out}: a GGUF file with {@code --type},
     * a GPTQ checkpoint directory with {@code --method}). The option must have no default value.
     */
    String directoryWith() default "";

    enum Kind {
        /** One file, written under a temporary name and renamed into place. */
        FILE,
        /** A directory the command fills and owns (replaced as a whole with --force). */
        DIRECTORY,
        /** Named files in a directory that may hold other things ({@link #files()}). */
        FILES_IN_DIRECTORY
    }
}
