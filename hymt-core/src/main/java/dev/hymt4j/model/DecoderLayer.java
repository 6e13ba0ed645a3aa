package dev.hymt4j.model;

import dev.hymt4j.lora.LoraTarget;

import static dev.hymt4j.lora.LoraTarget.DOWN_PROJ;
import static dev.hymt4j.lora.LoraTarget.GATE_PROJ;
import static dev.hymt4j.lora.LoraTarget.K_PROJ;
import static dev.hymt4j.lora.LoraTarget.O_PROJ;
import static dev.hymt4j.lora.LoraTarget.Q_PROJ;
import static dev.hymt4j.lora.LoraTarget.UP_PROJ;
import static dev.hymt4j.lora.LoraTarget.V_PROJ;

/**
 * The HunYuan dense decoder layer (hunyuan-model spec §2.4), written once over the operations it is made of.
 * Whoever runs a layer supplies the {@link Ops}: the engine computes them on float buffers
 * ({@link HunyuanModel}'s layer forward, for inference and training), the ONNX exporter emits a graph node for
 * each. So the exported graph is generated from the very description the engine runs, and a change to the
 * network (an op, its order, a norm's place) is made here once for both.
 *
 * <p>The backward pass ({@link HunyuanModel}'s layer backward) walks these operations in reverse, written out
 * beside the forward as in llm.c, since it needs each op's saved activations.
 */
public final class DecoderLayer {
    private DecoderLayer() {
    }

    /** The layer's RMSNorms, each with its checkpoint name (spec §2.2). */
    public enum Norm {
        /** Over the hidden size, before attention. */
        INPUT("input_layernorm"),
        /** Over each query head's {@code head_dim}, after RoPE. */
        QUERY("self_attn.query_layernorm"),
        /** Over each key head's {@code head_dim}, after RoPE. */
        KEY("self_attn.key_layernorm"),
        /** Over the hidden size, before the MLP. */
        POST_ATTENTION("post_attention_layernorm");

        private final String module;

        Norm(String module) {
            this.module = module;
        }

        /** The weight's tensor name in layer {@code layer}, e.g. {@code model.layers.3.input_layernorm.weight}. */
        public String weightName(int layer) {
            return ModelWeights.layerPrefix(layer) + module + ".weight";
        }

        /** This norm's weight in {@code w} (null for the q/k norms of a model without them). */
        public float[] weight(LayerWeights w) {
            return switch (this) {
                case INPUT -> w.inputNorm();
                case QUERY -> w.queryNorm();
                case KEY -> w.keyNorm();
                case POST_ATTENTION -> w.postAttentionNorm();
            };
        }
    }

    /**
     * The operations of one layer over values of type {@code T} (a float buffer, a graph value name). Each
     * names its weight by role; the implementation is bound to one layer's weights and to the tokens it runs.
     */
    public interface Ops<T> {
        /** {@code norm(x)}: RMSNorm over the last axis ({@code hidden} or {@code head_dim}), weight after normalising. */
        T norm(Norm which, T x);

        /** {@code x · Wᵀ} for the projection {@code proj} (plus its LoRA update where the runner has one). */
        T linear(LoraTarget proj, T x);

        /** Rotate-half RoPE at each token's position on {@code x}, seen as {@code heads} heads of {@code head_dim}. */
        T rope(T x, int heads);

        /**
         * Causal grouped-query attention of the queries {@code q} (after RoPE and norm) over the keys {@code k}
         * and values {@code v} of this step appended to those already cached; output {@code [tokens, qDim]}.
         */
        T attention(T q, T k, T v);

        /** {@code silu(gate) ⊙ up}. */
        T swiglu(T gate, T up);

        /** {@code x + delta} (the residual connection), allowed to reuse {@code delta}'s storage. */
        T residual(T x, T delta);
    }

    /** One layer: {@code x [tokens, hidden]} → the layer's output {@code [tokens, hidden]}. */
    public static <T> T forward(ModelConfig c, Ops<T> ops, T x) {
        T a = ops.norm(Norm.INPUT, x);
        T q = ops.linear(Q_PROJ, a);
        T k = ops.linear(K_PROJ, a);
        T v = ops.linear(V_PROJ, a);
        // RoPE first, then the per-head norms (spec §2.4 step 4, §8.1).
        q = ops.rope(q, c.numHeads());
        k = ops.rope(k, c.numKvHeads());
        if (c.useQkNorm()) {
            q = ops.norm(Norm.QUERY, q);
            k = ops.norm(Norm.KEY, k);
        }
        T attended = ops.residual(x, ops.linear(O_PROJ, ops.attention(q, k, v)));
        T b = ops.norm(Norm.POST_ATTENTION, attended);
        T mlp = ops.linear(DOWN_PROJ, ops.swiglu(ops.linear(GATE_PROJ, b), ops.linear(UP_PROJ, b)));
        return ops.residual(attended, mlp);
    }
}
