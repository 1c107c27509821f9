"""llama.cpp as the peer of the Gemma-3-270M perplexity table (not a test; not needed by the tests).

Usage::

    python benchmarks/quant_llamacpp.py --build            # pip-builds the pinned llama-cpp-python
    python benchmarks/quant_llamacpp.py --tokens 8192 --n-ctx 1024 --out ppl.jsonl
    python benchmarks/quant_perplexity.py --table ppl.jsonl  # one table with algdiv's rows

``--build`` compiles llama-cpp-python (``PIN`` below) and its vendored llama.cpp
from the PyPI source distribution (``pip install --no-binary``; CPU only, AVX2,
no AMX; no network beyond PyPI; 30-40 minutes on 2 busy cores; uninstall a
previous build first).  Then, on the same token
ids and windows as ``benchmarks/quant_perplexity.py`` (algdiv's tokenizer,
windows of ``n_ctx`` ids starting with ``<bos>``, second half scored, NLL in
float64 from llama.cpp's float32 logits):

1. llama.cpp's perplexity of the GGUF itself (row ``llama.cpp: Q4_K_M GGUF``),
   to compare with algdiv's numpy reference on the same windows;
2. llama.cpp's own low-bit files of the model, re-quantized from the Q4_K_M
   file with ``allow_requantize`` (IQ3_S, Q3_K_S, Q3_K_M, Q2_K), with bits per
   weight of the block linear weights from the tensor types llama.cpp wrote.
   K- and i-quants need rows divisible by 256; Gemma-3-270M's 640-wide rows are
   not, so llama.cpp falls back to other types for those tensors: the printed
   type census shows which.

Rows go to ``--out`` as JSON lines in ``quant_perplexity.py``'s format.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

PIN = "0.3.36"
# Portable AVX2 build without AMX: a GGML_NATIVE build on a CPU that reports AMX crashes in
# ggml_backend_amx_mul_mat inside containers that do not grant the AMX tile state.
CMAKE_ARGS = ("-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON "
              "-DGGML_BMI2=ON -DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF "
              "-DGGML_AMX_BF16=OFF -DGGML_OPENMP=OFF -DLLAMA_BUILD_TESTS=OFF "
              "-DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_CURL=OFF")
FTYPES = ["IQ3_S", "Q3_K_S", "Q3_K_M", "Q2_K"]
BLOCK = ("attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down")


def build():
    env = dict(os.environ, CMAKE_ARGS=CMAKE_ARGS,
               CMAKE_BUILD_PARALLEL_LEVEL=os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL", "2"))
    cmd = [sys.executable, "-m", "pip", "install", "-v", "--no-binary", "llama-cpp-python",
           "--no-cache-dir", f"llama-cpp-python=={PIN}"]
    print("CMAKE_ARGS=" + CMAKE_ARGS + " " + " ".join(cmd), flush=True)
    return subprocess.call(cmd, env=env)


def type_census(path):
    """Tensor types llama.cpp wrote: block-linear bits per weight, type counts, embedding type."""
    from gguf import GGUFReader
    r = GGUFReader(path)
    n_el = n_by = 0
    census = collections.Counter()
    emb = None
    total = 0
    for t in r.tensors:
        total += int(t.n_bytes)
        kind = t.name.split(".")[2] if t.name.startswith("blk.") else None
        if kind in BLOCK:
            n_el += int(t.n_elements)
            n_by += int(t.n_bytes)
            census[f"{kind}:{t.tensor_type.name}"] += 1
        elif t.name == "token_embd.weight":
            emb = (t.tensor_type.name, 8 * int(t.n_bytes) / int(t.n_elements))
    return 8 * n_by / n_el, census, emb, total


def llama_perplexity(path, ids, n_ctx, threads):
    """Per-window mean NLL of llama.cpp on algdiv's windows (float64 log-softmax of its logits)."""
    from llama_cpp import Llama
    from scipy.special import logsumexp

    from algdiv.quant import perplexity_windows
    llm = Llama(model_path=path, n_ctx=n_ctx, n_batch=n_ctx, n_ubatch=n_ctx, logits_all=True,
                n_threads=threads, verbose=False)
    starts, first, n_scored = perplexity_windows(len(ids), n_ctx)
    bos = llm.token_bos()
    out = np.empty((starts.size, n_scored))
    t0 = time.perf_counter()
    for wi, s in enumerate(starts):
        win = [int(x) for x in ids[s:s + n_ctx]]
        win[0] = bos
        llm.reset()
        llm.eval(win)
        z = np.asarray(llm.scores[first:n_ctx - 1], dtype=np.float64)
        tgt = np.asarray(win[first + 1:n_ctx])
        out[wi] = logsumexp(z, axis=1) - z[np.arange(z.shape[0]), tgt]
        print(f"  window {wi + 1}/{starts.size}: NLL {out[wi].mean():.4f}", flush=True)
    secs = time.perf_counter() - t0
    del llm
    return out, secs


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", action="store_true", help=f"pip-build llama-cpp-python=={PIN} and exit")
    ap.add_argument("--tokens", type=int, default=8192)
    ap.add_argument("--n-ctx", type=int, default=1024)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--ftypes", default=",".join(FTYPES), help="requantizations to run ('' for none)")
    ap.add_argument("--workdir", default=os.path.join(os.path.expanduser("~"), ".cache",
                                                      "algdiv-llamacpp"))
    ap.add_argument("--out", help="append rows to this JSON-lines file")
    args = ap.parse_args(argv)
    if args.build:
        return build()
    try:
        import llama_cpp
    except ImportError:
        print(f"llama-cpp-python absent: python {sys.argv[0]} --build")
        return 1
    from algdiv.quant import evaluation_text, gemma_path, gemma_tokenize, load_gemma
    from algdiv.quant._perplexity import bootstrap_ppl
    print(f"llama-cpp-python {llama_cpp.__version__}")
    src = gemma_path()
    text = evaluation_text()
    ids = np.array(gemma_tokenize(text.text))[:args.tokens]
    cfg = load_gemma().config
    os.makedirs(args.workdir, exist_ok=True)
    files = [("llama.cpp: Q4_K_M GGUF (the reference file)", "llama_ref", src)]
    for name in [f for f in args.ftypes.split(",") if f]:
        dst = os.path.join(args.workdir, f"gemma-3-270m-{name.lower()}.gguf")
        if not os.path.exists(dst):
            params = llama_cpp.llama_model_quantize_default_params()
            params.ftype = getattr(llama_cpp, f"LLAMA_FTYPE_MOSTLY_{name}")
            params.allow_requantize = True
            params.nthread = args.threads
            tmp = dst + ".part"
            t0 = time.perf_counter()
            rc = llama_cpp.llama_model_quantize(src.encode(), tmp.encode(), params)
            if rc != 0:
                print(f"{name}: llama_model_quantize failed ({rc})")
                continue
            os.replace(tmp, dst)
            print(f"{name}: requantized in {time.perf_counter() - t0:.0f} s")
        files.append((f"llama.cpp {name} (requantized from Q4_K_M)", f"llama_{name.lower()}", dst))
    kv_mib = cfg.n_layers * args.n_ctx * 2 * cfg.n_kv_heads * cfg.head_dim * 2 / 2**20
    for label, key, path in files:
        bpw, census, emb, total = type_census(path)
        print(f"{label}: block linear bpw {bpw:.3f}; types "
              + ", ".join(f"{k} x{v}" for k, v in sorted(census.items()))
              + f"; token_embd {emb[0]} ({emb[1]:.2f} bpw)", flush=True)
        nll, secs = llama_perplexity(path, ids, args.n_ctx, args.threads)
        boot = bootstrap_ppl(nll, 1000, 0)
        ppl = float(np.exp(nll.mean()))
        print(f"{label}: PPL {ppl:.4f} +- {boot.std(ddof=1):.4f} ({secs:.0f} s)", flush=True)
        row = {"key": key, "label": label, "group": "llama.cpp", "ppl": ppl,
               "se": float(boot.std(ddof=1)), "mean_nll": float(nll.mean()), "n_ctx": args.n_ctx,
               "n_windows": int(nll.shape[0]), "n_scored": int(nll.shape[1]), "seconds": secs,
               "window_nll": nll.mean(axis=1).tolist(), "text": text.source, "bpw": bpw,
               "weight_mib": total / 2**20, "kv_mib": kv_mib, "kv_bits": 16.0,
               "types": dict(census), "embedding": emb}
        if args.out:
            with open(args.out, "a") as f:
                f.write(json.dumps(row) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
