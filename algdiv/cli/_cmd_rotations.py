"""``algdiv rotations``: structured Hadamard rotations against uniform rotations."""
from __future__ import annotations

import argparse
import importlib.util
import time

from . import UsageError
from ._progress import add_quiet_option, progress_line

__all__ = ["register", "run", "parse_dims", "TOUR_STEPS"]

_MAX_DIM = 1 << 24


def parse_dims(text):
    """``"16:16384"`` (every power of 2), ``"16:16384:4"`` (times 4), or ``"16,64,256"``."""
    text = str(text).strip()
    try:
        if ":" in text:
            parts = [int(p) for p in text.split(":")]
            if len(parts) not in (2, 3):
                raise ValueError
            lo, hi = parts[0], parts[1]
            factor = parts[2] if len(parts) == 3 else 2
            dims = []
            d = lo
            if factor < 2 or factor & (factor - 1):
                raise UsageError(f"--dims step must be a power of 2 >= 2, not {factor}")
            while 0 < d <= hi:
                dims.append(d)
                d *= factor
        else:
            dims = [int(p) for p in text.split(",") if p.strip()]
    except ValueError:
        raise UsageError(f"--dims must look like 16:16384, 16:16384:4 or 16,64,256, not {text!r}") from None
    if not dims:
        raise UsageError(f"--dims {text!r} gives no dimension")
    for d in dims:
        if d < 2 or d & (d - 1):
            raise UsageError(f"--dims: every dimension must be a power of 2 >= 2, not {d}")
        if d > _MAX_DIM:
            raise UsageError(f"--dims: dimensions above 2^24 are not supported, got {d}")
    return dims


def run(args) -> int:
    from ..rotations import INPUTS, verify

    dims = parse_dims(args.dims)
    if args.draws < 1:
        raise UsageError(f"--draws must be an integer >= 1, not {args.draws}")
    if not 0 < args.level < 1:
        raise UsageError(f"--level must be in (0, 1), not {args.level}")
    if not (args.bound_constant > 0 and args.bound_constant < float("inf")):
        raise UsageError(f"--bound-constant must be a positive number, not {args.bound_constant}")
    if args.seed < 0:
        raise UsageError(f"--seed must be a non-negative integer, not {args.seed}")
    if args.w2_draws < 0 or args.w2_draws == 1:
        raise UsageError(f"--w2-draws must be 0 (skip) or >= 2, not {args.w2_draws}")
    inputs = [s.strip() for s in args.inputs.split(",") if s.strip()]
    unknown = [s for s in inputs if s not in INPUTS]
    if unknown or not inputs:
        raise UsageError(f"--inputs must be a comma list of {', '.join(INPUTS)}; got {args.inputs!r}")
    if args.plot and importlib.util.find_spec("matplotlib") is None:
        raise UsageError("--plot needs matplotlib, which is not installed (pip install matplotlib, "
                         "or algdiv's `plot` extra); run again without --plot for the table, CSV and JSON")
    progress = progress_line(args)
    t0 = time.perf_counter()
    try:
        report = verify(dims=dims, inputs=inputs, samples=args.draws, alpha=args.level, seed=args.seed,
                        controls=not args.no_controls, w2_samples=args.w2_draws, progress=progress,
                        bound_constant=args.bound_constant)
    finally:
        progress.close()
    elapsed = time.perf_counter() - t0
    print(f"algdiv rotations: d in {dims}, M = {args.draws} draws per row, level = {args.level:g}, "
          f"bound {args.bound_constant:g} d^-1/5, seed = {args.seed}")
    print(report.format_table())
    print(f"({elapsed:.1f} s)")
    if args.csv:
        report.to_csv(args.csv)
        print(f"wrote {args.csv}")
    if args.json:
        report.to_json(args.json)
        print(f"wrote {args.json}")
    if args.plot:
        report.plot(args.plot)
        print(f"wrote {args.plot}")
    return 0 if report.ok else 1


def register(sub) -> None:
    p = sub.add_parser(
        "rotations",
        help="how close two-block Hadamard rotations H D2 H D1 are to uniform rotations (exact + Monte Carlo)",
        description="Exact lattice-law oracles, Monte Carlo with DKW bands, controls, and the full-vector "
        "Wasserstein gap (protocol A1-A7 of docs/rotations.md). Exit code 0 when every check comes out as "
        "expected (controls fail as they must), 1 otherwise, 2 on bad input.",
    )
    p.add_argument("--dims", default="16:1024:4", help="16:16384 (powers of 2), 16:16384:4, or 16,64,256 "
                   "(default 16:1024:4)")
    p.add_argument("--draws", type=int, default=200_000, help="Monte Carlo draws per row (default 200000)")
    p.add_argument("--samples", dest="draws", type=int, help=argparse.SUPPRESS)   # deprecated spelling
    p.add_argument("--inputs", default="e1,u2,u4,flat,gaussian",
                   help="comma list of e1,u2,u4,u8,flat,gaussian (default e1,u2,u4,flat,gaussian)")
    p.add_argument("--level", type=float, default=1e-3,
                   help="family-wise significance level of each verdict (Bonferroni over its Monte Carlo rows; "
                   "default 1e-3)")
    p.add_argument("--alpha", dest="level", type=float, help=argparse.SUPPRESS)   # deprecated spelling
    p.add_argument("--bound-constant", type=float, default=0.30, metavar="C",
                   help="constant C of the bound d_K <= C d^-1/5 (default 0.30)")
    p.add_argument("--seed", type=int, default=0, help="root seed (default 0); same seed, same numbers")
    p.add_argument("--w2-draws", type=int, default=2000, help="Haar points for the W2 check (0: skip)")
    p.add_argument("--w2-samples", dest="w2_draws", type=int, help=argparse.SUPPRESS)   # deprecated spelling
    p.add_argument("--no-controls", action="store_true", help="skip the null and negative controls")
    p.add_argument("--csv", metavar="FILE", help="write the table as CSV")
    p.add_argument("--json", metavar="FILE", help="write the full report as JSON")
    p.add_argument("--plot", metavar="FILE.png", help="write a log-log plot (needs matplotlib)")
    add_quiet_option(p)
    p.set_defaults(func=run)


def _tour(out) -> None:
    from ..rotations import lattice_law, loglog_slope, verify, wasserstein2_e1

    dims = [2**m for m in range(4, 21, 2)]
    worst = [max(lattice_law(d, k).kolmogorov_distance() for k in (1, 2, 4)) for d in dims]
    out.write("two-block rotation T(u) = H D2 H D1 u / d against a uniform rotation\n")
    out.write("exact worst-case Kolmogorov distance of one coordinate (inputs u_1, u_2, u_4):\n")
    for d, w in zip(dims, worst):
        out.write(f"  d = {d:>8}: d_K = {w:.3e}  (d_K sqrt(d) = {w * d ** 0.5:.3f}; "
                  f"W2 of the full vector = {wasserstein2_e1(d):.4f})\n")
    out.write(f"  fitted slope {loglog_slope(dims, worst):+.3f} (the paper's bound: -0.2); the full vector "
              "does not converge\n")
    rep = verify(dims=(16, 64), inputs=("e1", "flat"), samples=20_000, seed=0, w2_samples=500)
    out.write("Monte Carlo at d = 16, 64 (M = 20000) with controls:\n")
    for c in rep.checks:
        out.write(f"  [{'ok ' if c.ok else 'BAD'}] {c.name:<18} expected {c.expected}, got {c.observed}\n")


TOUR_STEPS = [("rotations", _tour)]
