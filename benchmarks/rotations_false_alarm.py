"""Benchmark: false-alarm rate of the default ``algdiv rotations`` run over many seeds.

Every implementation under test is correct, so each run that does not come out
"all checks as expected" is a false alarm. The script runs
``verify(dims=16:1024:4, inputs=e1,u2,u4,flat,gaussian, ...)`` (the command's
defaults) once per seed, one after the other in this process (no parallelism),
and prints, per verdict and for the whole report, the number of false alarms,
the measured rate with its 95% Clopper-Pearson interval, and the rate the
report states (``level`` per verdict; ``k x level`` for the report, with ``k``
verdicts that have Monte Carlo rows).

    PYTHONPATH=. python benchmarks/rotations_false_alarm.py                       # 200 seeds, M = 2000
    PYTHONPATH=. python benchmarks/rotations_false_alarm.py --level 0.2           # false alarms frequent
    PYTHONPATH=. python benchmarks/rotations_false_alarm.py --samples 200000      # the full default (slow)

The command's default ``--samples 200000`` takes about 40 s a run on 2 shared
cores (over 2 h for 200 seeds); the default here is ``--samples 2000``. The
level does not depend on ``M``: every band is a finite-sample bound.
Run from the repository root.
"""
from __future__ import annotations

import argparse
import time

from scipy import stats

from algdiv.rotations import verify


def clopper_pearson(k, n, conf=0.95):
    a = (1 - conf) / 2
    lo = 0.0 if k == 0 else stats.beta.ppf(a, k, n - k + 1)
    hi = 1.0 if k == n else stats.beta.ppf(1 - a, k + 1, n - k)
    return lo, hi


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=200, help="number of seeds, 0 .. N-1 (default 200)")
    ap.add_argument("--first-seed", type=int, default=0)
    ap.add_argument("--samples", type=int, default=2000, help="Monte Carlo samples per row (default 2000)")
    ap.add_argument("--level", type=float, default=1e-3, help="level of each verdict (default 1e-3, the command's)")
    ap.add_argument("--dims", default="16,64,256,1024", help="comma list (default: the command's 16:1024:4)")
    args = ap.parse_args(argv)
    dims = [int(x) for x in args.dims.split(",")]
    per_claim, overall, n_mc = {}, 0, None
    t0 = time.perf_counter()
    for i, seed in enumerate(range(args.first_seed, args.first_seed + args.seeds)):
        rep = verify(dims=dims, samples=args.samples, alpha=args.level, seed=seed)
        n_mc = rep.params["mc_claims"]
        for c in rep.claims:
            per_claim.setdefault(c.name, 0)
            per_claim[c.name] += 0 if c.holds else 1
        bad = [c.name for c in rep.checks if not c.ok]
        overall += bool(bad)
        if bad:
            print(f"  seed {seed}: false alarm in {', '.join(bad)}")
        if (i + 1) % 20 == 0:
            print(f"  {i + 1}/{args.seeds} runs, {time.perf_counter() - t0:.0f} s", flush=True)
    n = args.seeds
    print(f"\nalgdiv rotations --dims {args.dims} --draws {args.samples} --level {args.level:g}: "
          f"{n} seeds in {time.perf_counter() - t0:.0f} s")
    print(f"{'verdict':<14} {'false alarms':>12} {'rate':>8} {'95% interval':>20} {'stated at most':>15}")
    for name, k in per_claim.items():
        lo, hi = clopper_pearson(k, n)
        print(f"{name:<14} {k:>12} {k / n:>8.4f} {f'[{lo:.4f}, {hi:.4f}]':>20} {args.level:>15.4g}")
    lo, hi = clopper_pearson(overall, n)
    print(f"{'whole report':<14} {overall:>12} {overall / n:>8.4f} {f'[{lo:.4f}, {hi:.4f}]':>20} "
          f"{n_mc * args.level:>15.4g}")


if __name__ == "__main__":
    main()
