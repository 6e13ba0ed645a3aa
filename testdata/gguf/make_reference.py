"""Float64 reference logits for the llama.cpp-quantized tiny models (see README.md).

Each GGUF is read and dequantized with gguf-py (an implementation independent of ours), loaded into
transformers' HunYuanDenseV1ForCausalLM in float64 (eager attention), and run on fixed token ids. The
configuration comes from the GGUF metadata; the RoPE base is the stored (already alpha-scaled)
rope.freq_base with the default RoPE type, exactly what a GGUF reader must use.

Usage: /work/py/bin/python make_reference.py  (in testdata/gguf)
"""
import numpy as np
import torch
from gguf import GGUFReader
from gguf.quants import dequantize
from safetensors.numpy import save_file
from transformers import HunYuanDenseV1Config, HunYuanDenseV1ForCausalLM

FILES = ["tiny-Q8_0.gguf", "tiny-Q4_0.gguf", "tiny-Q4_K_M.gguf", "tiny-Q6_K.gguf"]
INPUT_IDS = [1, 17, 200, 33, 5, 255, 0, 128, 64, 99, 3, 250]

LAYER = {
    "attn_norm.weight": "input_layernorm.weight", "attn_q.weight": "self_attn.q_proj.weight",
    "attn_k.weight": "self_attn.k_proj.weight", "attn_v.weight": "self_attn.v_proj.weight",
    "attn_output.weight": "self_attn.o_proj.weight", "attn_q_norm.weight": "self_attn.query_layernorm.weight",
    "attn_k_norm.weight": "self_attn.key_layernorm.weight", "ffn_norm.weight": "post_attention_layernorm.weight",
    "ffn_gate.weight": "mlp.gate_proj.weight", "ffn_up.weight": "mlp.up_proj.weight",
    "ffn_down.weight": "mlp.down_proj.weight",
}


def hf_name(name):
    if name == "token_embd.weight":
        return "model.embed_tokens.weight"
    if name == "output_norm.weight":
        return "model.norm.weight"
    if name == "output.weight":
        return "lm_head.weight"
    _, layer, rest = name.split(".", 2)
    return f"model.layers.{layer}.{LAYER[rest]}"


def value(reader, key):
    field = reader.fields[key]
    return field.parts[field.data[0]].tolist()[0]


def logits_of(path):
    r = GGUFReader(path)
    a = "hunyuan-dense."
    config = HunYuanDenseV1Config(
        vocab_size=int(r.tensors[[t.name for t in r.tensors].index("token_embd.weight")].shape[1]),
        hidden_size=value(r, a + "embedding_length"), num_hidden_layers=value(r, a + "block_count"),
        num_attention_heads=value(r, a + "attention.head_count"), num_key_value_heads=value(r, a + "attention.head_count_kv"),
        head_dim=value(r, a + "attention.key_length"), intermediate_size=value(r, a + "feed_forward_length"),
        rms_norm_eps=value(r, a + "attention.layer_norm_rms_epsilon"), rope_theta=float(value(r, a + "rope.freq_base")),
        rope_scaling=None, max_position_embeddings=1024, tie_word_embeddings="output.weight" not in [t.name for t in r.tensors],
        attn_implementation="eager")
    model = HunYuanDenseV1ForCausalLM(config).double().eval()
    state = {}
    for t in r.tensors:
        w = dequantize(t.data, t.tensor_type).astype(np.float64)
        shape = [int(d) for d in reversed(t.shape)]
        state[hf_name(t.name)] = torch.from_numpy(w.reshape(shape))
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert not unexpected and all(m == "lm_head.weight" for m in missing), (missing, unexpected)
    with torch.no_grad():
        out = model(torch.tensor([INPUT_IDS]))
    return out.logits[0].numpy()


def main():
    tensors = {"input_ids": np.array(INPUT_IDS, dtype=np.int64)}
    for f in FILES:
        tensors[f.removesuffix(".gguf") + ".logits"] = logits_of(f)
        print(f, tensors[f.removesuffix(".gguf") + ".logits"][0, :4])
    save_file(tensors, "reference_logits.safetensors")


if __name__ == "__main__":
    main()
