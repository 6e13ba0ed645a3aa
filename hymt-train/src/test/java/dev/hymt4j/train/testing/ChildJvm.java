package dev.hymt4j.train.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Runs a {@code main} class in a child JVM with this JVM's classpath and the project's JVM flags, optionally
 * killing it with SIGKILL ({@link Process#destroyForcibly()}) as soon as it prints a given line — the kill -9 that a
 * crash or an OOM killer would deliver, with no shutdown hooks and no flushing. Made for kill-and-resume tests: run
 * a trainer, kill it, run it again with {@code --resume}, compare with an uninterrupted run.
 *
 * <p>The kill lands a little after the line is printed, while the child goes on running; a child that must be
 * killed at an exact point (say in the middle of writing a file) prints the line there and then waits.
 */
public final class ChildJvm {
    private ChildJvm() {}

    /** How a child run ended, and everything it printed (stdout and stderr merged), line by line. */
    public record Result(int exitCode, boolean killed, List<String> output) {
        public String outputText() {
            return String.join("\n", output);
        }
    }

    /** JVM flags for the toy children: a small, quickly started JVM (the suite runs on two cores). */
    public static final List<String> SMALL_QUICK_JVM = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    /** Runs {@code main} to completion. */
    public static Result run(Class<?> main, List<String> args, Duration timeout) throws IOException, InterruptedException {
        return run(main, args, line -> false, timeout);
    }

    /**
     * Runs {@code main} and kills it when a printed line matches {@code killWhen}; if none does, the run ends by
     * itself. A child still running after {@code timeout} is killed and reported as an {@link AssertionError}.
     */
    public static Result run(Class<?> main, List<String> args, Predicate<String> killWhen, Duration timeout)
            throws IOException, InterruptedException {
        return run(main, SMALL_QUICK_JVM, args, killWhen, timeout);
    }

    /**
     * As {@link #run(Class, List, Predicate, Duration)} with other JVM flags, e.g. a child that must run JIT-compiled
     * kernels as production does (the default flags stop at the C1 compiler).
     */
    public static Result run(Class<?> main, List<String> jvmFlags, List<String> args, Predicate<String> killWhen,
                             Duration timeout) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"));
        command.addAll(jvmFlags);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();

        List<String> output = new ArrayList<>();
        boolean[] killed = {false};
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    synchronized (output) {
                        output.add(line);
                    }
                    if (!killed[0] && killWhen.test(line)) {
                        killed[0] = true;
                        process.destroyForcibly();
                    }
                }
            } catch (IOException e) {
                // the pipe closes when the child dies: the output so far is all there is
            }
        });
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            reader.join(5_000);
            synchronized (output) {
                throw new AssertionError("child " + main.getName() + " " + args + " still running after " + timeout
                        + "; output:\n" + String.join("\n", output));
            }
        }
        reader.join(5_000);
        synchronized (output) {
            return new Result(process.exitValue(), killed[0], List.copyOf(output));
        }
    }

    /**
     * For a child: prints {@code label}, a point where a test may kill it; if it is the {@code pauseAt} label, waits
     * there so that the kill lands exactly at that point (a fast child would otherwise be past it).
     */
    public static void killPoint(String label, String pauseAt) {
        System.out.println(label);
        System.out.flush();
        if (!label.equals(pauseAt)) return;
        try {
            Thread.sleep(60_000);   // the test kills the process during this wait
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new IllegalStateException("still alive 60 s after pausing at '" + label + "'");
    }
}
