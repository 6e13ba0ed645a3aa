# Copied from the project's shared benchmark baselines (/work/shared/bench/torch_lora_step_bf16.py, written for issue 14 by
# the session that measured the EPYC host), unchanged below this header; see the docstring for what differs from
# torch_lora_step.py. Set ONEDNN_MAX_CPU_ISA (baseline.sh does) where the CPU advertises AMX that traps.
"""Variant of hymt-bench/scripts/torch_lora_step.py with bf16 autocast compute (what a PyTorch user would do on a
BF16-capable CPU). Same shape, same random BF16 frozen weights, LoRA r16/alpha32/dropout0.05 on all 7 projections,
tied head, AdamW on the fp32 LoRA params. Differences from the shipped script: the forward and the loss run under
torch.autocast('cpu', dtype=torch.bfloat16); frozen projections are plain F.linear on the BF16 tensor (no fp32
widening; autograd saves the bf16 input, w needs no grad so only grad-input is computed); residual stream stays fp32.

  python torch_lora_step_bf16.py train LAYERS BATCH LEN CHECKPOINTING STEPS
  python torch_lora_step_bf16.py prefill LAYERS PROMPT DECODE REPS   # no grad, bf16, last-position logits, KV cache
Threads: torch.set_num_threads($TORCH_THREADS or 2).
"""
import math, os, resource, sys, time
import torch
import torch.nn.functional as F
from torch.utils.checkpoint import checkpoint

H, HEADS, KV, HD, FF, V, EPS = 2048, 16, 4, 128, 6144, 120818, 1e-5
R, ALPHA, DROP = 16, 32, 0.05
BASE = 10000.0 * 1000.0 ** (HD / (HD - 2))
AC = dict(device_type="cpu", dtype=torch.bfloat16)


def bf16(rows, cols, bound):
    return ((torch.rand(rows, cols) * 2 - 1) * bound).to(torch.bfloat16)


class LoraLinear(torch.nn.Module):
    def __init__(self, out_f, in_f):
        super().__init__()
        self.w = bf16(out_f, in_f, math.sqrt(3.0 / in_f))
        self.a = torch.nn.Parameter((torch.rand(R, in_f) * 2 - 1) / math.sqrt(in_f))
        self.b = torch.nn.Parameter(torch.zeros(out_f, R))

    def forward(self, x):
        return F.linear(x, self.w) + (F.dropout(x, DROP, True) @ self.a.t() @ self.b.t()) * (ALPHA / R)

    def base(self, x):
        return F.linear(x, self.w)


def rms(x, w):
    return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + EPS))


def rope(x, cos, sin):
    x1, x2 = x[..., : HD // 2], x[..., HD // 2:]
    return x * cos + torch.cat((-x2, x1), -1) * sin


class Layer(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.q, self.k, self.v, self.o = LoraLinear(HEADS * HD, H), LoraLinear(KV * HD, H), LoraLinear(KV * HD, H), LoraLinear(H, HEADS * HD)
        self.gate, self.up, self.down = LoraLinear(FF, H), LoraLinear(FF, H), LoraLinear(H, FF)
        self.n1, self.n2, self.qn, self.kn = torch.ones(H), torch.ones(H), torch.ones(HD), torch.ones(HD)

    def forward(self, x, cos, sin):
        b, t, _ = x.shape
        a = rms(x, self.n1)
        q = rope(self.q(a).view(b, t, HEADS, HD).transpose(1, 2), cos, sin)
        k = rope(self.k(a).view(b, t, KV, HD).transpose(1, 2), cos, sin)
        v = self.v(a).view(b, t, KV, HD).transpose(1, 2)
        q, k = rms(q, self.qn), rms(k, self.kn)
        k, v = k.repeat_interleave(HEADS // KV, 1), v.repeat_interleave(HEADS // KV, 1)
        att = F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(b, t, HEADS * HD)
        x = x + self.o(att)
        m = rms(x, self.n2)
        return x + self.down(F.silu(self.gate(m)) * self.up(m))

    def infer(self, x, cos, sin, cache):
        """Base model only (no LoRA), bf16 everywhere; cache = [k, v] (appended)."""
        b, t, _ = x.shape
        a = rms(x, self.n1)
        q = rope(self.q.base(a).view(b, t, HEADS, HD).transpose(1, 2), cos, sin)
        k = rope(self.k.base(a).view(b, t, KV, HD).transpose(1, 2), cos, sin)
        v = self.v.base(a).view(b, t, KV, HD).transpose(1, 2)
        q, k = rms(q, self.qn), rms(k, self.kn)
        if cache[0] is not None:
            k, v = torch.cat((cache[0], k), 2), torch.cat((cache[1], v), 2)
        cache[0], cache[1] = k, v
        k, v = k.repeat_interleave(HEADS // KV, 1), v.repeat_interleave(HEADS // KV, 1)
        att = F.scaled_dot_product_attention(q, k, v, is_causal=t > 1).transpose(1, 2).reshape(b, t, HEADS * HD)
        x = x + self.o.base(att)
        m = rms(x, self.n2)
        return x + self.down.base(F.silu(self.gate.base(m)) * self.up.base(m))


def rope_tables(n):
    inv = 1.0 / (BASE ** (torch.arange(0, HD, 2).float() / HD))
    ang = torch.arange(n).float()[:, None] * inv[None, :]
    return torch.cat((ang.cos(), ang.cos()), -1), torch.cat((ang.sin(), ang.sin()), -1)


def train(layers, batch, length, ckpt, steps):
    torch.manual_seed(0)
    emb = bf16(V, H, 0.05)
    blocks = torch.nn.ModuleList(Layer() for _ in range(layers))
    final = torch.ones(H)
    opt = torch.optim.AdamW([p for p in blocks.parameters()], lr=1e-4)
    cos, sin = rope_tables(length)
    ids = torch.randint(0, V, (batch, length))
    times = []
    for _ in range(steps):
        t0 = time.time()
        with torch.autocast(**AC):
            x = emb[ids].float()
            for blk in blocks:
                x = checkpoint(blk, x, cos, sin, use_reentrant=False) if ckpt else blk(x, cos, sin)
            h = rms(x, final)[:, :-1].reshape(-1, H)
            logits = F.linear(h, emb)
            loss = F.cross_entropy(logits, ids[:, 1:].reshape(-1))
        loss.backward()
        opt.step()
        opt.zero_grad()
        times.append(time.time() - t0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1048576.0
    print(f"RESULT torch={torch.__version__} mode=bf16-autocast batch={batch}x{length} checkpointing={'on' if ckpt else 'off'}"
          f" layers={layers} threads={torch.get_num_threads()} step_s={[round(t, 2) for t in times]}"
          f" tokens_per_s={batch * length / min(times):.1f} peak_rss_gb={peak:.2f} loss={loss.item():.3f}"
          f" logits_dtype={logits.dtype}")


def prefill(layers, prompt, decode, reps):
    torch.manual_seed(0)
    emb = bf16(V, H, 0.05)
    blocks = torch.nn.ModuleList(Layer() for _ in range(layers))
    final = torch.ones(H, dtype=torch.bfloat16)
    for blk in blocks:  # pure bf16 inference: norms in bf16 too
        blk.n1, blk.n2, blk.qn, blk.kn = (n.to(torch.bfloat16) for n in (blk.n1, blk.n2, blk.qn, blk.kn))
    cos, sin = (t.to(torch.bfloat16) for t in rope_tables(prompt + decode + 1))
    ids = torch.randint(0, V, (1, prompt))
    pre, dec = [], []
    with torch.inference_mode():
        for rep in range(reps):
            caches = [[None, None] for _ in blocks]
            t0 = time.time()
            x = emb[ids]
            for blk, c in zip(blocks, caches):
                x = blk.infer(x, cos[:prompt], sin[:prompt], c)
            logits = F.linear(rms(x[:, -1:], final), emb)
            t1 = time.time()
            pos = prompt
            for _ in range(decode):
                nxt = logits[0, -1].argmax().view(1, 1)
                x = emb[nxt]
                for blk, c in zip(blocks, caches):
                    x = blk.infer(x, cos[pos:pos + 1], sin[pos:pos + 1], c)
                logits = F.linear(rms(x, final), emb)
                pos += 1
            t2 = time.time()
            pre.append(t1 - t0)
            dec.append((t2 - t1) / max(decode, 1))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1048576.0
    print(f"RESULT torch={torch.__version__} mode=bf16-infer layers={layers} prompt={prompt} decode={decode}"
          f" threads={torch.get_num_threads()} prefill_s={[round(t, 3) for t in pre]}"
          f" prefill_tok_s_best={prompt / min(pre):.1f} decode_s_per_tok={[round(t, 3) for t in dec]}"
          f" decode_tok_s_best={1 / min(dec):.2f} peak_rss_gb={peak:.2f} logits_dtype={logits.dtype}")


if __name__ == "__main__":
    torch.set_num_threads(int(os.environ.get("TORCH_THREADS", "2")))
    mode, args = sys.argv[1], [int(a) for a in sys.argv[2:]]
    train(*args) if mode == "train" else prefill(*args)
