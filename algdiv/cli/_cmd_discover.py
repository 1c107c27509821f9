"""``algdiv discover``: the matched group of a covariance or of samples."""
from __future__ import annotations

import sys

import numpy as np

from . import UsageError
from ._progress import add_quiet_option, progress_line

__all__ = ["register", "run", "TOUR_STEPS"]


def register(subparsers):
    p = subparsers.add_parser(
        "discover",
        help="find the matched group (and transform) of a covariance or samples",
        description="Read an N x N covariance (or, with --samples, an L x N array of "
        "snapshots) from a .npy file and print the verdict table of algdiv.discover: "
        "every candidate group with its residual delta, test statistic and threshold.",
    )
    p.add_argument("data", help=".npy file (read with allow_pickle=False)")
    p.add_argument("--samples", action="store_true",
                   help="the file holds samples (L x N, one snapshot per row)")
    p.add_argument("--n-samples", type=int, default=None, metavar="L",
                   help="number of snapshots behind the covariance (omit: exact covariance)")
    p.add_argument("--level", type=float, default=0.05,
                   help="per-candidate false-rejection probability (default 0.05)")
    p.add_argument("--tiers", default=None,
                   help="comma-separated subset of catalog,exact,gevp (default: by N)")
    p.add_argument("--seed", type=int, default=0, help="seed of the bootstrap (default 0)")
    p.add_argument("--out", default=None, metavar="G.json",
                   help="write the matched group to this group file (read back with "
                   "algdiv derive --group @G.json)")
    add_quiet_option(p)
    p.set_defaults(func=run)


def _load(path):
    from ._io import sniff_format

    fmt = sniff_format(path)
    if fmt is not None:
        raise UsageError(f"cannot read {path!r} as a .npy array: {fmt}")
    try:
        data = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise UsageError(f"no such file: {path!r}") from None
    except (ValueError, OSError) as exc:
        raise UsageError(f"cannot read {path!r} as a .npy array ({exc})") from None
    if isinstance(data, np.lib.npyio.NpzFile):
        data.close()
        raise UsageError(f"{path!r} is an .npz archive; save one array with numpy.save")
    return data


def _warn(message):
    print(f"algdiv discover: warning: {message}", file=sys.stderr)


def run(args):
    from algdiv.discovery import discover

    from ._verdict import how_to_get, transform_name

    data = _load(args.data)
    if args.samples and args.n_samples is not None:
        raise UsageError("--n-samples applies to a covariance file, not with --samples")
    if args.samples and data.ndim == 2 and 2 <= data.shape[0] < data.shape[1]:
        L, n = data.shape
        _warn(f"the samples look transposed: L = {L} rows (snapshots) < N = {n} columns "
              f"(variables), so the covariance is singular and the search runs on N = {n}; if "
              f"{args.data} holds one snapshot per column, save its transpose (numpy: X.T) and "
              f"run again")
    tiers = None if args.tiers is None else tuple(t.strip() for t in args.tiers.split(","))
    progress = progress_line(args)
    try:
        if args.samples:
            res = discover(samples=data, tiers=tiers, level=args.level, rng=args.seed,
                           progress=progress)
        else:
            res = discover(data, n_samples=args.n_samples, tiers=tiers, level=args.level,
                           rng=args.seed, progress=progress)
    except (ValueError, TypeError) as exc:
        what = "samples" if args.samples else "covariance"
        raise UsageError(f"{args.data}: bad {what}: {exc}") from None
    finally:
        progress.close()
    G = res.group
    if not args.samples and args.n_samples is None and G.family == "trivial":
        _warn("the covariance was taken as exact (no --n-samples), so any noise rejects every "
              "symmetry; if it was estimated from L snapshots, run again with --n-samples L")
    print(res)
    spec = G.spec
    if args.out:
        from algdiv.groups import save_group

        save_group(G, args.out)
        spec = spec or "@" + args.out
    print()
    print(f"group spec : {spec if spec else '(none: a discovered group; save it with --out G.json)'}")
    print(f"transform  : {transform_name(G)}")
    print(f"get it     : {how_to_get(G, spec, args.data, args.samples)}"
          + ("" if args.samples or args.n_samples is None else f" --n-samples {args.n_samples}"))
    if args.out:
        print(f"group file : written to {args.out}")
    return 0


def _tour(out):
    """Plant each catalog symmetry, sample it, discover it, compare estimators."""
    from algdiv.discovery import PLANTED_MODELS, discover, planted_covariance

    n, L = 16, 300
    rng = np.random.default_rng(2026)
    out.write(f"Discovery: N = {n}, L = {L} Gaussian snapshots per planted model.\n")
    out.write(f"{'model':<10} {'planted':<22} {'discovered':<22} {'order':>6} "
              f"{'err sample':>10} {'err G-avg':>10}\n")
    for model in PLANTED_MODELS:
        R, G = planted_covariance(model, n, rng)
        X = rng.standard_normal((L, n)) @ np.linalg.cholesky(R).T
        res = discover(samples=X, rng=rng)
        nR = np.linalg.norm(R)
        e_sample = np.linalg.norm(res.cov - R) / nR
        e_group = np.linalg.norm(res.estimate - R) / nR
        out.write(f"{model:<10} {G.name:<22} {res.group.name:<22} {res.group.order():>6} "
                  f"{e_sample:>10.4f} {e_group:>10.4f}{_miss(res, G)}\n")
    out.write("err = ||estimate - R||_F / ||R||_F; G-avg = the group-averaged covariance "
              "(Reynolds projection of the sample covariance).\n")


def _miss(res, G):
    """Why the verdict is not the planted group ('' when it is)."""
    from algdiv.discovery._catalog import symmetric_orbitals

    key = symmetric_orbitals(G.orbitals())
    if np.array_equal(symmetric_orbitals(res.group.orbitals()), key):
        return ""
    row = next((r for r in res.table
                if np.array_equal(symmetric_orbitals(r.group.orbitals()), key)), None)
    if row is None or not row.accepted:
        return (f"  <- planted group rejected: a false rejection, which the test makes "
                f"with probability <= level = {res.level:g}")
    return "  <- a group with fewer free parameters fits these data as well"


TOUR_STEPS = [("discover", _tour)]
