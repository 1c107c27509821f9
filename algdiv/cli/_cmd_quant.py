"""``algdiv quant``: ITQ3_S-style 3-bit files (encode / decode / info)."""
from __future__ import annotations

import numpy as np

from . import UsageError
from ._io import load_array, save_array_atomic

__all__ = ["register", "run", "TOUR_STEPS"]


def run(args) -> int:
    from ..quant import ITQ3SPacked, itq3s_decode, itq3s_encode
    if args.action == "info" and args.output:
        raise UsageError(f"quant info takes one file; unexpected extra argument {args.output!r}")
    if args.action == "encode":
        if not args.output:
            raise UsageError("quant encode needs INPUT.npy OUTPUT.itq3")
        w = load_array(args.input, what="weights")
        try:
            p = itq3s_encode(w)
        except (TypeError, ValueError) as e:
            raise UsageError(str(e)) from None
        p.save(args.output)
        err = float(np.sum((itq3s_decode(p) - w) ** 2) / max(np.sum(np.square(w, dtype=float)), 1e-300))
        print(f"{args.output}: shape {p.shape}, {p.nbytes} bytes, {p.bits_per_weight:.4f} bits/weight, "
              f"relative MSE {err:.4g}")
        return 0
    try:
        p = ITQ3SPacked.load(args.input)
    except OSError as e:
        raise UsageError(f"cannot read {args.input}: {e.strerror}") from None
    except ValueError as e:
        raise UsageError(f"{args.input}: {e}") from None
    if args.action == "info":
        checks = "header and block CRC-32 checked" if p.version >= 2 else "no checksums"
        print(f"{args.input}: ITQ3 v{p.version} ({checks}), shape {p.shape}, {p.nblocks} blocks of 256, "
              f"{p.nbytes} bytes, {p.bits_per_weight:.4f} bits/weight")
        return 0
    if not args.output:
        raise UsageError("quant decode needs INPUT.itq3 OUTPUT.npy")
    save_array_atomic(args.output, itq3s_decode(p, np.float32))
    print(f"{args.output}: float32 {p.shape}")
    return 0


def register(sub) -> None:
    p = sub.add_parser("quant", help="encode/decode ITQ3_S-style 3-bit weight files (FWHT-256 + ternary)",
                       description="encode: .npy weights -> .itq3 (layout in docs/quant.md); "
                       "decode: .itq3 -> float32 .npy; info: header summary.")
    p.add_argument("action", choices=["encode", "decode", "info"])
    p.add_argument("input")
    p.add_argument("output", nargs="?")
    p.set_defaults(func=run)


def _tour(out) -> None:
    from ..quant import itq3s_decode, itq3s_encode, rtn, rtn_bits_per_weight
    rng = np.random.default_rng(0)
    w = rng.standard_t(3, size=(256, 1024))
    w[rng.random(w.shape) < 0.01] *= 10          # heavy tails: a few large outlier weights
    p = itq3s_encode(w)
    e = lambda a: float(np.sum((a - w) ** 2) / np.sum(w ** 2))   # noqa: E731
    out.write("3-bit weights on heavy-tailed t(3) + 1% x10 outliers (256x1024), relative MSE:\n")
    out.write(f"  RTN-3 g64      {rtn_bits_per_weight(3, 64):.4f} bpw  {e(rtn(w, 3, 64)):.4f}\n")
    out.write(f"  RTN-3 g128     {rtn_bits_per_weight(3, 128):.4f} bpw  {e(rtn(w, 3, 128)):.4f}\n")
    out.write(f"  ITQ3_S packed  {p.bits_per_weight:.4f} bpw  {e(itq3s_decode(p)):.4f}"
              f"  (FWHT-256 + two-trit grid, {p.nbytes} bytes)\n")


TOUR_STEPS = [("quant", _tour)]
