package dev.hymt4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code hymt} command line. Each subcommand lives in its own class. */
@Command(name = "hymt", mixinStandardHelpOptions = true, version = "hymt4j 0.1.0",
        description = "Fine-tune, evaluate, compress and run Tencent HY-MT1.5 translation models on the JVM.",
        subcommands = {
                // In the order of the workflow, then the tools.
                QuickstartCommand.class,
                TranslateCommand.class,
                PrepareCommand.class,
                TrainCommand.class,
                EvalCommand.class,
                MergeCommand.class,
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
        CommandLine cl = new CommandLine(new Hymt());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            // User-facing faults (bad files, bad options) print one clear line, not a stack trace.
            cmd.getErr().println("hymt " + cmd.getCommandName() + ": " + ex.getMessage());
            if (System.getenv("HYMT_DEBUG") != null) ex.printStackTrace(cmd.getErr());
            return 1;
        });
        return cl;
    }
}
