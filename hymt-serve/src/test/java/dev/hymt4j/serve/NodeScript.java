package dev.hymt4j.serve;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs one of the Node scripts in {@code hymt-serve/src/test/node} with the npm packages of the root
 * {@code package.json} ({@code npm ci} at the repository root, as {@code .ci/run} does). Skips, with the reason,
 * when node or a package is missing; the script's last output line is its JSON report.
 */
final class NodeScript {
    private NodeScript() {}

    static Path root() {
        String root = System.getProperty("hymt.root");
        return root != null ? Path.of(root) : Path.of("").toAbsolutePath().getParent();
    }

    static JsonNode run(String script, List<String> packages, List<String> args) throws Exception {
        Path root = root();
        for (String p : packages) {
            assumeTrue(Files.isRegularFile(root.resolve("node_modules").resolve(p).resolve("package.json")),
                    "npm package " + p + " is not installed: run `npm ci` at the repository root");
        }
        Path file = root.resolve("hymt-serve/src/test/node").resolve(script);
        List<String> command = new ArrayList<>(List.of("node", file.toString()));
        command.addAll(args);
        Process process;
        try {
            process = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "node is not installed: " + e.getMessage());
            throw e;
        }
        boolean done = process.waitFor(180, TimeUnit.SECONDS);
        if (!done) process.destroyForcibly();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(true, done, "node " + script + " timed out:\n" + out);
        assertEquals(0, process.exitValue(), "node " + script + " failed:\n" + out);
        String[] lines = out.strip().split("\n");
        return TestServers.json(lines[lines.length - 1]);
    }
}
