package dev.hymt4j.cli;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.hymt4j.cli.CoreCommandsTest.hymt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code hymt serve} as a process: it prints where it listens, becomes ready, and on SIGTERM lets an in-flight
 * stream finish before it exits (about 15 s: a JVM start and the demo model).
 */
class ServeCommandTest extends DemoModelTest {
    @Test
    void sigtermDrainsInFlightRequestsThenExits() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-Xmx1g", "-cp", System.getProperty("java.class.path"),
                Hymt.class.getName(), "serve", "--model", model.toString(), "--port", "0", "--shutdown-grace", "60"));
        Process server = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            String url = null;
            List<String> lines = new ArrayList<>();
            for (String line; (line = out.readLine()) != null; ) {
                lines.add(line);
                if (line.contains("listening on ")) url = line.replaceAll(".*listening on (http://\\S+).*", "$1");
                if (line.contains("ready")) break;
            }
            assertTrue(url != null && lines.getLast().contains("ready"), String.join("\n", lines));
            URI uri = URI.create(url);
            String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}],\"max_tokens\":40,\"ignore_eos\":true,\"stream\":true}";
            try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
                socket.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                StringBuilder stream = new StringBuilder();
                for (String line; (line = in.readLine()) != null; ) {
                    stream.append(line).append('\n');
                    if (line.startsWith("data: {")) break; // the stream has started: now send SIGTERM
                }
                server.destroy(); // SIGTERM
                for (String line; (line = in.readLine()) != null; ) stream.append(line).append('\n');
                assertTrue(stream.toString().contains("\"finish_reason\":\"length\""), stream.toString());
                assertTrue(stream.toString().contains("data: [DONE]"), stream.toString());
            }
            assertTrue(server.waitFor(60, TimeUnit.SECONDS), "server did not exit after SIGTERM");
        } finally {
            server.destroyForcibly();
        }
    }

    @Test
    void badOptionsAreOneClearLine() {
        CoreCommandsTest.Run r = hymt("serve", "--model", model.toString(), "--adapter", "legal");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("--adapter legal: expected NAME=DIR"), r.err());
        CoreCommandsTest.Run keys = hymt("serve", "--model", model.toString(), "--api-key-file", tmp.resolve("none.txt").toString());
        assertEquals(1, keys.exitCode());
        assertTrue(keys.err().contains("none.txt: file not found"), keys.err());
        CoreCommandsTest.Run adapter = hymt("serve", "--model", model.toString(), "--port", "0", "--adapter", "x=" + tmp.resolve("nope"));
        assertEquals(1, adapter.exitCode());
        assertTrue(adapter.err().contains("adapter directory not found"), adapter.err());
    }
}
