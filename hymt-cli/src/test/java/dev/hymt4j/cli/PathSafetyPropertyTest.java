package dev.hymt4j.cli;

import dev.hymt4j.train.TrainingConfig;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 9's property: for every command and every pair of an input and an output it names, an output that is
 * the input, lies inside an input directory (or, for a directory output, contains the input), or is a symbolic
 * link to the input, is refused before anything is written: no byte of the tree changes and no file appears.
 *
 * <p>The pairs come from the commands themselves: every option marked {@link Reads} or {@link Writes}, and for
 * {@code train} the path keys of {@link TrainingConfig}. A new command with path options is covered as soon as
 * it marks them.
 */
class PathSafetyPropertyTest {

    /**
     * One way to name a path on a command line. {@code writeKind} is the output's kind on this command line: an
     * output whose kind follows the mode ({@link Writes#directoryWith()}) gives one slot per kind.
     */
    record Slot(String name, Reads.Kind reads, Writes writes, Writes.Kind writeKind, boolean required,
                Function<String, List<String>> render) {
        boolean input() {
            return reads != null;
        }

        /** An input that is a directory (models, adapters) or may be one (tokenizers). */
        boolean directoryInput() {
            return reads == Reads.Kind.DIRECTORY || reads == Reads.Kind.MODEL || reads == Reads.Kind.FILE_OR_DIRECTORY;
        }

        boolean directoryOutput() {
            return writes != null && writeKind != Writes.Kind.FILE;
        }

        String title() {
            return writes != null && !writes.directoryWith().isEmpty() ? name + " (" + writeKind + ")" : name;
        }
    }

    record Command(List<String> names, CommandSpec spec, List<Slot> slots) {
        String title() {
            return String.join(" ", names);
        }
    }

    @TempDir
    Path tmp;

    @TestFactory
    Stream<DynamicTest> everyOutputIsRefusedWhereItMeetsAnInput() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Command c : commands()) {
            for (Slot in : c.slots) {
                if (!in.input()) continue;
                for (Slot out : c.slots) {
                    if (out.input()) continue;
                    for (String mode : List.of("same", "inside", "symlink")) {
                        if (mode.equals("inside") && !in.directoryInput() && !out.directoryOutput()) continue;
                        String name = c.title() + ": " + out.title() + " " + mode + " " + in.name;
                        tests.add(DynamicTest.dynamicTest(name, () -> refused(c, in, out, mode, name)));
                    }
                }
            }
        }
        return tests.stream();
    }

    @Test
    void everyCommandThatWritesHasForceAndAtLeastOnePairIsChecked() {
        int pairs = 0;
        for (Command c : commands()) {
            boolean writes = c.slots.stream().anyMatch(s -> !s.input());
            if (writes) assertTrue(c.spec.findOption("--force") != null, c.title() + " writes but has no --force");
            long ins = c.slots.stream().filter(Slot::input).count();
            pairs += (int) (ins * (c.slots.size() - ins));
        }
        assertTrue(pairs >= 25, "only " + pairs + " (input, output) pairs found");
    }

    /** Options that name paths without a mark of their own: train's --output-dir is output_dir, declared from the config. */
    static final java.util.Set<String> DECLARED_ELSEWHERE = java.util.Set.of("train --output-dir");

    @Test
    void everyOptionThatNamesAPathIsMarked() {
        List<String> unmarked = new ArrayList<>();
        for (Command c : commands()) {
            for (ArgSpec a : c.spec.args()) {
                boolean pathTyped = a.type() == Path.class || a.auxiliaryTypes().length > 0 && a.auxiliaryTypes()[0] == Path.class;
                boolean pathLabel = a.paramLabel().matches(".*\\b(FILE|DIR|PATH)\\b.*");
                String name = c.title() + " " + name(a);
                boolean marked = c.slots.stream().anyMatch(sl -> sl.name.equals(name(a)));
                if ((pathTyped || pathLabel) && !marked && !DECLARED_ELSEWHERE.contains(name)) unmarked.add(name);
            }
        }
        assertEquals(List.of(), unmarked, "mark these with @Reads or @Writes so the path check sees them");
    }

    @Test
    void prepareDeclaresTheFilesThePreparerWrites() throws Exception {
        Writes w = PrepareCommand.class.getDeclaredField("out").getAnnotation(Writes.class);
        assertEquals(dev.hymt4j.data.Preparer.OUTPUT_FILES, List.of(w.files()));
    }

    private void refused(Command c, Slot in, Slot out, String mode, String name) throws Exception {
        Path root = Files.createDirectories(tmp.resolve(String.valueOf(Math.abs(name.hashCode()))));
        Path input;
        String outputValue;
        switch (mode) {
            case "same" -> {
                input = createInput(root.resolve("input"), in);
                outputValue = input.toString();
            }
            case "inside" -> {
                if (in.directoryInput()) {
                    input = createInput(root.resolve("input"), in);
                    outputValue = input.resolve("sub").resolve("output").toString();
                } else {
                    Path outDir = Files.createDirectories(root.resolve("output"));
                    String file = out.writes.files().length > 0 ? out.writes.files()[0] : "input.txt";
                    input = createInput(outDir.resolve(file), in);
                    outputValue = outDir.toString();
                }
            }
            default -> {
                input = createInput(root.resolve("input"), in);
                Path link = Files.createSymbolicLink(root.resolve("link"), input);
                outputValue = link.toString();
            }
        }
        List<String> args = new ArrayList<>(c.names);
        args.addAll(in.render.apply(input.toString()));
        args.addAll(out.render.apply(outputValue));
        for (Slot s : c.slots) {
            if (s == in || s.name.equals(out.name) || !s.required) continue;   // (an output's twin of the other kind too)
            Path p = root.resolve("other-" + s.name.replaceAll("[^A-Za-z0-9]", ""));
            if (s.input()) createInput(p, s);
            args.addAll(s.render.apply(p.toString()));
        }
        args.addAll(fillers(c, in, out));

        Map<String, String> before = snapshot(root);
        CoreCommandsTest.Run r = CoreCommandsTest.hymt(args.toArray(String[]::new));
        assertNotEquals(0, r.exitCode(), name + " ran: " + args + "\n" + r.out());
        assertTrue(r.err().contains("nothing was written"), name + ": " + args + "\n" + r.err());
        assertTrue(r.err().contains(in.name) && r.err().contains(out.name), name + ": " + r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
        assertEquals(before, snapshot(root), name + ": the tree changed");
    }

    /** A file (text) or a directory holding one file, as the slot reads. */
    private static Path createInput(Path p, Slot s) throws IOException {
        Files.createDirectories(p.getParent());
        if (s.directoryInput()) {
            Files.createDirectories(p);
            Files.writeString(p.resolve("config.json"), "{}\n");
        } else {
            Files.writeString(p, "{}\n");   // also a valid (empty) YAML config for train
        }
        return p;
    }

    /** Values for the required options and parameters that are not paths, by type (all within their bounds). */
    private static List<String> fillers(Command c, Slot in, Slot out) {
        List<String> args = new ArrayList<>();
        for (ArgSpec a : c.spec.args()) {
            boolean isPath = c.slots.stream().anyMatch(s -> s.name.equals(name(a)));
            if (!a.required() || isPath) continue;
            String value = filler(a.type());
            if (a instanceof OptionSpec o) args.addAll(List.of(o.longestName(), value));
            else args.add(value);
        }
        return args;
    }

    static String filler(Class<?> type) {
        if (type == int.class || type == Integer.class || type == long.class || type == int[].class) return "1";
        if (type == float.class || type == double.class || type == Float.class || type == Double.class) return "0.5";
        if (type.isEnum()) return type.getEnumConstants()[0].toString();
        return "zh";
    }

    private static String name(ArgSpec a) {
        return a instanceof OptionSpec o ? o.longestName() : ((PositionalParamSpec) a).paramLabel();
    }

    /** Every leaf command with its path slots. */
    static List<Command> commands() {
        List<Command> out = new ArrayList<>();
        collect(Hymt.newCommandLine(), List.of(), out);
        return out;
    }

    private static void collect(CommandLine cl, List<String> names, List<Command> out) {
        for (Map.Entry<String, CommandLine> e : cl.getSubcommands().entrySet()) {
            if (e.getValue().getCommand() instanceof CommandLine.HelpCommand) continue;
            List<String> path = new ArrayList<>(names);
            path.add(e.getKey());
            if (!e.getValue().getSubcommands().isEmpty()) {
                collect(e.getValue(), path, out);
                continue;
            }
            CommandSpec spec = e.getValue().getCommandSpec();
            List<Slot> slots = new ArrayList<>();
            for (CommandPaths.PathArg a : CommandPaths.of(spec)) {
                Function<String, List<String>> render = a.arg() instanceof OptionSpec o
                        ? v -> List.of(o.longestName(), v) : v -> List.of(v);
                boolean required = a.arg().required();
                Reads.Kind reads = a.reads() == null ? null : a.reads().value();
                Writes w = a.writes();
                slots.add(new Slot(a.name(), reads, w, w == null ? null : w.value(), required, render));
                if (w != null && !w.directoryWith().isEmpty()) {
                    // the same option as a directory: the command line also gives the mode option that makes it one
                    List<String> mode = List.of(w.directoryWith(), filler(spec.findOption(w.directoryWith()).type()));
                    slots.add(new Slot(a.name(), reads, w, Writes.Kind.DIRECTORY, required,
                            v -> Stream.concat(render.apply(v).stream(), mode.stream()).toList()));
                }
            }
            if (spec.userObject() instanceof TrainCommand) slots.addAll(trainConfigSlots());
            out.add(new Command(path, spec, slots));
        }
    }

    /** {@code train}'s paths are settings: {@code --set key=PATH}; model, data.train and output_dir are required. */
    private static List<Slot> trainConfigSlots() {
        List<Slot> slots = new ArrayList<>();
        for (String key : TrainingConfig.INPUT_PATH_KEYS) {
            slots.add(new Slot(key, key.equals("model") ? Reads.Kind.MODEL : Reads.Kind.FILE, null, null,
                    !key.equals("data.valid"), v -> List.of("--set", key + "=" + v)));
        }
        Writes directory;
        try {
            directory = PathSafetyPropertyTest.class.getDeclaredField("trainOutputDirectory").getAnnotation(Writes.class);
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
        slots.add(new Slot(TrainingConfig.OUTPUT_PATH_KEY, null, directory, Writes.Kind.DIRECTORY, true,
                v -> List.of("--set", TrainingConfig.OUTPUT_PATH_KEY + "=" + v)));
        return slots;
    }

    /** Carries the {@code @Writes(DIRECTORY)} of train's output_dir slot. */
    @Writes(Writes.Kind.DIRECTORY)
    private static Object trainOutputDirectory;

    /** Path (relative) → SHA-256 of the content, "dir" or "link → target", for everything under {@code root}. */
    static Map<String, String> snapshot(Path root) throws Exception {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                String key = root.relativize(p).toString();
                if (Files.isSymbolicLink(p)) m.put(key, "link → " + Files.readSymbolicLink(p));
                else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) m.put(key, "dir");
                else m.put(key, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
            }
        }
        return m;
    }
}
