package dev.hymt4j.gptq;

import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hymt4j.io.AtomicFile;
import dev.hymt4j.lora.PythonJson;
import dev.hymt4j.model.Checkpoint;
import dev.hymt4j.quant.GptqConfig;
import dev.hymt4j.quant.GptqMatrix;
import dev.hymt4j.safetensors.DType;
import dev.hymt4j.safetensors.SafetensorsWriter;
import dev.hymt4j.safetensors.TensorInfo;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Writes a Hugging Face GPTQ model directory (formats spec §4.6–4.7) that transformers + optimum/GPTQModel,
 * AutoGPTQ and vLLM load: per quantized linear {@code qweight} (I32), {@code qzeros} (I32, v1 "zero − 1" unless
 * gptq_v2), {@code scales} (F16) and {@code g_idx} (I32) only where act-order makes it non-trivial (as Tencent's
 * release ships it; loaders default to {@code i / group_size}); every other tensor copied unchanged from the
 * source; {@code config.json} with {@code quantization_config}; {@code quantize_config.json} for the AutoGPTQ /
 * GPTQModel readers; tokenizer and generation files copied.
 *
 * <p>Packed layers go into a scratch file as they are produced (mapped: page cache, not heap) and the returned
 * matrices read from there, so quantizing a model holds no more than one layer's packed weights on the heap.
 */
public final class GptqCheckpointWriter implements AutoCloseable {
    /** The linears quantized in every decoder layer, in AutoGPTQ's true-sequential groups for a Llama-type layer. */
    public static final List<List<String>> SEQUENTIAL_GROUPS = List.of(
            List.of("self_attn.k_proj", "self_attn.v_proj", "self_attn.q_proj"),
            List.of("self_attn.o_proj"),
            List.of("mlp.up_proj", "mlp.gate_proj"),
            List.of("mlp.down_proj"));
    static final String VERSION = "hymt4j:0.1.0";

    private record Slot(long offset, long qweight, long qzeros, long scales, long gIdx) {}

    private final Checkpoint source;
    private final Path outDir;
    private final GptqOptions options;
    private final Map<String, Slot> slots = new LinkedHashMap<>();
    private final Map<String, GptqMatrix> stored = new LinkedHashMap<>();
    private final Path scratch;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment scratchMap;

    /** @param linears prefix → {rows, cols} of every linear to be quantized */
    public GptqCheckpointWriter(Checkpoint source, Path outDir, GptqOptions options, Map<String, int[]> linears) throws IOException {
        if (Files.exists(outDir) && Files.isSameFile(outDir, source.dir())) {
            throw new IllegalArgumentException(outDir + ": the output directory must differ from the model directory");
        }
        this.source = source;
        this.outDir = outDir;
        this.options = options;
        GptqConfig c = options.config();
        long size = 0;
        for (Map.Entry<String, int[]> e : linears.entrySet()) {
            int rows = e.getValue()[0], cols = e.getValue()[1];
            long qweight = (long) cols / c.packFactor() * rows * 4, qzeros = (long) c.groups(cols) * rows / c.packFactor() * 4;
            long scales = (long) c.groups(cols) * rows * 2, gIdx = options.actOrder() && !options.staticGroups() ? cols * 4L : 0;
            slots.put(e.getKey(), new Slot(size, qweight, qzeros, scales, gIdx));
            size += align(qweight) + align(qzeros) + align(scales) + align(gIdx);
        }
        Files.createDirectories(outDir);
        this.scratch = Files.createTempFile(outDir, ".gptq-", ".scratch");
        try (FileChannel ch = FileChannel.open(scratch, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            this.scratchMap = size == 0 ? MemorySegment.NULL : ch.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
        }
    }

    private static long align(long bytes) {
        return (bytes + 63) & ~63L;
    }

    /**
     * Packs {@code r} into the scratch file and returns it as a matrix reading from there (what the next layers'
     * calibration runs through, and what gets written).
     */
    public GptqMatrix store(String prefix, Gptq.Result r) {
        Slot s = slots.get(prefix);
        if (s == null) throw new IllegalArgumentException("linear '" + prefix + "' was not planned");
        int[] gIdx = r.naturalGroups() ? null : r.gIdx();
        GptqMatrix packed = GptqMatrix.pack(r.rows(), r.cols(), options.bits(), options.groupSize(), r.codes(), r.scales(), r.zeros(),
                gIdx, options.v2());
        long q = s.offset(), z = q + align(s.qweight()), sc = z + align(s.qzeros()), g = sc + align(s.scales());
        MemorySegment qweight = scratchMap.asSlice(q, s.qweight()).copyFrom(packed.qweight());
        MemorySegment qzeros = scratchMap.asSlice(z, s.qzeros()).copyFrom(packed.qzeros());
        MemorySegment scales = scratchMap.asSlice(sc, s.scales()).copyFrom(packed.scales());
        if (gIdx != null) {
            if (s.gIdx() == 0) throw new IllegalStateException("act-order g_idx for '" + prefix + "' was not planned");
            MemorySegment gs = scratchMap.asSlice(g, s.gIdx());
            for (int i = 0; i < gIdx.length; i++) gs.setAtIndex(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i, gIdx[i]);
        }
        GptqMatrix m = new GptqMatrix(r.rows(), r.cols(), options.bits(), options.groupSize(), qweight, qzeros, scales, gIdx, options.v2());
        stored.put(prefix, m);
        return m;
    }

    /**
     * Writes the model directory: {@code model.safetensors} (quantized linears packed, the rest copied), the
     * configs, and the source's other files.
     *
     * @param calibration a short description of the calibration data for {@code quantization_config.dataset}
     */
    public void write(String calibration, int samples, int seqLen) throws IOException {
        for (String prefix : slots.keySet()) {
            if (!stored.containsKey(prefix)) throw new IllegalStateException("linear '" + prefix + "' was never quantized");
        }
        SafetensorsWriter w = new SafetensorsWriter();
        GptqConfig c = options.config();
        w.metadata("quantizer", VERSION).metadata("gptq_bits", String.valueOf(c.bits()))
                .metadata("gptq_group_size", String.valueOf(c.groupSize())).metadata("gptq_desc_act", pyBool(c.descAct()))
                .metadata("gptq_damp_percent", String.valueOf(c.dampPercent())).metadata("gptq_checkpoint_format", c.checkpointFormat())
                .metadata("gptq_quant_method", "gptq");
        for (String name : source.tensorNames()) {
            String prefix = name.endsWith(".weight") ? name.substring(0, name.length() - ".weight".length()) : null;
            GptqMatrix m = prefix == null ? null : stored.get(prefix);
            if (m == null) {
                TensorInfo t = source.info(name);
                w.add(name, t.dtype(), t.shape(), source.data(name));
                continue;
            }
            int pf = c.packFactor();
            w.add(prefix + ".qweight", DType.I32, new long[]{m.cols() / pf, m.rows()}, m.qweight());
            w.add(prefix + ".qzeros", DType.I32, new long[]{m.groups(), m.rows() / pf}, m.qzeros());
            w.add(prefix + ".scales", DType.F16, new long[]{m.groups(), m.rows()}, m.scales());
            if (!m.naturalOrder()) {
                Slot s = slots.get(prefix);
                long g = s.offset() + align(s.qweight()) + align(s.qzeros()) + align(s.scales());
                w.add(prefix + ".g_idx", DType.I32, new long[]{m.cols()}, scratchMap.asSlice(g, s.gIdx()));
            }
        }
        w.write(outDir.resolve(Checkpoint.SINGLE_FILE));
        writeConfigs(calibration, samples, seqLen);
        copySideFiles();
    }

    private void writeConfigs(String calibration, int samples, int seqLen) throws IOException {
        ObjectMapper json = new ObjectMapper();
        GptqConfig c = options.config();
        ObjectNode config = (ObjectNode) json.readTree(source.dir().resolve("config.json").toFile());
        ObjectNode q = config.putObject("quantization_config");
        q.put("bits", c.bits()).put("group_size", c.groupSize()).put("damp_percent", c.dampPercent())
                .put("desc_act", c.descAct()).put("static_groups", c.staticGroups()).put("sym", c.sym())
                .put("true_sequential", true).put("quant_method", "gptq").put("checkpoint_format", c.checkpointFormat())
                .put("block_name_to_quantize", "model.layers").put("model_seqlen", seqLen).put("dataset", calibration);
        ArrayNode modules = q.putArray("modules_in_block_to_quantize");
        for (List<String> group : SEQUENTIAL_GROUPS) {
            ArrayNode g = modules.addArray();
            group.forEach(g::add);
        }
        ObjectNode meta = q.putObject("meta");
        meta.putArray("quantizer").add(VERSION);
        meta.put("damp_auto_increment", options.dampIncrement()).put("nsamples", samples).put("f16_scales_in_loop", options.f16Scales());
        AtomicFile.writeString(outDir.resolve("config.json"), PythonJson.dumps(config) + "\n");

        // AutoGPTQ's quantize_config.json, keys in its order (json.dump(indent=2)).
        ObjectNode qc = json.createObjectNode();
        qc.put("bits", c.bits()).put("group_size", c.groupSize()).put("damp_percent", c.dampPercent()).put("desc_act", c.descAct())
                .put("static_groups", c.staticGroups()).put("sym", c.sym()).put("true_sequential", true)
                .put("model_name_or_path", (String) null).put("model_file_base_name", "model").put("quant_method", "gptq")
                .put("checkpoint_format", c.checkpointFormat());
        var pretty = new DefaultPrettyPrinter().withSeparators(Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER));
        AtomicFile.writeString(outDir.resolve("quantize_config.json"), json.writer(pretty).writeValueAsString(qc) + "\n");
    }

    /** Tokenizer, generation config, README and the like; not the weights, their index, or the configs we wrote. */
    private void copySideFiles() throws IOException {
        try (Stream<Path> files = Files.list(source.dir())) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                boolean weights = name.endsWith(".safetensors") || name.endsWith(".bin") || name.equals(Checkpoint.INDEX_FILE);
                boolean ours = name.equals("config.json") || name.equals("quantize_config.json") || name.equals("quant_config.json");
                if (Files.isRegularFile(f) && !weights && !ours) Files.copy(f, outDir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static String pyBool(boolean b) {
        return b ? "True" : "False";
    }

    /** Unmaps and deletes the scratch file; matrices returned by {@link #store} must not be used afterwards. */
    @Override
    public void close() throws IOException {
        arena.close();
        Files.deleteIfExists(scratch);
    }
}
