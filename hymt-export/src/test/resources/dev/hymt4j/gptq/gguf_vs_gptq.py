"""Oracle for GPTQ → GGUF conversion: every GPTQ linear dequantized the way AutoGPTQ's torch QuantLinear does
(torch_gptq_logits.dequantize, beside this file) against the same tensor of the GGUF file read and dequantized by
gguf-py (GGUFReader + gguf.quants.dequantize, llama.cpp's own Python package). Prints one line per tensor and
"identical N/N"; exits 1 when any weight differs in a bit.

Usage: python gguf_vs_gptq.py GPTQ_DIR FILE.gguf
"""
import json
import sys

import numpy as np
from gguf import GGUFReader
from gguf.quants import dequantize as gguf_dequantize
from safetensors.torch import load_file

from torch_gptq_logits import dequantize as gptq_dequantize

NAMES = {"attn_q": "self_attn.q_proj", "attn_k": "self_attn.k_proj", "attn_v": "self_attn.v_proj",
         "attn_output": "self_attn.o_proj", "ffn_gate": "mlp.gate_proj", "ffn_up": "mlp.up_proj", "ffn_down": "mlp.down_proj"}


def main():
    directory, path = sys.argv[1], sys.argv[2]
    q = json.load(open(directory + "/config.json"))["quantization_config"]
    bits, group_size, v2 = q["bits"], q["group_size"], q.get("checkpoint_format", "gptq") == "gptq_v2"
    tensors = load_file(directory + "/model.safetensors")
    reader = GGUFReader(path)
    checked = identical = 0
    for t in reader.tensors:
        parts = t.name.split(".")
        if parts[0] != "blk" or parts[2] not in NAMES:
            continue
        prefix = "model.layers." + parts[1] + "." + NAMES[parts[2]]
        ours = gptq_dequantize(tensors, prefix, bits, group_size, v2).numpy().astype(np.float32)
        theirs = np.asarray(gguf_dequantize(t.data, t.tensor_type), dtype=np.float32).reshape(ours.shape)
        same = np.array_equal(ours.view(np.uint32), theirs.view(np.uint32))
        checked += 1
        identical += same
        print(f"{t.name} {t.tensor_type.name} {list(ours.shape)} max|diff| {np.abs(ours - theirs).max():.3e} {'identical' if same else 'DIFFERENT'}")
    print(f"identical {identical}/{checked}")
    sys.exit(0 if checked > 0 and identical == checked else 1)


main()
