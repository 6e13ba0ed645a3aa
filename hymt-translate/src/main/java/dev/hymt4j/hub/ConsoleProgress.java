package dev.hymt4j.hub;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Prints download progress as lines: start and end of each file, and in between at most one line every two
 * seconds, so the log of a multi-gigabyte download stays short.
 */
public final class ConsoleProgress implements DownloadProgress {
    private static final long INTERVAL_NANOS = 2_000_000_000L;

    private final PrintWriter out;
    private long lastPrint;

    /** Prints to {@code out}, flushing each line so progress shows while the download runs. */
    public ConsoleProgress(PrintWriter out) {
        this.out = out;
    }

    /** Prints to standard error. */
    public static ConsoleProgress toStderr() {
        return new ConsoleProgress(new PrintWriter(System.err, true));
    }

    @Override
    public void started(String file, long totalBytes, long resumedFrom) {
        String size = totalBytes >= 0 ? " (" + human(totalBytes) + ")" : "";
        String resume = resumedFrom > 0 ? ", resuming at " + human(resumedFrom) : "";
        line("Downloading " + file + size + resume);
        lastPrint = System.nanoTime();
    }

    @Override
    public void advanced(String file, long bytesDone, long totalBytes) {
        long now = System.nanoTime();
        if (now - lastPrint < INTERVAL_NANOS) return;
        lastPrint = now;
        String percent = totalBytes > 0 ? String.format(Locale.ROOT, " %5.1f%%", 100.0 * bytesDone / totalBytes) : "";
        line("  " + file + percent + "  " + human(bytesDone) + (totalBytes >= 0 ? " / " + human(totalBytes) : ""));
    }

    @Override
    public void finished(String file, long totalBytes) {
        line("  " + file + " done (" + human(totalBytes) + ")");
    }

    private void line(String text) {
        out.println(text);
        out.flush();
    }

    static String human(long bytes) {
        if (bytes < 1024) return bytes + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
