package dev.hymt4j.gptq;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An optional Python oracle: {@code HYMT_PYTHON}, else {@code /work/py/bin/python}; the calling test is skipped
 * when it is missing or lacks a module. Scripts are test resources beside this class, copied into a work directory.
 */
final class PythonOracle {
    private final Path python, dir;

    private PythonOracle(Path python, Path dir) {
        this.python = python;
        this.dir = dir;
    }

    /** The interpreter, if it can {@code probe} (a Python statement, e.g. the imports), working in {@code dir}. */
    static PythonOracle find(String probe, Path dir) throws IOException, InterruptedException {
        String env = System.getenv("HYMT_PYTHON");
        Path python = Path.of(env != null ? env : "/work/py/bin/python");
        Assumptions.assumeTrue(Files.isExecutable(python), "no Python found (set HYMT_PYTHON) — skipping");
        Process p = new ProcessBuilder(python.toString(), "-c", probe).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        Assumptions.assumeTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, "Python cannot run '" + probe + "' — skipping");
        return new PythonOracle(python, dir);
    }

    /** Copies the named scripts from the test resources into the work directory. */
    PythonOracle withScripts(String... names) throws IOException {
        for (String name : names) {
            try (InputStream in = PythonOracle.class.getResourceAsStream(name)) {
                Files.write(dir.resolve(name), in.readAllBytes());
            }
        }
        return this;
    }

    /** Runs a copied script with arguments; asserts it exits 0 within 5 minutes and returns its output. */
    String run(String script, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(python.toString(), dir.resolve(script).toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), script + " timed out");
        assertEquals(0, p.exitValue(), output);
        return output;
    }
}
