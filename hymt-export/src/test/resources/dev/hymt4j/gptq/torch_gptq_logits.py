"""Oracle for hymt4j GPTQ checkpoints: rebuild the model in transformers from a GPTQ directory the way AutoGPTQ's
torch QuantLinear dequantizes (qlinear_cuda_old: unpack qweight/qzeros by right shifts of 0,4,..,28 and a mask,
zeros + 1 for checkpoint_format "gptq", W = scales[g_idx] * (q - zeros[g_idx])), run HunYuanDenseV1ForCausalLM in
float32 with eager attention, and write the logits of the given ids.

Usage: python torch_gptq_logits.py GPTQ_DIR OUT.safetensors ID,ID,...
transformers' own GPTQ loading path needs optimum + gptqmodel (and mostly a GPU); this reproduces its math on CPU.
"""
import json
import sys

import torch
import transformers
from safetensors.torch import load_file, save_file


def dequantize(tensors, prefix, bits, group_size, v2):
    qweight, qzeros, scales = tensors[prefix + ".qweight"], tensors[prefix + ".qzeros"], tensors[prefix + ".scales"].float()
    pf = 32 // bits
    wf = torch.arange(0, 32, bits, dtype=torch.int32)
    mask = (1 << bits) - 1
    zeros = torch.bitwise_right_shift(qzeros.unsqueeze(2).expand(-1, -1, pf), wf.view(1, 1, -1)) & mask
    if not v2:
        zeros = zeros + 1
    zeros = zeros.reshape(scales.shape)
    weight = torch.bitwise_right_shift(qweight.unsqueeze(1).expand(-1, pf, -1), wf.view(1, -1, 1)) & mask
    weight = weight.reshape(weight.shape[0] * weight.shape[1], weight.shape[2])          # [K, N]
    k = weight.shape[0]
    g_idx = tensors.get(prefix + ".g_idx")
    if g_idx is None:
        g_idx = torch.arange(k) // (group_size if group_size > 0 else k)
    g_idx = g_idx.long()
    w = scales[g_idx] * (weight - zeros[g_idx]).float()                                    # [K, N]
    return w.t().contiguous()                                                              # [N, K] = nn.Linear


def main():
    directory, out, ids = sys.argv[1], sys.argv[2], [int(x) for x in sys.argv[3].split(",")]
    cfg = json.load(open(directory + "/config.json"))
    q = cfg.pop("quantization_config")
    bits, group_size, v2 = q["bits"], q["group_size"], q.get("checkpoint_format", "gptq") == "gptq_v2"
    config = transformers.HunYuanDenseV1Config(**cfg)
    config._attn_implementation = "eager"
    model = transformers.HunYuanDenseV1ForCausalLM(config).float().eval()
    tensors = load_file(directory + "/model.safetensors")
    state = {}
    for name, t in tensors.items():
        if name.endswith(".qweight"):
            p = name[: -len(".qweight")]
            state[p + ".weight"] = dequantize(tensors, p, bits, group_size, v2)
        elif not name.endswith((".qzeros", ".scales", ".g_idx")):
            state[name] = t.float()
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [m for m in missing if m != "lm_head.weight"]
    assert not missing and not unexpected, (missing, unexpected)
    model.tie_weights()
    with torch.no_grad():
        logits = model(torch.tensor([ids])).logits[0].float().contiguous()
    save_file({"logits": logits}, out)


if __name__ == "__main__":
    main()
