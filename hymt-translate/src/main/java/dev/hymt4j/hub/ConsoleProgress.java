package dev.hymt4j.hub;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Prints download progress as lines, at most one per file every two seconds, so logs of a
 * multi-gigabyte download stay short.
 */
public final class ConsoleProgress implements DownloadProgress {
    private static final long INTERVAL_NANOS = 2_000_000_000L;

    private final PrintStream out;
    private long lastPrint;

    public ConsoleProgress(PrintStream out) {
        this.out = out;
    }

    @Override
    public void started(String file, long totalBytes, long resumedFrom) {
        String size = totalBytes >= 0 ? " (" + human(totalBytes) + ")" : "";
        String resume = resumedFrom > 0 ? ", resuming at " + human(resumedFrom) : "";
        out.println("Downloading " + file + size + resume);
        lastPrint = System.nanoTime();
    }

    @Override
    public void advanced(String file, long bytesDone, long totalBytes) {
        long now = System.nanoTime();
        if (now - lastPrint < INTERVAL_NANOS) return;
        lastPrint = now;
        String percent = totalBytes > 0 ? String.format(Locale.ROOT, " %5.1f%%", 100.0 * bytesDone / totalBytes) : "";
        out.println("  " + file + percent + "  " + human(bytesDone) + (totalBytes >= 0 ? " / " + human(totalBytes) : ""));
    }

    @Override
    public void finished(String file, long totalBytes) {
        out.println("  " + file + " done (" + human(totalBytes) + ")");
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
