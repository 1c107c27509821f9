"""Benchmark of matched-group discovery (not a test): success rates and run times.

Usage::

    python benchmarks/discovery.py                    # 100 trials per model at L = 30, 300, 3000
    python benchmarks/discovery.py --trials 20        # fewer trials
    python benchmarks/discovery.py --scaling          # also discover() at N = 32 .. 512, L = 2000
    python benchmarks/discovery.py --only-scaling     # just the scaling table
    python benchmarks/discovery.py --level 0.01       # the success table at another level

Success table: for each planted model of the theory spec, section 2.6 (circulant,
whose matched group is the dihedral group since the covariance is real; XOR; tree;
Hamming; trivial), N = 16 and each L, ``trials`` seeded draws: L Gaussian snapshots
of the planted covariance, ``discover(samples=X)`` with the default tiers, success
when the verdict has the orbitals (on unordered pairs) of the planted group.
Printed: successes, the rate, its Wilson 95 % interval, and the mean and maximum
seconds per call. The goal of the issue: >= 95 % at L = 3000 and >= 90 % at L = 300.

Scaling table: one draw per model at N = 32, 64, 128, 256, 512 (L = 2000), the
time of ``discover(samples=X)`` and whether it was right, then the fitted exponent
of the median time in N.
"""
from __future__ import annotations

import argparse
import math
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from algdiv.discovery import PLANTED_MODELS, discover, planted_covariance  # noqa: E402
from algdiv.discovery._catalog import symmetric_orbitals  # noqa: E402


def wilson(k, n, z=1.959963984540054):
    """Wilson score interval of k successes in n trials."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    den = 1 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return max(0.0, mid - half), min(1.0, mid + half)


def one_trial(model, n, L, seed, level=0.05):
    """(right, seconds, verdict name, planted group rejected) of one seeded discovery."""
    rng = np.random.default_rng([seed, n, L])
    R, G = planted_covariance(model, n, rng)
    X = rng.standard_normal((L, n)) @ np.linalg.cholesky(R).T
    t0 = time.perf_counter()
    res = discover(samples=X, rng=rng, level=level)
    dt = time.perf_counter() - t0
    key = symmetric_orbitals(G.orbitals())
    right = np.array_equal(symmetric_orbitals(res.group.orbitals()), key)
    planted = [r for r in res.table if np.array_equal(symmetric_orbitals(r.group.orbitals()), key)]
    rejected = not planted or not planted[0].accepted
    return bool(right), dt, res.group.name, rejected


def success_table(models, n, Ls, trials, level=0.05):
    print(f"Success of discover(samples=X), N = {n}, {trials} trials per cell (default tiers, "
          f"level {level:g})")
    print("misses: rej = the planted group rejected (a false rejection, designed rate <= level),"
          " out = it passed, but so did a group with no more free parameters")
    print(f"{'model':<10} {'L':>5} {'right':>7} {'rate':>6} {'Wilson 95%':>15} {'rej':>4} "
          f"{'out':>4} {'mean s':>7} {'max s':>6}  most frequent wrong verdicts")
    for model in models:
        for L in Ls:
            hits, times, wrong, rej = 0, [], {}, 0
            for s in range(trials):
                ok, dt, name, rejected = one_trial(model, n, L, s, level)
                hits += ok
                times.append(dt)
                if not ok:
                    wrong[name] = wrong.get(name, 0) + 1
                    rej += rejected
            lo, hi = wilson(hits, trials)
            top = ", ".join(f"{k} x{v}" for k, v in sorted(wrong.items(), key=lambda kv: -kv[1])[:3])
            print(f"{model:<10} {L:>5} {hits:>3}/{trials:<3} {hits / trials:>6.2f} "
                  f"[{lo:.3f}, {hi:.3f}] {rej:>4} {trials - hits - rej:>4} "
                  f"{np.mean(times):>7.3f} {np.max(times):>6.2f}  {top}", flush=True)


def scaling_table(models, sizes, L):
    print(f"\nScaling: discover(samples=X) at L = {L}, one seeded draw per model and N")
    print(f"{'N':>5} " + " ".join(f"{m:>14}" for m in models) + f" {'median s':>9}")
    med = []
    for n in sizes:
        cells, ts = [], []
        for model in models:
            ok, dt, _, _ = one_trial(model, n, L, 0)
            cells.append(f"{dt:>8.2f}s {'ok' if ok else 'WRONG':>5}")
            ts.append(dt)
        med.append(float(np.median(ts)))
        print(f"{n:>5} " + " ".join(f"{c:>14}" for c in cells) + f" {med[-1]:>9.2f}", flush=True)
    if len(sizes) >= 2:
        slope = np.polyfit(np.log(sizes), np.log(med), 1)[0]
        print(f"fitted exponent of the median time in N over N = {sizes[0]}..{sizes[-1]}: {slope:.2f}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=100, help="trials per model and L (default 100)")
    ap.add_argument("--n", type=int, default=16, help="N of the success table (default 16)")
    ap.add_argument("--L", default="30,300,3000", help="snapshot counts (default 30,300,3000)")
    ap.add_argument("--models", default=",".join(PLANTED_MODELS), help="planted models")
    ap.add_argument("--scaling", action="store_true", help="also the N = 32..512 timing table")
    ap.add_argument("--only-scaling", action="store_true", help="only the timing table")
    ap.add_argument("--sizes", default="32,64,128,256,512", help="N of the timing table")
    ap.add_argument("--level", type=float, default=0.05,
                    help="discover()'s level for the success table (default 0.05, its default)")
    args = ap.parse_args(argv)
    models = [m for m in args.models.split(",") if m]
    if not args.only_scaling:
        success_table(models, args.n, [int(v) for v in args.L.split(",")], args.trials,
                      args.level)
    if args.scaling or args.only_scaling:
        scaling_table(models, [int(v) for v in args.sizes.split(",")], 2000)


if __name__ == "__main__":
    main()
