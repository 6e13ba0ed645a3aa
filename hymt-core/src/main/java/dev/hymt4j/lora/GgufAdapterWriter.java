package dev.hymt4j.lora;

import dev.hymt4j.gguf.GgmlType;
import dev.hymt4j.gguf.GgufFile;
import dev.hymt4j.gguf.GgufValue;
import dev.hymt4j.gguf.GgufWriter;
import dev.hymt4j.gguf.HunyuanGguf;
import dev.hymt4j.quant.BlockCodec;
import dev.hymt4j.quant.GgufFileType;
import dev.hymt4j.quant.LlamaQuantTypes;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Writes a LoRA adapter in llama.cpp's GGUF adapter format (spec formats.md §5.8, {@code convert_lora_to_gguf.py}):
 * {@code general.type = "adapter"}, {@code adapter.type = "lora"}, {@code adapter.lora.alpha}, and for each adapted
 * projection {@code <gguf name>.lora_a} ({@code ne = [in, r]}) and {@code .lora_b} ({@code ne = [r, out]}).
 * llama.cpp scales by {@code alpha / r} with r read from {@code lora_b}; there is no rsLoRA flag, so an rsLoRA
 * adapter (scaling {@code alpha / √r}) is written with {@code alpha·√r}, which gives llama.cpp the same scaling.
 */
public final class GgufAdapterWriter {
    private GgufAdapterWriter() {}

    /** The alpha to store so that llama.cpp's {@code alpha / r} equals the adapter's own scaling. */
    static float storedAlpha(LoraConfig config) {
        return (float) (config.useRslora() ? config.loraAlpha() * Math.sqrt(config.r()) : config.loraAlpha());
    }

    /** Writes {@code adapter} to {@code out} (atomically) with tensors of {@code type} (F32, F16 or BF16). */
    public static void write(LoraAdapter adapter, GgufFileType type, String name, Path out) throws IOException {
        GgmlType tensorType = type.defaultType();
        if (tensorType.isQuantized()) throw new IllegalArgumentException("adapter tensors are written as F32, F16 or BF16, not " + type);
        GgufWriter w = new GgufWriter();
        w.put(GgufFile.KEY_ARCHITECTURE, GgufValue.string(HunyuanGguf.ARCH));
        w.put("general.type", GgufValue.string("adapter"));
        w.put("general.name", GgufValue.string(name));
        w.put("adapter.type", GgufValue.string("lora"));
        w.put("adapter.lora.alpha", GgufValue.f32(storedAlpha(adapter.config())));
        w.put("general.file_type", GgufValue.u32(type.id()));
        w.put("general.quantization_version", GgufValue.u32(2));
        record Entry(String name, long[] ne, float[] values) {}
        List<Entry> entries = new ArrayList<>();
        for (LoraModule m : adapter.modules()) {
            String base = HunyuanGguf.toGguf(m.target().modulePath(m.layer()) + ".weight").orElseThrow();
            entries.add(new Entry(base + ".lora_a", new long[] {m.inFeatures(), m.rank()}, m.a().value()));
            entries.add(new Entry(base + ".lora_b", new long[] {m.rank(), m.outFeatures()}, m.b().value()));
        }
        entries.sort(Comparator.comparing(Entry::name, LlamaQuantTypes.LOADER_ORDER));
        BlockCodec codec = BlockCodec.of(tensorType);
        for (Entry e : entries) {
            byte[] bytes = new byte[(int) tensorType.rowBytes(e.values().length)];
            codec.quantize(e.values(), 0, e.values().length, bytes, 0);
            w.addTensor(e.name(), e.ne(), tensorType, MemorySegment.ofArray(bytes));
        }
        w.write(out);
    }
}
