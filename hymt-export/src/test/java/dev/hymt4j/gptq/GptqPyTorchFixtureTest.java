package dev.hymt4j.gptq;

import dev.hymt4j.safetensors.SafetensorsFile;
import dev.hymt4j.tensor.MappedMatrix;
import dev.hymt4j.testing.TestData;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our GPTQ against an independent PyTorch implementation of fasterquant run in float64
 * ({@code testdata/gptq/make_fasterquant_fixture.py}): same W and H, reference float scales (no F16 rounding),
 * no zero clamping (sym, or gptq_v2 for asymmetric). Codes, zeros and g_idx must be identical, scales and the
 * weights entering the quantizer equal to 1e-9.
 */
class GptqPyTorchFixtureTest {

    @Test
    void everyCaseMatchesTheTorchOracle() throws Exception {
        try (SafetensorsFile f = SafetensorsFile.open(TestData.path("gptq/fasterquant-fixture.safetensors"))) {
            int rows = 16, cols = 96;
            float[] w = f.readFloats("W");
            double[] h = new double[cols * cols];
            var hs = f.data("H");
            for (int i = 0; i < h.length; i++) h[i] = hs.getAtIndex(SafetensorsFile.F64_LE, i);
            GptqOptions base = GptqOptions.DEFAULT.withF16Scales(false);
            Object[][] cases = {
                    {"sym4_g32", base.withGroupSize(32)},
                    {"act4_g32", base.withGroupSize(32).withActOrder(true)},
                    {"asym4_g64_b48", base.withGroupSize(64).withSym(false).withV2(true).withBlockSize(48)},
                    {"static_act4_g32", base.withGroupSize(32).withActOrder(true).withStaticGroups(true)},
                    {"sym2_row", base.withBits(2).withGroupSize(-1)},
            };
            for (Object[] c : cases) {
                String name = (String) c[0];
                GptqOptions o = (GptqOptions) c[1];
                Gptq.Result r = Gptq.quantize(MappedMatrix.ofFloats(w, rows, cols), h.clone(), o, true);
                long[] codes = f.readLongs(name + ".codes"), zeros = f.readLongs(name + ".zeros"), gIdx = f.readLongs(name + ".g_idx");
                var scales = f.data(name + ".scales");
                var pre = f.data(name + ".pre");
                for (int i = 0; i < rows * cols; i++) {
                    assertEquals(pre.getAtIndex(SafetensorsFile.F64_LE, i), r.preRounding()[i], 1e-9, name + " pre " + i);
                    assertEquals(codes[i], r.codes()[i], name + " code " + i);
                }
                for (int i = 0; i < cols; i++) assertEquals(gIdx[i], r.gIdx()[i], name + " g_idx " + i);
                assertEquals(zeros.length, r.zeros().length, name + " groups");
                for (int i = 0; i < zeros.length; i++) {
                    assertEquals(zeros[i], r.zeros()[i], name + " zero " + i);
                    assertEquals(scales.getAtIndex(SafetensorsFile.F64_LE, i), r.scales()[i], 1e-12, name + " scale " + i);
                }
                assertTrue(r.error() > 0, name);
            }
        }
    }
}
