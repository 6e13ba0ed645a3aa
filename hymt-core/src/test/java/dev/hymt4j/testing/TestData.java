package dev.hymt4j.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the repository's {@code testdata/} folder and offers the comparisons tests share. */
public final class TestData {
    private TestData() {}

    /** The repository root: the {@code hymt.root} property set by Maven, else the first parent holding testdata/. */
    public static Path root() {
        String prop = System.getProperty("hymt.root");
        if (prop != null && Files.isDirectory(Path.of(prop, "testdata"))) return Path.of(prop);
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("testdata"))) return p;
        }
        throw new IllegalStateException("testdata/ not found above " + Path.of("").toAbsolutePath());
    }

    /** A path under {@code testdata/}, e.g. {@code path("golden/tiny-tied")}. */
    public static Path path(String relative) {
        return root().resolve("testdata").resolve(relative);
    }

    /** Relative L2 error ‖a − b‖ / ‖b‖ of {@code a} against the reference {@code b}, in double precision. */
    public static double relL2(float[] a, float[] b) {
        if (a.length != b.length) throw new IllegalArgumentException("length " + a.length + " != " + b.length);
        double num = 0, den = 0;
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - b[i];
            num += d * d;
            den += (double) b[i] * b[i];
        }
        return Math.sqrt(num) / Math.sqrt(den);
    }
}
