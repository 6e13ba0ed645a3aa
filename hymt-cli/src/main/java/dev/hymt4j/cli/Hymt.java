package dev.hymt4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.List;

/** Entry point of the {@code hymt} command line. Each subcommand lives in its own class. */
@Command(name = "hymt", mixinStandardHelpOptions = true, version = "hymt4j 0.1.0",
        description = "Fine-tune, evaluate, compress and run Tencent HY-MT1.5 translation models on the JVM.",
        subcommands = {
                // In the order of the workflow, then the tools.
                QuickstartCommand.class,
                TranslateCommand.class,
                ServeCommand.class,
                PrepareCommand.class,
                TrainCommand.class,
                EvalCommand.class,
                MergeCommand.class,
                QuantizeCommand.class,
                ExportCommand.class,
                DownloadCommand.class,
                InitDemoCommand.class,
                TokenizeCommand.class,
                GenerateCommand.class,
                InspectCommand.class,
                DebugCommand.class,
                BenchCommand.class,
                CommandLine.HelpCommand.class,
        })
public final class Hymt implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--debug", scope = ScopeType.INHERIT,
            description = "On an error, also print its stack trace (for bug reports). HYMT_DEBUG=1 does the same.")
    boolean debug;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(newCommandLine().execute(args));
    }

    /** The configured command line, also used by tests to run commands in-process. */
    public static CommandLine newCommandLine() {
        return configure(new CommandLine(new Hymt()), ex -> ex);
    }

    /**
     * The handling of every hymt command line (this one, the Spark main's): enum values in any case; before a
     * command runs, its option ranges and its inputs against its outputs are checked ({@link #execute}); a
     * user-facing fault (bad file, bad option) is printed as one line, {@code ROOT COMMAND: message}, not a stack
     * trace (--debug or HYMT_DEBUG adds it).
     * {@code unwrap} picks the exception that says it (e.g. the cause under a framework's wrapper).
     */
    public static CommandLine configure(CommandLine cl, java.util.function.UnaryOperator<Exception> unwrap) {
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionStrategy(Hymt::execute);
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine cmd = ex.getCommandLine();
            cmd.getErr().println(cmd.getCommandSpec().root().name() + " " + cmd.getCommandName() + ": " + ex.getMessage());
            if (!ex.getMessage().contains("--help")) {
                cmd.getErr().println("Try '" + cmd.getCommandSpec().qualifiedName(" ") + " --help' for the options.");
            }
            return cmd.getCommandSpec().exitCodeOnInvalidInput();
        });
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println(cmd.getCommandSpec().root().name() + " " + cmd.getCommandName() + ": " + describe(unwrap.apply(ex)));
            if (debugging(cmd)) ex.printStackTrace(cmd.getErr());
            return 1;
        });
        return cl;
    }

    /**
     * Runs the chosen command after the checks every command gets: option ranges ({@link Bounds}), then inputs
     * against outputs ({@link CommandPaths}); both before the command has done anything.
     */
    private static int execute(ParseResult parsed) {
        if (CommandLine.printHelpIfRequested(parsed)) return 0;
        List<CommandLine> chain = parsed.asCommandLineList();
        CommandLine leaf = chain.getLast();
        OptionBounds.check(leaf);
        try {
            CommandPaths.check(leaf.getCommandSpec());
        } catch (CommandLine.ParameterException e) {
            throw e;
        } catch (Exception e) {
            throw new CommandLine.ExecutionException(leaf, String.valueOf(e.getMessage()), e);
        }
        try {
            return new CommandLine.RunLast().execute(parsed);
        } catch (OutOfMemoryError e) {
            throw new CommandLine.ExecutionException(leaf, "out of memory", new OutOfHeapException(e));
        }
    }

    /** {@link OutOfMemoryError} as a user fault: the fix is a larger heap or a smaller job. */
    static final class OutOfHeapException extends RuntimeException {
        OutOfHeapException(OutOfMemoryError cause) {
            super("out of memory: the Java heap (" + Runtime.getRuntime().maxMemory() / (1L << 20) + " MiB) is too small"
                    + " for this job; raise it, e.g. HYMT_JAVA_OPTS=-Xmx16g ./hymt ..., or make the job smaller"
                    + " (batch size, sequence length)", cause);
        }
    }

    private static boolean debugging(CommandLine cmd) {
        CommandLine.Model.OptionSpec debug = cmd.getCommandSpec().findOption("--debug");
        return debug != null && Boolean.TRUE.equals(debug.getValue()) || System.getenv("HYMT_DEBUG") != null;
    }

    /**
     * The one line a user sees. Our own exceptions carry messages written for users; the JDK's file exceptions
     * carry a path and a reason; anything else escaped unexplained, which is a bug: said so, with the hint to
     * get the stack trace.
     */
    public static String describe(Exception ex) {
        // The engine completes futures: the fault is the cause, not the JDK's wrapper.
        while ((ex instanceof java.util.concurrent.CompletionException || ex instanceof java.util.concurrent.ExecutionException)
                && ex.getCause() instanceof Exception cause) {
            ex = cause;
        }
        if (ex instanceof NoSuchFileException e && e.getReason() == null) return e.getFile() + ": file not found";
        if (ex instanceof AccessDeniedException e && e.getReason() == null) return e.getFile() + ": permission denied";
        if (ex instanceof FileAlreadyExistsException e && e.getReason() == null) return e.getFile() + ": already exists";
        if (ex instanceof FileSystemException e && e.getFile() != null && !ownMessage(ex)) {
            return e.getFile() + ": " + (e.getReason() != null ? e.getReason() : "file system error");
        }
        String message = ex.getMessage();
        if (ownMessage(ex) && message != null) return message;
        if (ex instanceof IOException && message != null) return "I/O error: " + message;
        return "internal error (" + ex.getClass().getSimpleName() + (message != null ? ": " + message : "")
                + "); run again with --debug for the stack trace, and please report it";
    }

    /** Whether the exception was raised by hymt's own code, whose messages are written for the user. */
    private static boolean ownMessage(Throwable ex) {
        StackTraceElement[] trace = ex.getStackTrace();
        return trace.length > 0 && trace[0].getClassName().startsWith("dev.hymt4j.");
    }
}
