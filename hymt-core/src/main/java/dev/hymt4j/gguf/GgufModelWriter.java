package dev.hymt4j.gguf;

import dev.hymt4j.model.LayerWeights;
import dev.hymt4j.model.ModelConfig;
import dev.hymt4j.model.ModelWeights;
import dev.hymt4j.quant.BlockCodec;
import dev.hymt4j.quant.BlockMatrix;
import dev.hymt4j.quant.GgufFileType;
import dev.hymt4j.quant.LlamaQuantTypes;
import dev.hymt4j.tensor.MappedMatrix;
import dev.hymt4j.tensor.Matrix;
import dev.hymt4j.tensor.Parallel;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a model as a {@code hunyuan-dense} GGUF file of a {@link GgufFileType}: llama-quantize's type for
 * each tensor ({@link LlamaQuantTypes}), ggml's reference quantizer for the blocks (byte-identical to
 * llama-quantize on the same float input), the hyper-parameters as llama.cpp's converter writes them, and
 * whatever else the caller adds (the tokenizer). Rows are read, quantized and written a chunk at a time, in
* parallel over rows (each row's blocks depend on that row only, so the output is the same for any thread
 * count); the pages of a mapped source are released after each chunk, so the resident memory stays far below
 * the model's size.
 */
public final class GgufModelWriter {
    private GgufModelWriter() {}

    /** Rows per chunk: enough work to split across threads, small enough to stay in cache and RAM. */
    private static final int CHUNK_ROWS = 64;

    /** Told as each tensor starts and as elements are written (for a progress bar). */
    public interface Progress {
        Progress NONE = new Progress() {};

        default void tensor(String name, GgmlType type, int index, int count) {}

        default void advanced(long elementsDone, long elementsTotal) {}
    }

    /** One tensor to write: the GGUF name, ggml dimensions, and either a matrix or a 1-D vector. */
    private record Item(String name, long[] ne, Matrix matrix, float[] vector) {
        long elements() {
            long n = 1;
            for (long d : ne) n *= d;
            return n;
        }
    }

    /**
     * Writes {@code weights} to {@code out} (atomically) with {@code metadata} (the converter's keys for an HF
     * source, see {@link HunyuanGguf#converterMetadata}, plus the tokenizer; or a GGUF source's own keys), then
     * {@code general.quantization_version} and {@code general.file_type} moved to the end as llama-quantize
     * sets them — so re-quantizing a GGUF gives llama-quantize's file byte for byte.
     */
    public static void write(ModelWeights weights, GgufFileType fileType, GgufMetadata metadata, Path out, Progress progress)
            throws IOException {
        write(weights, fileType, metadata, out, progress, (name, m, chosen) -> new Choice(chosen, null));
    }

    /** How one matrix is written: its ggml type and, when the caller converts it without going through float, its blocks. */
    public record Choice(GgmlType type, Blocks blocks) {}

    /** One row of a matrix as ggml blocks of the chosen type, into {@code dst} from {@code off}. */
    public interface Blocks {
        void encodeRow(int row, byte[] dst, int off);
    }

    /** Replaces llama-quantize's choice for a matrix: GGUF name, the matrix, the type llama-quantize gives it. */
    public interface TypeChoice {
        Choice choose(String name, Matrix m, GgmlType llamaQuantize) throws IOException;
    }

    /**
     * {@link #write(ModelWeights, GgufFileType, GgufMetadata, Path, Progress)} with each matrix's type (and, for a
     * lossless conversion from another quantized format, its blocks) decided by {@code choice}.
     */
    public static void write(ModelWeights weights, GgufFileType fileType, GgufMetadata metadata, Path out, Progress progress,
                             TypeChoice choice) throws IOException {
        ModelConfig c = weights.config();
        List<Item> items = items(weights);
        List<LlamaQuantTypes.Tensor> shapes = new ArrayList<>();
        for (Item i : items) shapes.add(new LlamaQuantTypes.Tensor(i.name(), i.ne(), i.vector() != null ? GgmlType.F32 : storedType(i.matrix())));
        Map<String, GgmlType> types = LlamaQuantTypes.choose(fileType, shapes, c.numLayers());
        Map<String, Item> byName = new LinkedHashMap<>();
        for (Item i : items) byName.put(i.name(), i);
        Map<String, Blocks> direct = new LinkedHashMap<>();
        for (Map.Entry<String, GgmlType> e : types.entrySet()) {
            Item item = byName.get(e.getKey());
            if (item.matrix() == null) continue;
            Choice chosen = choice.choose(item.name(), item.matrix(), e.getValue());
            e.setValue(chosen.type());
            if (chosen.blocks() != null) direct.put(item.name(), chosen.blocks());
        }

        GgufWriter w = new GgufWriter();
        w.putAll(metadata);
        w.remove(QUANTIZATION_VERSION).remove(FILE_TYPE);
        w.put(QUANTIZATION_VERSION, GgufValue.u32(2));
        w.put(FILE_TYPE, GgufValue.u32(fileType.id()));

        long total = items.stream().mapToLong(Item::elements).sum();
        long[] done = {0};
        int index = 0;
        for (Map.Entry<String, GgmlType> e : types.entrySet()) {
            Item item = byName.get(e.getKey());
            GgmlType type = e.getValue();
            int position = index++;
            w.addTensor(item.name(), item.ne(), type, sink -> {
                progress.tensor(item.name(), type, position, types.size());
                if (item.vector() != null) {
                    writeRows(item.vector(), 1, item.vector().length, type, sink);
                    done[0] += item.vector().length;
                    progress.advanced(done[0], total);
                } else if (direct.containsKey(item.name())) {
                    writeBlocks(item.matrix(), type, direct.get(item.name()), sink, done, total, progress);
                } else {
                    writeMatrix(item.matrix(), type, sink, done, total, progress);
                }
            });
        }
        w.write(out);
    }

    public static final String FILE_TYPE = "general.file_type", QUANTIZATION_VERSION = "general.quantization_version";

    /** The tensors of a model in llama.cpp's loader order, under their GGUF names. */
    private static List<Item> items(ModelWeights weights) {
        ModelConfig c = weights.config();
        List<Item> items = new ArrayList<>();
        items.add(matrixItem(HunyuanGguf.TOKEN_EMBEDDING, weights.embedding()));
        items.add(new Item(HunyuanGguf.OUTPUT_NORM, new long[] {c.hiddenSize()}, null, weights.finalNorm()));
        if (!c.tieWordEmbeddings()) items.add(matrixItem(HunyuanGguf.OUTPUT, weights.lmHead()));
        for (int l = 0; l < c.numLayers(); l++) {
            LayerWeights lw = weights.layers()[l];
            String p = "blk." + l + ".";
            items.add(new Item(p + "attn_norm.weight", new long[] {c.hiddenSize()}, null, lw.inputNorm()));
            items.add(matrixItem(p + "attn_q.weight", lw.q()));
            items.add(matrixItem(p + "attn_k.weight", lw.k()));
            items.add(matrixItem(p + "attn_v.weight", lw.v()));
            items.add(matrixItem(p + "attn_output.weight", lw.o()));
            items.add(new Item(p + "attn_q_norm.weight", new long[] {c.headDim()}, null, lw.queryNorm()));
            items.add(new Item(p + "attn_k_norm.weight", new long[] {c.headDim()}, null, lw.keyNorm()));
            items.add(new Item(p + "ffn_norm.weight", new long[] {c.hiddenSize()}, null, lw.postAttentionNorm()));
            items.add(matrixItem(p + "ffn_gate.weight", lw.gate()));
            items.add(matrixItem(p + "ffn_up.weight", lw.up()));
            items.add(matrixItem(p + "ffn_down.weight", lw.down()));
        }
        return items;
    }

    private static Item matrixItem(String name, Matrix m) {
        return new Item(name, new long[] {m.cols(), m.rows()}, m, null);
    }

    /** The ggml type a matrix is stored in now, for the "keep" rules; F32 for computed or unknown formats. */
    public static GgmlType storedType(Matrix m) {
        if (m instanceof BlockMatrix b) return b.type();
        if (m instanceof MappedMatrix mm) {
            return switch (mm.dtype()) {
                case BF16 -> GgmlType.BF16;
                case F16 -> GgmlType.F16;
                default -> GgmlType.F32;
            };
        }
        return GgmlType.F32;
    }

    private static MemorySegment segmentOf(Matrix m) {
        if (m instanceof BlockMatrix b) return b.segment();
        if (m instanceof MappedMatrix mm) return mm.segment();
        return null;
    }

    private static void writeMatrix(Matrix m, GgmlType type, GgufWriter.Sink sink, long[] done, long total, Progress progress)
            throws IOException {
        MemorySegment source = segmentOf(m);
        int rows = m.rows(), cols = m.cols();
        long sourceRowBytes = source != null ? source.byteSize() / rows : 0;
        boolean copy = source != null && storedType(m) == type;
        float[] values = copy ? null : new float[CHUNK_ROWS * cols];
        for (int r0 = 0; r0 < rows; r0 += CHUNK_ROWS) {
            int n = Math.min(CHUNK_ROWS, rows - r0);
            if (copy) {
                sink.write(source.asSlice(r0 * sourceRowBytes, n * sourceRowBytes));
            } else {
                int first = r0;
                Parallel.forRange(n, 4, (a, b) -> {
                    for (int r = a; r < b; r++) m.readRow(first + r, values, r * cols);
                });
                writeRows(values, n, cols, type, sink);
            }
            if (source != null && source.isMapped()) source.asSlice(r0 * sourceRowBytes, n * sourceRowBytes).unload();
            done[0] += (long) n * cols;
            progress.advanced(done[0], total);
        }
    }

    private static void writeBlocks(Matrix m, GgmlType type, Blocks blocks, GgufWriter.Sink sink, long[] done, long total, Progress progress)
            throws IOException {
        int rows = m.rows(), cols = m.cols(), rowBytes = (int) type.rowBytes(cols);
        byte[] bytes = new byte[CHUNK_ROWS * rowBytes];
        for (int r0 = 0; r0 < rows; r0 += CHUNK_ROWS) {
            int n = Math.min(CHUNK_ROWS, rows - r0), first = r0;
            Parallel.forRange(n, 4, (a, b) -> {
                for (int r = a; r < b; r++) blocks.encodeRow(first + r, bytes, r * rowBytes);
            });
            sink.write(ByteBuffer.wrap(bytes, 0, n * rowBytes));
            done[0] += (long) n * cols;
            progress.advanced(done[0], total);
        }
    }

    /** Quantizes {@code rows} rows of {@code values} to {@code type} (rows in parallel) and writes them. */
    private static void writeRows(float[] values, int rows, int cols, GgmlType type, GgufWriter.Sink sink) throws IOException {
        BlockCodec codec = BlockCodec.of(type);
        int rowBytes = (int) type.rowBytes(cols);
        byte[] bytes = new byte[rows * rowBytes];
        Parallel.forRange(rows, 1, (a, b) -> {
            for (int r = a; r < b; r++) codec.quantize(values, r * cols, cols, bytes, r * rowBytes);
        });
        sink.write(ByteBuffer.wrap(bytes));
    }
}
