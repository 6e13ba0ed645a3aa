package dev.hymt4j.quant;

import dev.hymt4j.gguf.GgmlType;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * llama-quantize's per-tensor type choice ({@code src/llama-quant.cpp}: {@code tensor_allows_quantization},
 * {@code llama_tensor_get_type_impl}, {@code tensor_type_fallback}; spec formats.md §5.7) for the file types
 * of {@link GgufFileType}, without an importance matrix or user overrides. Tensors are visited in llama.cpp's
 * loader order (non-layer tensors, then {@code blk.0.*}, {@code blk.1.*}, …, names sorted within a layer),
 * because the attn_v and ffn_down choices depend on a counter over that order.
 */
public final class LlamaQuantTypes {
    private LlamaQuantTypes() {}

    /** A tensor as the choice sees it: GGUF name, ggml dimensions (fastest first), type it is stored in now. */
    public record Tensor(String name, long[] ne, GgmlType source) {}

    private static final Pattern LAYER = Pattern.compile("blk\\.(\\d+)\\..*");

    /** llama.cpp's {@code weight_name_comparer}: layer number (−1 outside layers), then the name. */
    public static final Comparator<String> LOADER_ORDER = Comparator.comparingInt(LlamaQuantTypes::layerOf)
            .thenComparing(Comparator.naturalOrder());

    static int layerOf(String name) {
        Matcher m = LAYER.matcher(name);
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** The target type of every tensor, keyed by name in loader order; {@code layers} is the block count. */
    public static Map<String, GgmlType> choose(GgufFileType ftype, List<Tensor> tensors, int layers) {
        List<Tensor> order = new ArrayList<>(tensors);
        order.sort(Comparator.comparing(Tensor::name, LOADER_ORDER));
        boolean tied = order.stream().noneMatch(t -> t.name().equals("output.weight"));
        int attnV = (int) order.stream().filter(t -> isAttnV(t.name())).count();
        int iAttnV = 0, iFfnDown = 0;
        Map<String, GgmlType> out = new LinkedHashMap<>();
        for (Tensor t : order) {
            if (!allowsQuantization(t)) {
                out.put(t.name(), t.source());
                continue;
            }
            GgmlType type = ftype.defaultType();
            if (!type.isQuantized()) {
                out.put(t.name(), type);
                continue;
            }
            String name = t.name();
            boolean quantizedMix = ftype == GgufFileType.Q4_K_M || ftype == GgufFileType.Q5_K_M;
            if (name.equals("output.weight") || (tied && name.equals("token_embd.weight"))) {
                // The output (or the embedding it shares) gets 6 bits, or Q8_0 when rows do not fit the default's block.
                if (t.ne()[0] % type.blockSize() != 0) type = GgmlType.Q8_0;
                else if (type != GgmlType.Q8_0) type = GgmlType.Q6_K;
            } else if (isAttnV(name)) {
                if (quantizedMix && useMoreBits(iAttnV, attnV)) type = GgmlType.Q6_K;
                iAttnV++;
            } else if (name.contains("ffn_down")) {
                if (quantizedMix && useMoreBits(iFfnDown, layers)) type = GgmlType.Q6_K;
                iFfnDown++;
            } else if (name.contains("attn_qkv.weight")) {
                if (ftype == GgufFileType.Q4_K_M) type = GgmlType.Q5_K;
                else if (ftype == GgufFileType.Q5_K_M) type = GgmlType.Q6_K;
            }
            out.put(name, fallback(t.ne()[0], type));
        }
        return out;
    }

    /** llama-quantize leaves 1-D tensors, non-weights and norms in their type. */
    static boolean allowsQuantization(Tensor t) {
        return t.ne().length >= 2 && t.name().endsWith("weight") && !t.name().contains("_norm.weight");
    }

    private static boolean isAttnV(String name) {
        return name.contains("attn_v.weight") || name.contains("attn_qkv.weight") || name.contains("attn_kv_b.weight");
    }

    /** Layers that get more bits: the first and last eighth and every third in between. */
    static boolean useMoreBits(int i, int n) {
        return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2;
    }

    /**
     * {@code tensor_type_fallback}: rows that are not a multiple of the type's block take Q5_0 for Q4_K, Q5_1 for
     * Q5_K, Q8_0 for Q6_K, and F16 when even that block does not fit (llama-quantize refuses Q8_0 and Q4_0 there;
     * we write F16, which every reader accepts).
     */
    static GgmlType fallback(long cols, GgmlType type) {
        if (cols % type.blockSize() == 0) return type;
        GgmlType next = switch (type) {
            case Q4_K -> GgmlType.Q5_0;
            case Q5_K -> GgmlType.Q5_1;
            case Q6_K -> GgmlType.Q8_0;
            default -> GgmlType.F16;
        };
        return cols % next.blockSize() == 0 ? next : GgmlType.F16;
    }
}
