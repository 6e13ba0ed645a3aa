package dev.hymt4j.merge;

import dev.hymt4j.lora.LoraAdapter;
import dev.hymt4j.lora.LoraModule;
import dev.hymt4j.lora.LoraTarget;
import dev.hymt4j.lora.PythonJson;
import dev.hymt4j.model.Checkpoint;
import dev.hymt4j.model.ModelConfig;
import dev.hymt4j.model.ModelException;
import dev.hymt4j.safetensors.DType;
import dev.hymt4j.safetensors.SafetensorsWriter;
import dev.hymt4j.safetensors.TensorData;
import dev.hymt4j.safetensors.TensorInfo;
import dev.hymt4j.tensor.MappedMatrix;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hymt4j.io.AtomicFile;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Writes {@code W + scaling·B·A} for every adapted projection into a new Hugging Face model directory (PEFT's
 * {@code merge_and_unload}, formats spec §2.6): {@code model.safetensors} in the canonical layout, plus every
 * other file of the base directory (config, generation config, tokenizer files) copied.
 *
 * <p>Memory: tensors that keep their bytes are written straight from the base's mapping; merged or converted
 * tensors are computed one at a time into a scratch file that is mapped (page cache, not heap) and deleted
 * afterwards. The heap never holds more than one projection's worth of floats.
 */
public final class Merger {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Merger() {}

    /** {@code dtype}: F32 or BF16 for the floating tensors of the output, or null for the base's dtype. */
    public static void merge(Path modelDir, Path adapterDir, Path outDir, DType dtype) throws IOException {
        try (Checkpoint ckpt = Checkpoint.open(modelDir)) {
            merge(ckpt, LoraAdapter.load(adapterDir, ckpt.config()), outDir, dtype);
        }
    }

    public static void merge(Checkpoint ckpt, LoraAdapter adapter, Path outDir, DType dtype) throws IOException {
        if (dtype != null && dtype != DType.F32 && dtype != DType.BF16) {
            throw new IllegalArgumentException("merge output dtype must be F32 or BF16, got " + dtype);
        }
        if (Files.exists(outDir) && Files.isSameFile(outDir, ckpt.dir())) {
            throw new IllegalArgumentException(outDir + ": the output directory must differ from the base model directory");
        }
        ModelConfig c = ckpt.config();
        DType baseDtype = ckpt.info("model.embed_tokens.weight").dtype();
        DType out = dtype == null ? baseDtype : dtype;
        Files.createDirectories(outDir);

        // Plan: which tensors need new bytes (merged or converted), and where they go in the scratch file.
        Map<String, LoraModule> merged = new LinkedHashMap<>();
        Map<String, Long> scratchOffset = new LinkedHashMap<>();
        long scratchSize = 0;
        for (String name : ckpt.tensorNames()) {
            TensorInfo t = ckpt.info(name);
            LoraModule m = moduleOf(name, adapter, c);
            if (m != null) merged.put(name, m);
            if (m != null || (t.dtype().isFloating() && t.dtype() != out)) {
                scratchOffset.put(name, scratchSize);
                scratchSize += t.numel() * (t.dtype().isFloating() ? out.bytes() : t.dtype().bytes());
            }
        }
        for (String fused : fusedGateUp(ckpt, adapter, c)) {
            merged.put(fused, null);
            if (!scratchOffset.containsKey(fused)) {
                scratchOffset.put(fused, scratchSize);
                scratchSize += ckpt.info(fused).numel() * out.bytes();
            }
        }

        Path scratch = Files.createTempFile(outDir, ".merge-", ".scratch");
        try (Arena arena = Arena.ofShared();
             FileChannel ch = FileChannel.open(scratch, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MemorySegment scratchMap = scratchSize == 0 ? MemorySegment.NULL
                    : ch.map(FileChannel.MapMode.READ_WRITE, 0, scratchSize, arena);
            SafetensorsWriter w = new SafetensorsWriter();
            for (String name : ckpt.tensorNames()) {
                TensorInfo t = ckpt.info(name);
                Long off = scratchOffset.get(name);
                if (off == null) {
                    w.add(name, t.dtype(), t.shape(), ckpt.data(name));
                    continue;
                }
                MemorySegment dst = scratchMap.asSlice(off, t.numel() * out.bytes());
                if (merged.containsKey(name)) writeMerged(ckpt, name, t, adapter, c, out, dst);
                else convert(ckpt.data(name), t.dtype(), t.numel(), out, dst);
                w.add(name, out, t.shape(), dst);
            }
            w.write(outDir.resolve(Checkpoint.SINGLE_FILE));
        } finally {
            Files.deleteIfExists(scratch);
        }
        copySideFiles(ckpt.dir(), outDir, dtype != null && dtype != baseDtype ? out : null);
    }

    /** The adapter module whose base weight is tensor {@code name}, if any. */
    private static LoraModule moduleOf(String name, LoraAdapter adapter, ModelConfig c) {
        for (LoraModule m : adapter.modules()) {
            if (name.equals(m.target().modulePath(m.layer()) + ".weight")) return m;
        }
        return null;
    }

    /** Fused {@code mlp.gate_and_up_proj.weight} tensors whose gate or up half is adapted. */
    private static List<String> fusedGateUp(Checkpoint ckpt, LoraAdapter adapter, ModelConfig c) {
        List<String> names = new ArrayList<>();
        for (int l = 0; l < c.numLayers(); l++) {
            String fused = "model.layers." + l + ".mlp.gate_and_up_proj.weight";
            if (ckpt.has(fused) && (adapter.module(l, LoraTarget.GATE_PROJ) != null || adapter.module(l, LoraTarget.UP_PROJ) != null)) {
                names.add(fused);
            }
        }
        return names;
    }

    private static void writeMerged(Checkpoint ckpt, String name, TensorInfo t, LoraAdapter adapter, ModelConfig c, DType out,
                                    MemorySegment dst) throws ModelException {
        int rows = (int) t.shape()[0], cols = (int) t.shape()[1];
        MappedMatrix w = new MappedMatrix(ckpt.data(name), t.dtype(), rows, cols);
        // A fused gate/up tensor carries two projections: gate rows first, then up rows.
        LoraModule[] parts;
        int[] firstRow;
        if (name.endsWith("gate_and_up_proj.weight")) {
            int layer = Integer.parseInt(name.split("\\.")[2]);
            parts = new LoraModule[]{adapter.module(layer, LoraTarget.GATE_PROJ), adapter.module(layer, LoraTarget.UP_PROJ)};
            firstRow = new int[]{0, c.intermediateSize()};
        } else {
            parts = new LoraModule[]{moduleOf(name, adapter, c)};
            firstRow = new int[]{0};
        }
        float[] row = new float[cols];
        for (int p = 0; p < parts.length; p++) {
            LoraModule m = parts[p];
            int r0 = firstRow[p], r1 = parts.length == 1 ? rows : firstRow[p] + c.intermediateSize();
            float[] delta = m == null ? null : m.deltaWeight();
            for (int r = r0; r < r1; r++) {
                w.readRow(r, row, 0);
                if (delta != null) for (int j = 0; j < cols; j++) row[j] += delta[(r - r0) * cols + j];
                store(row, out, dst, (long) r * cols);
            }
        }
    }

    private static void convert(MemorySegment src, DType from, long numel, DType out, MemorySegment dst) {
        float[] buf = new float[(int) Math.min(numel, 1 << 20)];
        for (long base = 0; base < numel; base += buf.length) {
            int len = (int) Math.min(buf.length, numel - base);
            for (int i = 0; i < len; i++) {
                long idx = base + i;
                buf[i] = switch (from) {
                    case F32 -> src.getAtIndex(F32, idx);
                    case BF16 -> TensorData.bf16ToFloat(src.getAtIndex(I16, idx));
                    case F16 -> TensorData.f16ToFloat(src.getAtIndex(I16, idx));
                    default -> throw new IllegalArgumentException("cannot convert " + from);
                };
            }
            if (len == buf.length) store(buf, out, dst, base);
            else store(java.util.Arrays.copyOf(buf, len), out, dst, base);
        }
    }

    private static void store(float[] values, DType out, MemorySegment dst, long index) {
        if (out == DType.F32) {
            MemorySegment.copy(values, 0, dst, F32, index * 4, values.length);
        } else {
            for (int i = 0; i < values.length; i++) dst.setAtIndex(I16, index + i, TensorData.floatToBf16(values[i]));
        }
    }

    /**
     * Copies every other file of the base directory (config, generation config, tokenizer files); the weights and
     * their shard index are not copied. When the dtype changes, {@code config.json}'s {@code torch_dtype} /
     * {@code dtype} field follows.
     */
    private static void copySideFiles(Path from, Path to, DType changedDtype) throws IOException {
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (!Files.isRegularFile(f) || name.endsWith(".safetensors") || name.equals(Checkpoint.INDEX_FILE)
                        || name.endsWith(".bin")) {
                    continue;
                }
                if (name.equals("config.json") && changedDtype != null) {
                    ObjectNode cfg = (ObjectNode) new ObjectMapper().readTree(f.toFile());
                    String torchName = changedDtype == DType.F32 ? "float32" : "bfloat16";
                    if (cfg.has("torch_dtype")) cfg.put("torch_dtype", torchName);
                    if (cfg.has("dtype") || !cfg.has("torch_dtype")) cfg.put("dtype", torchName);
                    AtomicFile.writeString(to.resolve(name), PythonJson.dumps(cfg) + "\n");
                } else {
                    Files.copy(f, to.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
