package dev.hymt4j.cli;

import dev.hymt4j.eval.SegmentFile;
import dev.hymt4j.hub.ModelLocator;
import dev.hymt4j.io.PathPlan;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The input/output check every command gets before it runs: the options marked {@link Reads} and {@link Writes}
 * (and whatever a {@link DeclaresPaths} command adds) go into one {@link PathPlan}, with {@code --force} from
 * {@link ForceOption}, and the plan is checked. Nothing of the command has run yet, so a refusal leaves every
 * file as it was.
 */
final class CommandPaths {
    private CommandPaths() {}

    /** One marked option or positional parameter of a command. */
    record PathArg(ArgSpec arg, String name, Reads reads, Writes writes) {
        boolean isInput() {
            return reads != null;
        }
    }

    /** The marked arguments of a command, in declaration order (mixins included). */
    static List<PathArg> of(CommandSpec spec) {
        List<PathArg> found = new ArrayList<>();
        for (ArgSpec arg : spec.args()) {
            if (!(arg.userObject() instanceof Field field)) continue;
            Reads reads = field.getAnnotation(Reads.class);
            Writes writes = field.getAnnotation(Writes.class);
            if (reads == null && writes == null) continue;
            String name = arg instanceof OptionSpec o ? o.longestName() : ((PositionalParamSpec) arg).paramLabel();
            found.add(new PathArg(arg, name, reads, writes));
        }
        return found;
    }

    /** Builds and checks the plan of the command about to run; throws {@link dev.hymt4j.io.UnsafePathException}. */
    static void check(CommandSpec spec) throws Exception {
        PathPlan plan = new PathPlan();
        for (PathArg a : of(spec)) {
            for (Object value : values(a.arg.getValue())) {
                if (a.reads != null) {
                    plan.reads(a.name, inputPath(a.reads.value(), value));
                } else {
                    if (!(value instanceof Path) && isRemote(value.toString())) continue;
                    Path out = value instanceof Path p ? p : localPath(value.toString());
                    switch (outputKind(spec, a.writes)) {
                        case FILE -> plan.writesFile(a.name, out);
                        case DIRECTORY -> plan.writesDirectory(a.name, out);
                        case FILES_IN_DIRECTORY -> plan.writesFilesIn(a.name, out, List.of(a.writes.files()));
                    }
                }
            }
        }
        if (spec.userObject() instanceof DeclaresPaths d) d.declarePaths(plan);
        OptionSpec force = spec.findOption("--force");
        plan.force(force != null && Boolean.TRUE.equals(force.getValue()));
        plan.check();
    }

    /** The kind of an output as this command line uses it ({@link Writes#directoryWith()}). */
    static Writes.Kind outputKind(CommandSpec spec, Writes writes) {
        if (writes.directoryWith().isEmpty()) return writes.value();
        OptionSpec mode = spec.findOption(writes.directoryWith());
        if (mode == null) throw new IllegalStateException("@Writes names " + writes.directoryWith() + ", which the command lacks");
        return mode.getValue() != null ? Writes.Kind.DIRECTORY : writes.value();
    }

    /** The path an input value stands for: a model argument resolves to its local folder (no download). */
    static Path inputPath(Reads.Kind kind, Object value) throws IOException {
        String text = value.toString();
        if (!(value instanceof Path) && isRemote(text)) return null;   // hdfs://, s3a://: not this machine's files
        return switch (kind) {
            case MODEL -> ModelLocator.localPath(text).orElse(null);
            case SEGMENTS -> SegmentFile.pathOf(text);
            case FILE, DIRECTORY, FILE_OR_DIRECTORY -> value instanceof Path p ? p : localPath(text);
            case NAMED_DIRECTORY -> localPath(text.substring(text.indexOf('=') + 1));
        };
    }

    /** A URI with a scheme other than {@code file:} names another file system (Spark's inputs and outputs). */
    private static boolean isRemote(String text) {
        int colon = text.indexOf("://");
        return colon > 1 && !text.startsWith("file:") && text.substring(0, colon).matches("[A-Za-z][A-Za-z0-9+.-]*");
    }

    private static Path localPath(String text) {
        return text.startsWith("file:") ? Path.of(java.net.URI.create(text)) : Path.of(text);
    }

    private static List<Object> values(Object value) {
        if (value == null) return List.of();
        if (value instanceof Collection<?> c) return c.stream().filter(v -> v != null).map(v -> (Object) v).toList();
        return List.of(value);
    }
}
