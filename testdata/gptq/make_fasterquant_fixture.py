"""Independent oracle for hymt4j's GPTQ: the fasterquant algorithm of Frantar et al. 2022, structured as the
reference implementation is (quantizer.find_params per row, dead columns, static groups, act-order, damping,
Hinv = chol(cholesky_inverse(chol(H)), upper), column blocks with in-block feedback and lazy updates),
re-implemented here in PyTorch and run in float64 on a small random linear and Hessian.

Writes fasterquant-fixture.safetensors next to this script:
  W [16, 96] F32, H [96, 96] F64, and for each case k: k.codes I32 [16, 96], k.scales F64 [G, 16],
  k.zeros I32 [G, 16], k.g_idx I32 [96], k.pre F64 [16, 96] (each weight as it entered the quantizer).
Cases use the reference's float scales (no F16 rounding) and no zero clamping, i.e. hymt4j's
f16Scales=false and sym or gptq_v2.

Usage: /work/py/bin/python testdata/gptq/make_fasterquant_fixture.py   (torch 2.x, safetensors)
"""
import pathlib

import torch
from safetensors.torch import save_file

ROWS, COLS, TOKENS = 16, 96, 200
CASES = {
    # name: (bits, group_size, sym, act_order, static_groups, blocksize)
    "sym4_g32": (4, 32, True, False, False, 128),
    "act4_g32": (4, 32, True, True, False, 128),
    "asym4_g64_b48": (4, 64, False, False, False, 48),
    "static_act4_g32": (4, 32, True, True, True, 128),
    "sym2_row": (2, -1, True, False, False, 128),
}


def find_params(w, bits, sym):
    maxq = 2 ** bits - 1
    zero = torch.zeros(w.shape[0], dtype=w.dtype)
    xmin = torch.minimum(w.min(1).values, zero)
    xmax = torch.maximum(w.max(1).values, zero)
    if sym:
        xmax = torch.maximum(torch.abs(xmin), xmax)
        tmp = xmin < 0
        if torch.any(tmp):
            xmin[tmp] = -xmax[tmp]
    tmp = (xmin == 0) & (xmax == 0)
    xmin[tmp] = -1
    xmax[tmp] = +1
    scale = (xmax - xmin) / maxq
    if sym:
        zero = torch.full_like(scale, (maxq + 1) / 2)
    else:
        zero = torch.round(-xmin / scale)
    return scale, zero


def quantize(x, scale, zero, maxq):
    q = torch.clamp(torch.round(x / scale) + zero, 0, maxq)
    return q, scale * (q - zero)


def fasterquant(W, H, bits, groupsize, sym, actorder, static_groups, blocksize, percdamp=0.01):
    W = W.clone().double()
    H = H.clone()
    rows, columns = W.shape
    maxq = 2 ** bits - 1
    scale, zero = find_params(W, bits, sym)
    dead = torch.diag(H) == 0
    H[dead, dead] = 1
    W[:, dead] = 0
    if static_groups:
        groups = [find_params(W[:, i:i + groupsize], bits, sym) for i in range(0, columns, groupsize)]
    perm = torch.arange(columns)
    if actorder:
        # Stable, so ties keep the lower column first (torch's default argsort leaves ties unspecified).
        perm = torch.sort(torch.diag(H), descending=True, stable=True).indices
        W = W[:, perm]
        H = H[perm][:, perm]
    invperm = torch.argsort(perm)
    damp = percdamp * torch.mean(torch.diag(H))
    idx = torch.arange(columns)
    H[idx, idx] += damp
    Hinv = torch.linalg.cholesky(torch.cholesky_inverse(torch.linalg.cholesky(H)), upper=True)

    Q = torch.zeros_like(W, dtype=torch.int32)
    pre = torch.zeros_like(W)
    scales, zeros = [], []
    for i1 in range(0, columns, blocksize):
        i2 = min(i1 + blocksize, columns)
        count = i2 - i1
        W1 = W[:, i1:i2].clone()
        Err1 = torch.zeros_like(W1)
        Hinv1 = Hinv[i1:i2, i1:i2]
        for i in range(count):
            w = W1[:, i]
            d = Hinv1[i, i]
            if groupsize != -1:
                if not static_groups:
                    if (i1 + i) % groupsize == 0:
                        scale, zero = find_params(W[:, (i1 + i):(i1 + i + groupsize)], bits, sym)
                        scales.append(scale)
                        zeros.append(zero)
                else:
                    j = i1 + i
                    if actorder:
                        j = int(perm[j])
                    scale, zero = groups[j // groupsize]
            pre[:, i1 + i] = w
            q, dq = quantize(w, scale, zero, maxq)
            Q[:, i1 + i] = q.to(torch.int32)
            err1 = (w - dq) / d
            W1[:, i:] -= err1.unsqueeze(1).matmul(Hinv1[i, i:].unsqueeze(0))
            Err1[:, i] = err1
        W[:, i2:] -= Err1.matmul(Hinv[i1:i2, i2:])
    if groupsize == -1:
        scales, zeros = [scale], [zero]
    if static_groups:
        scales = [g[0] for g in groups]
        zeros = [g[1] for g in groups]
    g = columns if groupsize == -1 else groupsize
    if static_groups:
        g_idx = torch.arange(columns) // g
    else:
        g_idx = (torch.arange(columns) // g)[invperm]
    return Q[:, invperm], torch.stack(scales), torch.stack(zeros).to(torch.int32), g_idx.to(torch.int32), pre[:, invperm]


def main():
    gen = torch.Generator().manual_seed(20261201)
    mix = torch.randn(COLS // 2 + 3, COLS, generator=gen, dtype=torch.float64)
    mix *= 0.2 + (torch.arange(COLS) % 7).double() / 7
    X = (torch.randn(TOKENS, COLS // 2 + 3, generator=gen, dtype=torch.float64) @ mix
         + 0.3 * torch.randn(TOKENS, COLS, generator=gen, dtype=torch.float64)).float()
    X[:, 5] = 0  # a dead column
    W = (0.05 * torch.randn(ROWS, COLS, generator=gen, dtype=torch.float64)).float()
    Xd = X.double()
    H = 2 / TOKENS * Xd.t() @ Xd
    out = {"W": W.contiguous(), "H": H.contiguous()}
    for name, (bits, gs, sym, act, static, bs) in CASES.items():
        codes, scales, zeros, g_idx, pre = fasterquant(W, H, bits, gs, sym, act, static, bs)
        out[f"{name}.codes"] = codes.contiguous()
        out[f"{name}.scales"] = scales.contiguous()
        out[f"{name}.zeros"] = zeros.contiguous()
        out[f"{name}.g_idx"] = g_idx.contiguous()
        out[f"{name}.pre"] = pre.contiguous()
    path = pathlib.Path(__file__).with_name("fasterquant-fixture.safetensors")
    save_file(out, str(path))
    print("wrote", path, {k: tuple(v.shape) for k, v in out.items()})


if __name__ == "__main__":
    main()
