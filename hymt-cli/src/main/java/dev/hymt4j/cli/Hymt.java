package dev.hymt4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;

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
     * The error handling of every hymt command line (this one, the Spark main's): enum values in any case, and a
     * user-facing fault (bad file, bad option) printed as one line, {@code ROOT COMMAND: message}, not a stack trace.
     * {@code unwrap} picks the exception that says it (e.g. the cause under a framework's wrapper).
     */
    public static CommandLine configure(CommandLine cl, java.util.function.UnaryOperator<Exception> unwrap) {
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println(cmd.getCommandSpec().root().name() + " " + cmd.getCommandName() + ": " + describe(unwrap.apply(ex)));
            if (System.getenv("HYMT_DEBUG") != null) ex.printStackTrace(cmd.getErr());
            return 1;
        });
        return cl;
    }

    /** The one line a user sees; the JDK's file exceptions carry only a path unless given a reason. */
    public static String describe(Exception ex) {
        if (ex instanceof NoSuchFileException e && e.getReason() == null) return e.getFile() + ": file not found";
        if (ex instanceof AccessDeniedException e && e.getReason() == null) return e.getFile() + ": permission denied";
        if (ex instanceof FileAlreadyExistsException e && e.getReason() == null) return e.getFile() + ": already exists";
        String message = ex.getMessage();
        return message != null ? message : ex.getClass().getSimpleName();
    }
}
