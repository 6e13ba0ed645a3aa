package dev.hymt4j.onnx;

import dev.hymt4j.ops.Rope;
import dev.hymt4j.model.LayerWeights;
import dev.hymt4j.model.ModelConfig;
import dev.hymt4j.model.ModelWeights;
import dev.hymt4j.quant.BlockMatrix;
import dev.hymt4j.quant.GptqMatrix;
import dev.hymt4j.quant.Q4_0Matrix;
import dev.hymt4j.tensor.Matrix;

import java.util.LinkedHashMap;
import java.util.Map;

import static dev.hymt4j.onnx.OnnxGraph.Dim;
import static dev.hymt4j.onnx.OnnxGraph.FLOAT;
import static dev.hymt4j.onnx.OnnxGraph.FLOAT16;
import static dev.hymt4j.onnx.OnnxGraph.INT64;
import static dev.hymt4j.onnx.OnnxGraph.UINT8;
import static dev.hymt4j.onnx.OnnxGraph.attr;

/**
 * The HunYuan dense decoder as one ONNX graph with KV cache, in the interface optimum and onnxruntime-genai use
 * (formats spec §6.1): {@code input_ids}, {@code attention_mask [batch, past + sequence]}, {@code position_ids},
 * {@code past_key_values.N.key/value [batch, kv_heads, past, head_dim]} → {@code logits [batch, sequence, vocab]},
 * {@code present.N.key/value}. Opset 18 plus {@code com.microsoft} for {@code MatMulNBits}.
 *
 * <p>Each layer is emitted op for op in the order of the engine's decoder layer (hunyuan-model spec §2.4):
 * input RMSNorm; q, k, v projections; RoPE (rotate-half, the alpha-rescaled base baked into {@code inv_freq}
 * exactly as the engine computes it); the per-head q/k RMSNorm <em>after</em> RoPE; the new keys and values
 * appended to the past; grouped-query attention with query head {@code h} reading KV head {@code h / group}
 * (queries laid out {@code [kv_heads, group]} so K and V broadcast, never copied), causal and padding masks
 * from {@code attention_mask}; o projection and residual; post-attention RMSNorm; SwiGLU MLP; residual. Hidden
 * states stay 2-D {@code [batch·sequence, hidden]} so every projection is one {@code Gemm} (transB = 1: the
 * checkpoint's {@code [out, in]} layout, no transposed copy) or {@code MatMulNBits}; the tied LM head reuses the
 * embedding initializer.
 */
final class DecoderGraph {
    private final ModelConfig c;
    private final OnnxGraph g;
    private final OnnxInitializers weights;
    private final OnnxExporter.Options options;
    private final int gptqGroupSize;

    // Shared per-graph values.
    private String batchSeq;     // [2]: (batch, sequence) from input_ids
    private String cos, sin;     // [batch, sequence, 1, head_dim]
    private String mask;         // [batch, 1, 1, sequence, total] additive

    // What the int4 linears came from (for the report).
    private int blockSize, carriedOver;
    private final Map<String, Double> requantized = new LinkedHashMap<>();

    DecoderGraph(ModelConfig c, OnnxGraph g, OnnxInitializers weights, OnnxExporter.Options options, int gptqGroupSize) {
        this.c = c;
        this.g = g;
        this.weights = weights;
        this.options = options;
        this.gptqGroupSize = gptqGroupSize;
    }

    void build(ModelWeights w) {
        Dim batch = Dim.of("batch_size"), seq = Dim.of("sequence_length"), past = Dim.of("past_sequence_length"),
                total = Dim.of("total_sequence_length");
        int kvHeads = c.numKvHeads(), hd = c.headDim();
        g.input("input_ids", INT64, batch, seq);
        g.input("attention_mask", INT64, batch, total);
        g.input("position_ids", INT64, batch, seq);
        for (int l = 0; l < c.numLayers(); l++) {
            g.input("past_key_values." + l + ".key", FLOAT, batch, Dim.of(kvHeads), past, Dim.of(hd));
            g.input("past_key_values." + l + ".value", FLOAT, batch, Dim.of(kvHeads), past, Dim.of(hd));
        }
        g.output("logits", FLOAT, batch, seq, Dim.of(c.vocabSize()));
        for (int l = 0; l < c.numLayers(); l++) {
            g.output("present." + l + ".key", FLOAT, batch, Dim.of(kvHeads), total, Dim.of(hd));
            g.output("present." + l + ".value", FLOAT, batch, Dim.of(kvHeads), total, Dim.of(hd));
        }
        batchSeq = g.op("Shape", "batch_seq", new String[]{"input_ids"});
        rotaryAngles();
        attentionMask();

        // Embedding: a Gather over the (possibly float16) table, flattened to [batch·sequence, hidden].
        String table = floatWeight("model.embed_tokens.weight", w.embedding());
        String ids = g.reshape("input_ids", g.ints(false, -1));
        String x = g.op("Gather", "embedded", new String[]{table, ids}, attr("axis", 0L));
        for (int l = 0; l < c.numLayers(); l++) x = layer(l, w.layers()[l], x);
        String normed = rmsNorm(x, weights.addFloats("model.norm.weight", new long[]{c.hiddenSize()}, w.finalNorm()));
        String head = c.tieWordEmbeddings() ? table : floatWeight("lm_head.weight", w.lmHead());
        String logits2d = g.op("Gemm", "logits_2d", new String[]{normed, head}, attr("transB", 1L));
        String shape = g.op("Concat", "logits_shape", new String[]{batchSeq, g.ints(false, c.vocabSize())}, attr("axis", 0L));
        g.node("Reshape", "", new String[]{"logits"}, new String[]{logits2d, shape});
    }

    /** One decoder layer (the engine's layer forward, op for op); {@code x [batch·seq, hidden]} in, out. */
    private String layer(int l, LayerWeights w, String x) {
        String p = ModelWeights.layerPrefix(l);
        int heads = c.numHeads(), kvHeads = c.numKvHeads(), hd = c.headDim(), group = c.kvGroup();
        String a = rmsNorm(x, weights.addFloats(p + "input_layernorm.weight", new long[]{c.hiddenSize()}, w.inputNorm()));
        String q = linear(p + "self_attn.q_proj", w.q(), a);
        String k = linear(p + "self_attn.k_proj", w.k(), a);
        String v = linear(p + "self_attn.v_proj", w.v(), a);
        // [batch, seq, heads, hd]; RoPE first, then the per-head norms (spec §2.4 step 4).
        String q4 = rope(g.reshape(q, headsShape(heads)));
        String k4 = rope(g.reshape(k, headsShape(kvHeads)));
        if (c.useQkNorm()) {
            q4 = rmsNorm(q4, weights.addFloats(p + "self_attn.query_layernorm.weight", new long[]{hd}, w.queryNorm()));
            k4 = rmsNorm(k4, weights.addFloats(p + "self_attn.key_layernorm.weight", new long[]{hd}, w.keyNorm()));
        }
        String kNew = g.transpose(k4, 0, 2, 1, 3);                                   // [batch, kv, seq, hd]
        String vNew = g.transpose(g.reshape(v, headsShape(kvHeads)), 0, 2, 1, 3);
        String presentK = "present." + l + ".key", presentV = "present." + l + ".value";
        g.node("Concat", "", new String[]{presentK}, new String[]{"past_key_values." + l + ".key", kNew}, attr("axis", 2L));
        g.node("Concat", "", new String[]{presentV}, new String[]{"past_key_values." + l + ".value", vNew}, attr("axis", 2L));
        // Queries as [batch, kv, group, seq, hd] (head h = kv·group + j); keys/values [batch, kv, 1, total, hd] broadcast.
        String q5 = g.transpose(g.reshape(q4, g.op("Concat", "q5_shape", new String[]{batchSeq, g.ints(false, kvHeads, group, hd)},
                attr("axis", 0L))), 0, 2, 3, 1, 4);
        String keys = g.op("Unsqueeze", "keys", new String[]{presentK, g.ints(false, 2)});
        String values = g.op("Unsqueeze", "values", new String[]{presentV, g.ints(false, 2)});
        String scores = g.op("MatMul", "scores", new String[]{q5, g.transpose(keys, 0, 1, 2, 4, 3)});
        String scaled = g.add(g.mul(scores, g.floats(new long[0], (float) (1.0 / Math.sqrt(hd)))), mask);
        String probs = g.op("Softmax", "probs", new String[]{scaled}, attr("axis", -1L));
        String ctx = g.op("MatMul", "context", new String[]{probs, values});          // [batch, kv, group, seq, hd]
        String att = g.reshape(g.transpose(ctx, 0, 3, 1, 2, 4), g.ints(false, -1, (long) heads * hd));
        String h1 = g.add(x, linear(p + "self_attn.o_proj", w.o(), att));
        String b = rmsNorm(h1, weights.addFloats(p + "post_attention_layernorm.weight", new long[]{c.hiddenSize()}, w.postAttentionNorm()));
        String gate = linear(p + "mlp.gate_proj", w.gate(), b);
        String up = linear(p + "mlp.up_proj", w.up(), b);
        String act = g.mul(g.mul(gate, g.op("Sigmoid", "sigmoid", new String[]{gate})), up);   // silu(gate) ⊙ up
        return g.add(h1, linear(p + "mlp.down_proj", w.down(), act));
    }

    /** {@code [batch, seq, heads, hd]} as a Reshape shape input. */
    private String headsShape(int heads) {
        return g.op("Concat", "heads_shape", new String[]{batchSeq, g.ints(false, heads, c.headDim())}, attr("axis", 0L));
    }

    /**
     * RMSNorm over the last axis (spec §2.3): {@code w ⊙ (x · 1/√(mean(x²) + eps))}, in the engine's order of
     * operations (normalize, then weight).
     */
    private String rmsNorm(String x, String weight) {
        String meanSquare = g.op("ReduceMean", "mean_square", new String[]{g.mul(x, x), g.ints(false, -1)}, attr("keepdims", 1L));
        String inv = g.op("Reciprocal", "inv_rms", new String[]{g.op("Sqrt", "rms", new String[]{g.add(meanSquare,
                g.floats(new long[0], c.rmsNormEps()))})});
        return g.mul(g.mul(x, inv), weight);
    }

    /** cos/sin {@code [batch, seq, 1, hd]} of {@code position_ids · inv_freq} (float products, as the engine). */
    private void rotaryAngles() {
        float[] inv = Rope.inverseFrequencies(c);   // the engine's own frequencies
        String freq = weights.addFloats("rotary.inv_freq", new long[]{inv.length}, inv);
        String pos = g.op("Unsqueeze", "positions", new String[]{g.op("Cast", "positions_f", new String[]{"position_ids"},
                attr("to", (long) FLOAT)), g.ints(false, -1)});                                   // [batch, seq, 1]
        String angles = g.mul(pos, freq);                                                          // [batch, seq, hd/2]
        String full = g.op("Concat", "angles_full", new String[]{angles, angles}, attr("axis", -1L));
        String full4 = g.op("Unsqueeze", "angles4", new String[]{full, g.ints(false, 2)});         // [batch, seq, 1, hd]
        cos = g.op("Cos", "cos", new String[]{full4});
        sin = g.op("Sin", "sin", new String[]{full4});
    }

    /** Rotate-half RoPE: {@code x·cos + [−x₂, x₁]·sin} on {@code [batch, seq, heads, hd]}. */
    private String rope(String x) {
        int half = c.headDim() / 2;
        String first = g.op("Slice", "x1", new String[]{x, g.ints(false, 0), g.ints(false, half), g.ints(false, -1)});
        String second = g.op("Slice", "x2", new String[]{x, g.ints(false, half), g.ints(false, c.headDim()), g.ints(false, -1)});
        String rotated = g.op("Concat", "rotate_half", new String[]{g.op("Neg", "neg_x2", new String[]{second}), first}, attr("axis", -1L));
        return g.add(g.mul(x, cos), g.mul(rotated, sin));
    }

    /**
     * Additive mask {@code [batch, 1, 1, seq, total]}: 0 where key slot j ≤ the query's slot (past + i) and
     * {@code attention_mask[b, j] = 1}, float32's lowest value elsewhere (transformers' convention; a fully
     * masked row — a left-pad query — gets a uniform distribution nobody reads).
     */
    private void attentionMask() {
        String total = g.op("Gather", "total_len", new String[]{g.op("Shape", "mask_shape", new String[]{"attention_mask"}),
                g.ints(true, 1)}, attr("axis", 0L));
        String seqLen = g.op("Gather", "seq_len", new String[]{batchSeq, g.ints(true, 1)}, attr("axis", 0L));
        String pastLen = g.op("Sub", "past_len", new String[]{total, seqLen});
        String keySlots = g.op("Range", "key_slots", new String[]{g.ints(true, 0), total, g.ints(true, 1)});
        String querySlots = g.op("Range", "query_slots", new String[]{pastLen, total, g.ints(true, 1)});
        String causal = g.op("LessOrEqual", "causal", new String[]{g.op("Unsqueeze", "k_row", new String[]{keySlots, g.ints(false, 0)}),
                g.op("Unsqueeze", "q_col", new String[]{querySlots, g.ints(false, 1)})});          // [seq, total]
        String padding = g.op("Unsqueeze", "padding", new String[]{g.op("Cast", "mask_bool", new String[]{"attention_mask"},
                attr("to", (long) OnnxGraph.BOOL)), g.ints(false, 1, 2, 3)});                      // [batch, 1, 1, 1, total]
        String allowed = g.op("And", "allowed", new String[]{padding, causal});
        mask = g.op("Where", "mask", new String[]{allowed, g.floats(new long[0], 0f), g.floats(new long[0], -Float.MAX_VALUE)});
    }

    /** {@code x [n, in] · Wᵀ} for the export precision. */
    private String linear(String name, Matrix w, String x) {
        if (options.precision() != OnnxExporter.Precision.INT4) {
            return g.op("Gemm", name.substring(name.lastIndexOf('.') + 1), new String[]{x, floatWeight(name + ".weight", w)}, attr("transB", 1L));
        }
        OnnxLinear.Int4 q;
        if (w instanceof GptqMatrix m) {
            q = OnnxLinear.of(m, gptqGroupSize, name);
            carriedOver++;
        } else if (w instanceof Q4_0Matrix m) {
            q = OnnxLinear.of(m);
            carriedOver++;
        } else {
            q = OnnxLinear.roundToNearest(w, options.blockSize());
            if (w instanceof BlockMatrix b && b.type().isQuantized()) requantized.put(name + ".weight", OnnxLinear.relativeError(w, q));
        }
        if (blockSize == 0) blockSize = q.blockSize();
        int n = q.rows(), k = q.cols(), bs = q.blockSize(), blocks = (k + bs - 1) / bs;
        String codes = weights.add(name + ".weight_Q4", UINT8, new long[]{n, blocks, bs / 2}, (long) n * blocks * bs / 2, OnnxLinear.packedCodes(q));
        String scales = weights.add(name + ".weight_scales", FLOAT, new long[]{n, blocks}, 4L * n * blocks, OnnxLinear.scales(q));
        String[] inputs = {x, codes, scales};
        if (!OnnxLinear.symmetric(q)) {
            long zpBytes = (long) n * ((blocks + 1) / 2);
            inputs = new String[]{x, codes, scales, weights.add(name + ".weight_zero_points", UINT8, new long[]{n, (blocks + 1) / 2},
                    zpBytes, OnnxLinear.zeroPoints(q))};
        }
        String out = g.fresh(name.substring(name.lastIndexOf('.') + 1) + "_q4");
        g.node("MatMulNBits", OnnxGraph.MICROSOFT, new String[]{out}, inputs, attr("K", (long) k), attr("N", (long) n),
                attr("bits", 4L), attr("block_size", (long) bs), attr("accuracy_level", (long) options.accuracyLevel()));
        return out;
    }

    /** The MatMulNBits block of the first int4 linear (0 before any). */
    int blockSize() {
        return blockSize;
    }

    /** int4 linears whose codes were carried over (GPTQ, or GGUF Q4_0). */
    int carriedOver() {
        return carriedOver;
    }

    /** int4 linears re-quantized from another GGUF block format, with their relative L2 error. */
    Map<String, Double> requantized() {
        return requantized;
    }

    /** A float matrix initializer: float32, or float16 stored and cast to float32 in the graph. */
    private String floatWeight(String name, Matrix w) {
        long[] dims = {w.rows(), w.cols()};
        long elements = (long) w.rows() * w.cols();
        if (options.precision() == OnnxExporter.Precision.FP16) {
            String half = weights.add(name + "_fp16", FLOAT16, dims, 2 * elements, OnnxLinear.floats(w, true));
            return g.op("Cast", name.replace('.', '_') + "_f32", new String[]{half}, attr("to", (long) FLOAT));
        }
        return weights.add(name, FLOAT, dims, 4 * elements, OnnxLinear.floats(w, false));
    }
}
