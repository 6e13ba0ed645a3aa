package dev.hymt4j.gptq;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.Console;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Per-layer progress of a GPTQ run: on a terminal a progress bar over the layers whose message is the last
 * layer's reconstruction error; always one line per finished layer with each linear's relative output error
 * (and round-to-nearest's, when compared), so a log keeps the numbers.
 */
public final class GptqProgress implements Consumer<GptqModelQuantizer.LayerReport>, AutoCloseable {
    private final ProgressBar bar;
    private final PrintWriter out;
    private final int layers;

    public GptqProgress(int layers, PrintWriter out) {
        this.layers = layers;
        this.out = out;
        Console console = System.console();
        this.bar = console != null && console.isTerminal()
                ? new ProgressBarBuilder().setTaskName("GPTQ").setInitialMax(layers).setUnit(" layers", 1)
                        .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK).setConsumer(new ConsoleProgressBarConsumer(System.err)).build()
                : null;
    }

    @Override
    public void accept(GptqModelQuantizer.LayerReport r) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "layer %d/%d  %.1f s", r.layer() + 1, layers, r.seconds()));
        if (!Double.isNaN(r.meanError())) line.append(String.format(Locale.ROOT, "  error %.3e", r.meanError()));
        if (r.rtnErrors() != null) line.append(String.format(Locale.ROOT, " (round-to-nearest %.3e)", r.meanRtnError()));
        line.append("  [");
        boolean first = true;
        for (Map.Entry<String, Double> e : r.errors().entrySet()) {
            if (!first) line.append(", ");
            first = false;
            line.append(e.getKey().substring(e.getKey().indexOf('.') + 1)).append(String.format(Locale.ROOT, " %.2e", e.getValue()));
        }
        line.append(']');
        if (bar != null) {
            bar.setExtraMessage(String.format(Locale.ROOT, "error %.2e", r.meanError()));
            bar.step();
        }
        out.println(line);
        out.flush();
    }

    @Override
    public void close() {
        if (bar != null) bar.close();
    }
}
