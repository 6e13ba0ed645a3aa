package dev.hymt4j.train;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.Console;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Locale;

/**
 * Shows training progress: step, loss, learning rate, tokens per second and ETA. On a terminal it is a live
 * progress bar (me.tongfei:progressbar); otherwise (CI, output piped to a file) it prints a plain line at most
 * every {@code interval}, plus the first and the last step, since a redrawn bar would fill a log with noise.
 * ETA counts only steps done in this session, so a resumed run does not look faster than it is.
 */
public final class TrainingProgress implements AutoCloseable {
    public static final Duration DEFAULT_LOG_INTERVAL = Duration.ofSeconds(30);

    private final ProgressBar bar;           // terminal mode
    private final PrintStream out;           // plain mode
    private final InstantSource clock;
    private final Duration interval;
    private final long totalSteps;
    private final long startStep;
    private final Instant started;
    private Instant lastPrinted;

    private TrainingProgress(ProgressBar bar, PrintStream out, InstantSource clock, Duration interval,
                             long totalSteps, long startStep) {
        this.bar = bar;
        this.out = out;
        this.clock = clock;
        this.interval = interval;
        this.totalSteps = totalSteps;
        this.startStep = startStep;
        this.started = clock.instant();
    }

    /** A progress bar on System.out if it is a terminal, plain lines every 30 s otherwise. */
    public static TrainingProgress forConsole(long totalSteps, long startStep) {
        Console console = System.console();
        if (console != null && console.isTerminal()) {
            return bar(totalSteps, startStep, new ConsoleProgressBarConsumer(System.out));
        }
        return plain(totalSteps, startStep, System.out, DEFAULT_LOG_INTERVAL, InstantSource.system());
    }

    /** A progress bar drawn through {@code consumer}. */
    public static TrainingProgress bar(long totalSteps, long startStep, ProgressBarConsumer consumer) {
        ProgressBar bar = new ProgressBarBuilder().setTaskName("train").setInitialMax(totalSteps)
                .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK).setUnit(" steps", 1)
                .startsFrom(startStep, Duration.ZERO).setUpdateIntervalMillis(500).setConsumer(consumer).build();
        return new TrainingProgress(bar, null, InstantSource.system(), null, totalSteps, startStep);
    }

    /** Plain lines on {@code out}, at most one per {@code interval} of {@code clock}, plus the first and last. */
    public static TrainingProgress plain(long totalSteps, long startStep, PrintStream out, Duration interval,
                                         InstantSource clock) {
        return new TrainingProgress(null, out, clock, interval, totalSteps, startStep);
    }

    /** Reports that optimizer step {@code step} (1-based count of updates done) finished. */
    public void update(long step, double loss, double learningRate, double tokensPerSecond) {
        String metrics = String.format(Locale.ROOT, "loss %.4f | lr %.2e | %.0f tok/s", loss, learningRate, tokensPerSecond);
        if (bar != null) {
            bar.setExtraMessage(metrics);
            bar.stepTo(step);
            return;
        }
        Instant now = clock.instant();
        boolean due = lastPrinted == null || step >= totalSteps || !now.isBefore(lastPrinted.plus(interval));
        if (!due) return;
        lastPrinted = now;
        Duration elapsed = Duration.between(started, now);
        long done = step - startStep;
        String eta = done > 0 ? clockTime(elapsed.multipliedBy(totalSteps - step).dividedBy(done)) : "?";
        out.printf(Locale.ROOT, "step %d/%d (%.1f%%) | %s | elapsed %s | eta %s%n", step, totalSteps,
                100.0 * step / totalSteps, metrics, clockTime(elapsed), eta);
        out.flush();
    }

    private static String clockTime(Duration d) {
        return String.format(Locale.ROOT, "%d:%02d:%02d", d.toHours(), d.toMinutesPart(), d.toSecondsPart());
    }

    @Override
    public void close() {
        if (bar != null) bar.close();
    }
}
