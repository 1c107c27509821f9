"""Cost growth of the spherical-harmonic transform: O(L^3) fast vs O(L^4) dense.

For each degree L, time forward + inverse of algdiv's SphereTransform (FFT
along rings, associated-Legendre recursion over degrees) on the default
(L+1) x (2L+1)-ish grid, best of --repeat runs, and the dense products
Y^T W f and Y c for the small degrees where Y fits in memory. The exponent is
the least-squares slope of log(time) against log(L) over the largest degrees.

Run:  python benchmarks/sphere.py [--degrees 32 64 128 256 512] [--dense 16 24 32 48 64]
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile
import time

import numpy as np

from algdiv.transforms._sphere import SphereTransform


def best_time(func, repeat):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - t0)
    return best


def slope(L, t):
    L, t = np.log(np.asarray(L, float)), np.log(np.asarray(t, float))
    return float(np.polyfit(L, t, 1)[0])


def _single_thread():
    """Pin BLAS to one thread (when threadpoolctl is present) so timings compare like with like."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:                      # pragma: no cover - optional
        import contextlib
        return contextlib.nullcontext()
    return threadpool_limits(1)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--degrees", type=int, nargs="+", default=[64, 128, 256, 384, 512, 768])
    p.add_argument("--dense", type=int, nargs="*", default=[16, 24, 32, 48, 64])
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--fit-from", type=int, default=256, help="fit the exponent on L >= this")
    p.add_argument("--json", default=None, help="write the measurements to this file")
    args = p.parse_args(argv)
    with _single_thread():
        return _run(args)


def _run(args) -> int:
    rng = np.random.default_rng(0)
    print(f"{'L':>5} {'points':>8} {'coeffs':>8} {'fast fwd+inv [s]':>17} {'round trip':>11}")
    fast = []
    for L in args.degrees:
        T = SphereTransform(L)
        c = rng.standard_normal(T.n_coeffs)
        f = T.inverse(c)
        err = float(np.abs(T.forward(f) - c).max())
        t = best_time(lambda: T.forward(T.inverse(c)), args.repeat)
        fast.append((L, t, err))
        print(f"{L:>5} {T.n_points:>8} {T.n_coeffs:>8} {t:>17.4f} {err:>11.1e}")
    sel = [(L, t) for L, t, _ in fast if L >= args.fit_from]
    exp_fast = slope(*zip(*sel)) if len(sel) >= 2 else float("nan")
    print(f"fitted exponent (fast, L >= {args.fit_from}): {exp_fast:.2f}   (O(L^3) expected)")

    dense = []
    if args.dense:
        print(f"\n{'L':>5} {'dense Y^T W f + Y c [s]':>24} {'fast [s]':>10}")
        for L in args.dense:
            T = SphereTransform(L)
            Y = T.matrix()
            WY = T.weights[:, None] * Y
            c = rng.standard_normal(T.n_coeffs)
            td = best_time(lambda: WY.T @ (Y @ c), args.repeat)
            tf = best_time(lambda: T.forward(T.inverse(c)), args.repeat)
            dense.append((L, td, tf))
            print(f"{L:>5} {td:>24.4f} {tf:>10.4f}")
            del Y, WY
        exp_dense = slope([d[0] for d in dense], [d[1] for d in dense]) if len(dense) >= 2 else float("nan")
        print(f"fitted exponent (dense): {exp_dense:.2f}   (O(L^4) expected)")
    if args.json:
        out = {"fast": fast, "dense": dense, "exponent_fast": exp_fast, "fit_from": args.fit_from}
        directory = os.path.dirname(os.path.abspath(args.json))
        fd, tmp = tempfile.mkstemp(suffix=".json", dir=directory)
        with os.fdopen(fd, "w") as fh:
            json.dump(out, fh, indent=1)
        os.chmod(tmp, 0o644)                 # mkstemp creates 0600
        os.replace(tmp, args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
