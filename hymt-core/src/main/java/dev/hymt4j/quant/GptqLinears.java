package dev.hymt4j.quant;

import dev.hymt4j.model.Checkpoint;
import dev.hymt4j.model.ModelException;
import dev.hymt4j.safetensors.DType;
import dev.hymt4j.safetensors.SafetensorsFile;
import dev.hymt4j.safetensors.TensorInfo;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The quantized linears of a Hugging Face GPTQ checkpoint (formats spec §4.6–4.8), mapped as {@link GptqMatrix}.
 * Every assumption about the layout is checked per tensor, and what was found is kept for {@link #findings()} —
 * e.g. for Tencent's {@code HY-MT1.5-1.8B-GPTQ-Int4} (AngelSlim's packer: symmetric, group 128, v1, no
 * {@code g_idx}, {@code lm_head} unquantized) the expected findings are "no g_idx tensors: natural column order",
 * "symmetric zeros (every qzeros word 0x77777777)" and "lm_head not quantized".
 */
public final class GptqLinears {
    private final Checkpoint ckpt;
    private final GptqConfig config;
    private final Set<String> findings = new LinkedHashSet<>();
    private int linears, withGIdx, permuted, asymmetricGroups;

    public GptqLinears(Checkpoint ckpt, GptqConfig config) {
        this.ckpt = ckpt;
        this.config = config;
        findings.add("GPTQ " + config.bits() + "-bit, group size " + config.groupSize() + ", checkpoint_format "
                + config.checkpointFormat() + ", desc_act " + config.descAct() + ", sym " + config.sym() + " (from " + config.source() + ")");
        findings.addAll(config.notes());
    }

    public GptqConfig config() {
        return config;
    }

    /** True when {@code prefix} (e.g. {@code model.layers.0.self_attn.q_proj}) is stored quantized. */
    public boolean isQuantized(String prefix) {
        return ckpt.has(prefix + ".qweight");
    }

    /** The tensors linear {@code prefix} is stored as: qweight, qzeros, scales, and g_idx where present. */
    public Set<String> storedTensors(String prefix) {
        Set<String> names = new LinkedHashSet<>(List.of(prefix + ".qweight", prefix + ".qzeros", prefix + ".scales"));
        if (ckpt.has(prefix + ".g_idx")) names.add(prefix + ".g_idx");
        return names;
    }

    /** The quantized linear {@code prefix} of shape {@code [rows = out, cols = in]}, its layout checked. */
    public GptqMatrix matrix(String prefix, int rows, int cols) throws ModelException {
        int bits = config.bits(), pf = config.packFactor(), groups = config.groups(cols);
        if (ckpt.has(prefix + ".bias")) {
            throw new ModelException(ckpt.dir() + ": '" + prefix + ".bias' present; HunYuan linears have no bias");
        }
        if (cols % pf != 0 || rows % pf != 0) {
            throw new ModelException(ckpt.dir() + ": '" + prefix + "' [" + rows + ", " + cols + "] cannot hold " + bits + "-bit codes (dimensions must be multiples of " + pf + ")");
        }
        MemorySegment qweight = tensor(prefix + ".qweight", DType.I32, cols / pf, rows);
        int[] gIdx = null;
        if (ckpt.has(prefix + ".g_idx")) {
            withGIdx++;
            gIdx = readGIdx(prefix + ".g_idx", cols);
            groups = Arrays.stream(gIdx).max().orElse(0) + 1;
        } else if (config.descAct() && !config.staticGroups()) {
            throw new ModelException(ckpt.dir() + ": desc_act is true but '" + prefix + ".g_idx' is missing: the act-order "
                    + "column groups are unknown");
        }
        MemorySegment qzeros = tensor(prefix + ".qzeros", DType.I32, groups, rows / pf);
        MemorySegment scales = tensor(prefix + ".scales", DType.F16, groups, rows);
        GptqMatrix m;
        try {
            m = new GptqMatrix(rows, cols, bits, config.groupSize(), qweight, qzeros, scales, gIdx, config.v2());
        } catch (IllegalArgumentException e) {
            throw new ModelException(ckpt.dir() + ": '" + prefix + "': " + e.getMessage());
        }
        linears++;
        if (!m.naturalOrder()) permuted++;
        int symmetric = (config.maxq() + 1) / 2;
        for (int g = 0; g < m.groups() && asymmetricGroups == 0; g++) {
            for (int o = 0; o < rows; o++) {
                if (m.zero(g, o) != symmetric) {
                    asymmetricGroups++;
                    break;
                }
            }
        }
        return m;
    }

    private MemorySegment tensor(String name, DType dtype, long... shape) throws ModelException {
        TensorInfo t = ckpt.info(name);
        if (t.dtype() != dtype) {
            throw new ModelException(ckpt.fileOf(name) + ": tensor '" + name + "' has dtype " + t.dtype() + " (GPTQ stores it as " + dtype + ")");
        }
        if (!t.hasShape(shape)) {
            throw new ModelException(ckpt.fileOf(name) + ": tensor '" + name + "' has shape " + t.shapeString() + " but config.json and "
                    + "the GPTQ settings imply " + Arrays.toString(shape));
        }
        return ckpt.data(name);
    }

    private int[] readGIdx(String name, int cols) throws ModelException {
        MemorySegment s = tensor(name, DType.I32, cols);
        int[] g = new int[cols];
        for (int i = 0; i < cols; i++) {
            g[i] = s.getAtIndex(SafetensorsFile.I32_LE, i);
            if (g[i] < 0 || g[i] >= cols) {
                throw new ModelException(ckpt.fileOf(name) + ": tensor '" + name + "'[" + i + "] = " + g[i] + " is not a group index");
            }
        }
        return g;
    }

    /** What loading found, one line each (for {@code hymt inspect} and the load log). */
    public List<String> findings() {
        List<String> out = new ArrayList<>(findings);
        if (linears > 0) {
            out.add(linears + " quantized linears; " + (withGIdx == 0 ? "no g_idx tensors: natural column order"
                    : withGIdx + " with g_idx, " + permuted + " of them act-order permuted"));
            int words = config.maxq() + 1;
            out.add(asymmetricGroups == 0
                    ? "symmetric zeros (every zero point " + words / 2 + (config.bits() == 4 && !config.v2() ? ", qzeros words 0x77777777" : "") + ")"
                    : "asymmetric zero points" + (config.sym() ? " although sym is true: the stored zeros are used" : ""));
        }
        out.add(ckpt.has("lm_head.qweight") ? "lm_head quantized" : "lm_head not quantized");
        return out;
    }
}
