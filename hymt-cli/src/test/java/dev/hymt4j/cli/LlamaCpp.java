package dev.hymt4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hymt4j.testing.TestData;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * llama.cpp as a test oracle, through the npm package node-llama-cpp (root package.json, installed by
 * {@code npm ci}; .ci/run does that). ggml picks its CPU library by cpuid at load time, and on a Sapphire
 * Rapids class host it would take the {@code sapphirerapids} build, which uses AMX — AMX traps on our KVM
 * hosts. So the oracle runs from a mirror of node_modules made of symbolic links in which every AMX build is
 * left out: ggml then scores the remaining builds and takes the best one the CPU supports (an AVX-512 build
 * on Intel, {@code zen4} or {@code haswell} on AMD — whatever the host), and node resolves modules through the
 * links ({@code --preserve-symlinks}).
 */
final class LlamaCpp {
    private final Path root;
    private final ObjectMapper json = new ObjectMapper();

    private LlamaCpp(Path root) {
        this.root = root;
    }

    /** The oracle in a fresh mirror under {@code dir}; skips the calling test when node or the package is missing. */
    static LlamaCpp in(Path dir) throws IOException {
        Path modules = TestData.root().resolve("node_modules");
        Assumptions.assumeTrue(Files.isRegularFile(modules.resolve("node-llama-cpp/package.json")),
                "node-llama-cpp is not installed: run `npm ci` at the repository root (CI does)");
        Assumptions.assumeTrue(nodeWorks(), "node is not on the PATH");
        Path mirror = Files.createDirectories(dir.resolve("node_modules"));
        try (var entries = Files.list(modules)) {
            for (Path e : entries.toList()) {
                if (e.getFileName().toString().equals("@node-llama-cpp")) mirrorBinaries(e, mirror.resolve("@node-llama-cpp"));
                else Files.createSymbolicLink(mirror.resolve(e.getFileName()), e);
            }
        }
        Files.copy(TestData.root().resolve("hymt-cli/src/test/node/llamacpp-judge.mjs"), dir.resolve("llamacpp-judge.mjs"));
        return new LlamaCpp(dir);
    }

    /** The prebuilt-binary packages, linked file by file except the AMX builds of ggml's CPU backend. */
    private static void mirrorBinaries(Path scope, Path target) throws IOException {
        Files.createDirectories(target);
        try (var walk = Files.walk(scope)) {
            for (Path p : walk.toList()) {
                Path to = target.resolve(scope.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(to);
                else if (!p.getFileName().toString().contains("sapphirerapids")) Files.createSymbolicLink(to, p);
            }
        }
    }

    private static boolean nodeWorks() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** Runs {@code runs} (see llamacpp-judge.mjs) and returns the response's runs, in order. */
    JsonNode run(List<Map<String, Object>> runs) throws IOException, InterruptedException {
        Path request = Files.createTempFile(root, "request", ".json"), response = Files.createTempFile(root, "response", ".json");
        json.writeValue(request.toFile(), Map.of("runs", runs));
        Process p = new ProcessBuilder("node", "--preserve-symlinks", "--preserve-symlinks-main", "llamacpp-judge.mjs",
                request.toString(), response.toString()).directory(root.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("llama.cpp oracle timed out:\n" + output);
        }
        if (p.exitValue() != 0) throw new IllegalStateException("llama.cpp oracle failed (exit " + p.exitValue() + "):\n" + output);
        return json.readTree(response.toFile()).path("runs");
    }
}
