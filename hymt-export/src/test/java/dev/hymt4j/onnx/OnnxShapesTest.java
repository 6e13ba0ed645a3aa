package dev.hymt4j.onnx;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hymt4j.model.DemoModel;
import dev.hymt4j.safetensors.DType;
import dev.hymt4j.testing.TestData;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exports of model shapes other than the golden one — multi-head, multi-query and grouped attention, other head
 * sizes, an untied head, no q/k norms, odd widths — run in ONNX Runtime with our engine's logits, in one pass and
 * step by step with the KV cache: the graph follows the layer description whatever the config says.
 */
class OnnxShapesTest {
    @TempDir
    static Path tmp;

    @ParameterizedTest(name = "vocab {0}, hidden {1}, layers {2}, heads {3}/{4} × {5}, ff {6}, tied {7}, qk-norm {8}")
    @CsvSource({
            "300, 96, 3, 6, 6, 16, 200, true, true",     // multi-head: every query head has its own KV head
            "301, 48, 2, 6, 1, 8, 130, false, true",     // multi-query, untied head, odd vocabulary
            "256, 64, 2, 8, 2, 32, 96, true, false",     // head_dim 32 with hidden < heads·head_dim, no q/k norms
    })
    void ortRunsTheExportWithTheEnginesLogits(int vocab, int hidden, int layers, int heads, int kvHeads, int headDim, int ff, boolean tied,
                                              boolean qkNorm) throws Exception {
        Path model = tmp.resolve("m-" + vocab + "-" + hidden + "-" + heads + "-" + kvHeads + "-" + qkNorm);
        DemoModel.write(model, new DemoModel.Shape(vocab, hidden, layers, heads, kvHeads, headDim, ff, tied), DType.F32, 11);
        if (!qkNorm) {
            ObjectMapper json = new ObjectMapper();
            ObjectNode config = (ObjectNode) json.readTree(model.resolve("config.json").toFile());
            config.put("use_qk_norm", false);
            json.writeValue(model.resolve("config.json").toFile(), config);
        }
        Path onnx = tmp.resolve(model.getFileName() + "-onnx");
        OnnxExporter.export(model, onnx, OnnxExportTest.FP32);
        int[] ids = {1, 17, 250, 3, 99, 42, 7, 200, 5};
        float[] engine = OnnxExportTest.engine(model, ids);
        try (OrtDecoder d = new OrtDecoder(onnx.resolve("model.onnx"), layers, kvHeads, headDim, vocab)) {
            float[] full = d.forward(ids);
            double err = TestData.relL2(full, engine);
            assertTrue(err < 1e-5, "ORT vs engine rel L2 " + err);
            d.reset(1);
            float[] stepped = new float[full.length];
            float[] first = d.step(new long[][]{{ids[0], ids[1]}}, new long[][]{{1, 1}});
            System.arraycopy(first, 0, stepped, 0, first.length);
            for (int t = 2; t < ids.length; t++) {
                System.arraycopy(d.step(new long[][]{{ids[t]}}, new long[][]{{1}}), 0, stepped, t * vocab, vocab);
            }
            double cached = TestData.relL2(stepped, full);
            assertTrue(cached < 1e-6, "cached decode vs full forward rel L2 " + cached);
        }
    }
}
