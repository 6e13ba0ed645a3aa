"""PyTorch reference timing for LoraTrainBench: the same LoRA training step on the HY-MT1.5-1.8B shape.

Random BF16 frozen weights, fp32 compute (weights are widened per matmul and not kept: a custom autograd
function saves the BF16 tensor only, as the Java engine does), LoRA r 16 / alpha 32 / dropout 0.05 on all seven
projections, tied head, AdamW. Usage: python3 torch_lora_step.py LAYERS BATCH LEN CHECKPOINTING(0|1) STEPS
Prints one RESULT line like the Java benchmark. Needs only torch (no transformers).
"""
import math, resource, sys, time
import torch
import torch.nn.functional as F
from torch.utils.checkpoint import checkpoint

H, HEADS, KV, HD, FF, V, EPS = 2048, 16, 4, 128, 6144, 120818, 1e-5
R, ALPHA, DROP = 16, 32, 0.05
BASE = 10000.0 * 1000.0 ** (HD / (HD - 2))


class FrozenLinear(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, w):
        ctx.save_for_backward(w)
        return x @ w.float().t()

    @staticmethod
    def backward(ctx, g):
        (w,) = ctx.saved_tensors
        return g @ w.float(), None


def bf16(rows, cols, bound):
    return ((torch.rand(rows, cols) * 2 - 1) * bound).to(torch.bfloat16)


class LoraLinear(torch.nn.Module):
    def __init__(self, out_f, in_f):
        super().__init__()
        self.w = bf16(out_f, in_f, math.sqrt(3.0 / in_f))
        self.a = torch.nn.Parameter((torch.rand(R, in_f) * 2 - 1) / math.sqrt(in_f))
        self.b = torch.nn.Parameter(torch.zeros(out_f, R))

    def forward(self, x):
        return FrozenLinear.apply(x, self.w) + (F.dropout(x, DROP, True) @ self.a.t() @ self.b.t()) * (ALPHA / R)


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


def main():
    layers, batch, length, ckpt, steps = (int(a) for a in sys.argv[1:6])
    torch.manual_seed(0)
    emb = bf16(V, H, 0.05)
    blocks = torch.nn.ModuleList(Layer() for _ in range(layers))
    final = torch.ones(H)
    opt = torch.optim.AdamW([p for p in blocks.parameters()], lr=1e-4)
    inv = 1.0 / (BASE ** (torch.arange(0, HD, 2).float() / HD))
    ang = torch.arange(length).float()[:, None] * inv[None, :]
    cos, sin = torch.cat((ang.cos(), ang.cos()), -1), torch.cat((ang.sin(), ang.sin()), -1)
    ids = torch.randint(0, V, (batch, length))
    times = []
    for _ in range(steps):
        t0 = time.time()
        x = emb[ids].float()
        for blk in blocks:
            x = checkpoint(blk, x, cos, sin, use_reentrant=False) if ckpt else blk(x, cos, sin)
        h = rms(x, final)[:, :-1].reshape(-1, H)
        logits = FrozenLinear.apply(h, emb)
        loss = F.cross_entropy(logits, ids[:, 1:].reshape(-1))
        loss.backward()
        opt.step()
        opt.zero_grad()
        times.append(time.time() - t0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1048576.0
    print(f"RESULT torch={torch.__version__} batch={batch}x{length} checkpointing={'on' if ckpt else 'off'} layers={layers}"
          f" threads={torch.get_num_threads()} step_s={[round(t, 1) for t in times]}"
          f" tokens_per_s={batch * length / min(times):.1f} peak_rss_gb={peak:.2f} loss={loss.item():.3f}")


if __name__ == "__main__":
    main()
