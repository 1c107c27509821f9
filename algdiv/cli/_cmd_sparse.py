"""``algdiv sparse-wht``: recover a planted sparse Walsh spectrum from few noisy queries."""
from __future__ import annotations

import argparse
import math
import sys
import time
import warnings

import numpy as np

from . import UsageError
from ._progress import add_quiet_option, progress_line

__all__ = ["register", "run", "demo", "TOUR_STEPS"]


def _snr(text):
    value = float(text)
    if math.isnan(value):
        raise ValueError("nan")
    return value


def demo(n, k, snr, *, bins=None, stages=3, offsets=None, amplitudes="pm1", seed=0,
         noise_known=False, dense=False, out=None, progress=None):
    """Plant a K-sparse spectrum, recover it with :func:`algdiv.sparse.sparse_wht`, report."""
    out = sys.stdout if out is None else out
    from ..sparse import IncompleteRecoveryWarning, QueryCounter, planted_sparse_signal, sparse_wht

    N = 1 << n
    sig = planted_sparse_signal(n, k, snr=snr, amplitudes=amplitudes, rng=seed)
    q = QueryCounter(sig, n)
    noise = (sig.sigma if noise_known else None)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IncompleteRecoveryWarning)
        res = sparse_wht(q, n, sparsity=k, noise=noise, stages=stages, bins=bins,
                         offsets=offsets, rng=seed + 1, progress=progress)
    seconds = time.perf_counter() - t0
    snr_txt = "inf (noiseless)" if math.isinf(snr) else f"{snr:g} dB (sigma = {sig.sigma:.4g})"
    print(f"planted: n = {n} (N = {N:,}), K = {k}, SNR {snr_txt}, amplitudes {amplitudes}, "
          f"seed {seed}", file=out)
    print(f"design:  {res.stages} stages x {res.bins} bins, {res.offsets} base offset(s), "
          f"{res.hashing} hashing", file=out)
    print(f"queries: {res.n_queries:,} distinct ({100 * res.query_fraction:.3g}% of N)", file=out)
    est = "estimated" if res.noise_estimated else "given"
    print(f"noise:   sigma {res.noise:.4g} ({est}); peeling rounds {res.rounds}", file=out)
    print("  stage   zero  single  multi  unresolved  residual/noise", file=out)
    for c, d in enumerate(res.diagnosis):
        print(f"  {c:>5} {d.zero_tons:>6} {d.single_tons:>7} {d.multi_tons:>6} {d.unresolved:>11}"
              f"  {d.residual_ratio:>14.4g}", file=out)
    exact = np.array_equal(res.support, sig.support)
    missed = np.setdiff1d(sig.support, res.support).size
    extra = np.setdiff1d(res.support, sig.support).size
    if exact:
        nmse = float(np.sum((res.coefficients - sig.coefficients) ** 2) / sig.energy)
        verdict = f"exact ({k}/{k}), NMSE {nmse:.2e}"
    else:
        verdict = f"NOT exact: {missed} missed, {extra} spurious"
    status = "complete" if res.complete else "INCOMPLETE (reported by the decoder)"
    print(f"support: {verdict}; decoder says {status}", file=out)
    print(f"time:    {seconds:.3f} s", file=out)
    if dense:
        from ..transforms import fwht

        t0 = time.perf_counter()
        y = np.empty(N)
        step = 1 << 16
        for s in range(0, N, step):
            y[s:s + step] = sig(np.arange(s, min(N, s + step), dtype=np.int64))
        X = fwht(y) / N
        dense_s = time.perf_counter() - t0
        top = np.sort(np.argsort(np.abs(X))[-k:])
        agree = np.array_equal(top, sig.support)
        print(f"dense:   {dense_s:.3f} s for all N queries + FWHT ({dense_s / seconds:.1f}x the "
              f"sparse route); its top-{k} support {'matches' if agree else 'differs'}", file=out)
    return res, exact


def run(args):
    n = args.bits
    if not 1 <= n <= 62:
        raise UsageError(f"--bits must be in 1..62, not {n}")
    if not 1 <= args.k <= (1 << n):
        raise UsageError(f"--k must be in 1..2**bits = {1 << n}, not {args.k}")
    if args.dense and n > 26:
        raise UsageError(f"--dense evaluates all 2**bits points: use --bits <= 26, not {n}")
    if args.bins is not None and (args.bins < 2 or args.bins & (args.bins - 1) or args.bins > 1 << n):
        raise UsageError(f"--bins must be a power of 2 in [2, 2**n], not {args.bins}")
    if args.offsets is not None and args.offsets < 1:
        raise UsageError(f"--offsets must be >= 1, not {args.offsets}")
    if not 1 <= args.stages <= 16:
        raise UsageError(f"--stages must be in 1..16, not {args.stages}")
    progress = progress_line(args)
    try:
        _, exact = demo(n, args.k, args.snr, bins=args.bins, stages=args.stages,
                        offsets=args.offsets, amplitudes=args.amplitudes, seed=args.seed,
                        noise_known=args.noise_known, dense=args.dense, progress=progress)
    finally:
        progress.close()
    return 0


def register(subparsers):
    p = subparsers.add_parser(
        "sparse-wht",
        help="recover a planted K-sparse Walsh spectrum from few noisy queries (SPRIGHT)",
        description="Plant a K-sparse Walsh-Hadamard spectrum on {0,1}^n, query it with "
        "Gaussian noise at the given SNR (sum X_k^2 / sigma^2, in dB), and recover it with "
        "algdiv.sparse.sparse_wht; prints the queries used, the per-stage bin diagnosis and "
        "whether the support is exact.")
    p.add_argument("--bits", type=int, default=20, metavar="n", help="number of bits n, signal length N = 2**n "
                   "(default 20)")
    p.add_argument("--n", dest="bits", type=int, help=argparse.SUPPRESS)   # deprecated spelling
    p.add_argument("--k", type=int, default=128, help="number of non-zero coefficients (default 128)")
    p.add_argument("--snr", type=_snr, default=10.0, help="SNR in dB, or inf (default 10)")
    p.add_argument("--bins", type=int, default=None, help="bins per stage (default: power of 2 >= 1.5 K)")
    p.add_argument("--stages", type=int, default=3, help="hashing stages (default 3)")
    p.add_argument("--offsets", type=int, default=None, help="base offsets per stage (default: from the SNR)")
    p.add_argument("--amplitudes", choices=["pm1", "uniform12"], default="pm1",
                   help="coefficient magnitudes: 1, or uniform in [1, 2] (random signs)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--noise-known", action="store_true", help="give the decoder the true sigma "
                   "(default: estimated from the zero-ton bins)")
    p.add_argument("--dense", action="store_true", help="also time the dense route "
                   "(all N queries + FWHT) for comparison")
    add_quiet_option(p)
    p.set_defaults(func=run)


def _tour(out):
    print("sparse-wht: a 16-sparse Walsh spectrum on 2**18 points, 10 dB noise", file=out)
    demo(18, 16, 10.0, seed=3, out=out)


TOUR_STEPS = [("sparse-wht", _tour)]
