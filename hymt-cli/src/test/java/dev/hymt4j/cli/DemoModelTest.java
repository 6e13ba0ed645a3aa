package dev.hymt4j.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static dev.hymt4j.cli.CoreCommandsTest.hymt;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Base of the command tests that run on one demo model ({@code hymt init-demo}), written once per test class. */
abstract class DemoModelTest {
    @TempDir
    static Path tmp;
    static Path model;

    @BeforeAll
    static void demoModel() {
        model = tmp.resolve("demo");
        assertEquals(0, hymt("init-demo", model.toString()).exitCode());
    }
}
