package dev.hymt4j.onnx;

import dev.hymt4j.testing.TestData;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Optional oracle: the reference {@code onnx.checker.check_model(full_check=True)} (strict shape and type
 * inference) accepts our fp32, int4 and external-data exports. Skips when no Python with the {@code onnx}
 * package is found ({@code HYMT_PYTHON}, else {@code /work/py/bin/python}).
 */
class OnnxCheckerTest {
    static final String SCRIPT = """
            import sys, onnx
            for path in sys.argv[1:]:
                onnx.checker.check_model(path, full_check=True)
                m = onnx.load(path)
                names = [i.name for i in m.graph.input]
                assert names[:3] == ["input_ids", "attention_mask", "position_ids"], names
                print("ok", path, len(m.graph.node), "nodes")
            """;

    static Path python() {
        String env = System.getenv("HYMT_PYTHON");
        Path p = Path.of(env != null ? env : "/work/py/bin/python");
        return Files.isExecutable(p) ? p : null;
    }

    @Test
    void referenceCheckerAcceptsOurExports(@TempDir Path tmp) throws Exception {
        Path python = python();
        Assumptions.assumeTrue(python != null, "no Python found (set HYMT_PYTHON) — skipping the onnx.checker oracle");
        Process probe = new ProcessBuilder(python.toString(), "-c", "import onnx").redirectErrorStream(true).start();
        Assumptions.assumeTrue(probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0, "Python has no onnx package — skipping");
        Path tiny = TestData.path("golden/tiny-tied");
        OnnxExporter.export(tiny, tmp.resolve("fp32"), new OnnxExporter.Options(OnnxExporter.Precision.FP32, 32, 0, null));
        OnnxExporter.export(tiny, tmp.resolve("int4"), new OnnxExporter.Options(OnnxExporter.Precision.INT4, 32, 4, null));
        OnnxExporter.export(tiny, tmp.resolve("ext"), new OnnxExporter.Options(OnnxExporter.Precision.FP16, 32, 0, true));
        Process p = new ProcessBuilder(python.toString(), "-c", SCRIPT, tmp.resolve("fp32/model.onnx").toString(),
                tmp.resolve("int4/model.onnx").toString(), tmp.resolve("ext/model.onnx").toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(120, TimeUnit.SECONDS);
        System.out.print(out);
        assertEquals(0, p.exitValue(), out);
    }
}
