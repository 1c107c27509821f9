"""``algdiv catalog`` and ``algdiv derive``: groups to matched transforms."""
from __future__ import annotations

import sys
import time

import numpy as np

from . import UsageError
from ._io import load_array, load_covariance, save_array_atomic
from ._progress import progress_line

__all__ = ["register", "catalog_rows", "format_catalog", "TOUR_STEPS"]

# (group spec for the CLI grammar, transform it yields); N = 16 points throughout
# except the DCT, whose group acts on the 2n-point extension of an n = 16 signal.
CATALOG = (
    ("trivial:16", "KLT (data-dependent)"),
    ("cyclic:16", "real Fourier (DFT pairs)"),
    ("dihedral:16", "real Fourier"),
    ("dct:16:2", "DCT-II"),
    ("elementary_abelian:4", "Walsh-Hadamard (natural order)"),
    ("hamming:4", "Walsh-Hadamard, Krawtchouk eigenvalues"),
    ("tree:4", "Haar (coarse to fine)"),
    ("symmetric:16", "Helmert"),
    ("direct(cyclic:4,elementary_abelian:2)", "real Fourier (x) WHT"),
    ("direct(dct:4,dct:4)", "2-D DCT-II of 4 x 4 blocks"),
    ("wreath(cyclic:4,symmetric:4)", "wreath: Helmert coarse, Fourier fine"),
)


def _offdiag_ratio(B: np.ndarray, R: np.ndarray) -> float:
    M = B.conj().T @ R @ B
    off = M - np.diag(np.diag(M))
    return float(np.linalg.norm(off) / np.linalg.norm(R))


def catalog_rows(rng=None, progress=None):
    """Build each catalog entry and verify it on a random invariant covariance.

    Returns a list of dicts with the group, its order, the transform, its
    resolution, the orthonormality error ``max|B^H B - I|`` and the
    diagonalization residual ``||offdiag(B^H R B)|| / ||R||`` for
    ``R = group.reynolds(A A^T)``. ``progress(done, total, label)`` (optional)
    is called after each family.
    """
    from .._progress import Ticker
    from ..bases import matched_transform
    from ..groups import parse_group

    rng = np.random.default_rng(rng)
    ticker = Ticker(progress, len(CATALOG), "catalog")
    rows = []
    for spec, name in CATALOG:
        t0 = time.perf_counter()
        G = parse_group(spec)
        n = getattr(G, "signal_size", G.degree)
        A = rng.standard_normal((n, n))
        R = G.reynolds(A @ A.T / n)
        T = matched_transform(G, R if G.family == "trivial" else None)
        B = np.asarray(T.matrix)
        rows.append(
            dict(
                spec=spec,
                group=G.name,
                order=G.order(),
                n=n,
                transform=name,
                resolution=T.resolution,
                orth=float(np.max(np.abs(B.conj().T @ B - np.eye(n)))),
                offdiag=_offdiag_ratio(B, R),
                plan=T.plan.describe() if T.plan is not None else "dense",
                seconds=time.perf_counter() - t0,
            )
        )
        ticker.step(label=spec)
    return rows


def _fmt_order(order: int) -> str:
    s = str(order)
    return s if len(s) <= 10 else f"~{float(order):.3e}"


def format_catalog(rows) -> str:
    head = f"{'group':<40} {'|G|':>11} {'N':>3}  {'transform':<38} {'res':>4} {'orth err':>9} {'offdiag':>9}"
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(
            f"{r['spec']:<40} {_fmt_order(r['order']):>11} {r['n']:>3}  {r['transform']:<38} "
            f"{r['resolution']:>4} {r['orth']:>9.1e} {r['offdiag']:>9.1e}"
        )
    lines.append(
        "res = distinct eigenvalues of a generic invariant covariance; offdiag = "
        "||offdiag(B^H R B)|| / ||R|| for R = reynolds(A A^T)."
    )
    return "\n".join(lines)


def _run_catalog(args) -> int:

    progress = progress_line(args)
    try:
        rows = catalog_rows(rng=args.seed, progress=progress)
    finally:
        progress.close()
    print(format_catalog(rows))
    if args.resolution:
        from ._cmd_compact import resolution_report

        print()
        progress = progress_line(args)
        try:
            resolution_report(sys.stdout, n=16, progress=progress)
        finally:
            progress.close()
    return 0


def _derive_data(args, n, G):
    """The covariance (and its sample count) given to derive, or (None, None)."""
    if args.cov is None:
        if args.samples or args.n_samples is not None:
            raise UsageError("--samples and --n-samples need a data file (COV.npy or samples)")
        return None, None
    if args.samples:
        if args.n_samples is not None:
            raise UsageError("--n-samples applies to a covariance file, not with --samples "
                             "(L is the number of rows)")
        X = load_array(args.cov, what="samples").astype(np.float64)
        if X.ndim != 2 or X.shape[0] < 2:
            raise UsageError(f"samples in {args.cov!r} must be an L x N array with L >= 2, "
                             f"got shape {X.shape}")
        Xc = X - X.mean(axis=0)
        cov, n_samples = Xc.T @ Xc / (X.shape[0] - 1), X.shape[0]
        cov = (cov + cov.T) / 2
        what = f"samples in {args.cov!r} have N = {X.shape[1]} columns"
    else:
        cov, n_samples = load_covariance(args.cov), args.n_samples
        if n_samples is not None and n_samples < 2:
            raise UsageError(f"--n-samples must be >= 2, not {n_samples}")
        what = f"covariance in {args.cov!r} is {cov.shape[0]} x {cov.shape[0]}"
    if cov.shape[0] != n:
        raise UsageError(f"{what}, but group {G.name} acts on signals of length {n}")
    return cov, n_samples


def _run_derive(args) -> int:
    from ..bases import matched_transform
    from ._verdict import fit_verdict, group_argument, transform_name

    G = group_argument(args.group)
    n = getattr(G, "signal_size", G.degree)
    cov, n_samples = _derive_data(args, n, G)
    if G.family == "trivial" and cov is None:
        raise UsageError("the trivial group's transform is the KLT of a covariance: give COV.npy")
    if not 0.0 < args.level < 1.0:
        raise UsageError(f"--level must lie in (0, 1), not {args.level}")
    out = sys.stdout
    if cov is not None:
        progress = progress_line(args)
        try:
            line, _ok = fit_verdict(G, cov, n_samples, level=args.level, rng=args.seed,
                                    progress=progress)
        finally:
            progress.close()
        print(line, file=out)
    T = matched_transform(G, cov, field=args.field)
    print(f"group      : {G.name}" + (f"  (spec {G.spec})" if G.spec and G.spec != G.name else ""),
          file=out)
    print(f"transform  : {transform_name(G, args.field)}", file=out)
    print(f"order      : {G.order()}", file=out)
    print(f"signal size: {n}", file=out)
    print(f"orbitals   : {G.n_orbitals()}", file=out)
    print(f"plan       : {T.plan.describe() if T.plan is not None else 'dense'}", file=out)
    print(f"resolution : {T.resolution}", file=out)
    if cov is not None:
        R_sym = G.reynolds(cov)
        delta = float(np.linalg.norm(cov - R_sym) / max(np.linalg.norm(cov), 1e-300))
        B = np.asarray(T.matrix)
        spec = np.real(T.spectrum(cov))
        print(f"delta      : {delta:.3e}  (||R - Reynolds(R)||_F / ||R||_F; 0 = invariant)", file=out)
        print(f"offdiag    : {_offdiag_ratio(B, cov):.3e}  (||offdiag(B^H R B)|| / ||R||)", file=out)
        k = min(len(spec), args.show)
        print(f"spectrum   : {np.array2string(spec[:k], precision=4, max_line_width=100)}"
              + (" ..." if len(spec) > k else ""), file=out)
    if args.out:
        if str(args.out).endswith(".npz"):
            T.save(args.out)
            print(f"saved      : the transform, to {args.out} (next: algdiv apply DATA.npy "
                  f"--transform {args.out} --out COEF.npy)", file=out)
        else:
            save_array_atomic(args.out, np.asarray(T.matrix))
            print(f"basis      : written to {args.out} (columns are the basis vectors)", file=out)
    return 0


def register(sub) -> None:
    from ..groups import GROUP_GRAMMAR
    from ._progress import add_quiet_option

    p = sub.add_parser("catalog", help="list each group family with its transform and a verification",
                       description="For every group family of the catalog, derive its matched transform, build a "
                       "random invariant covariance, and check that the transform diagonalizes it; prints one "
                       "line per family with the plan, the residual and the time.")
    p.add_argument("--seed", type=int, default=0, help="seed of the random invariant covariances")
    p.add_argument("--resolution", action="store_true",
                   help="also print the resolution along every subgroup chain at N = 16")
    add_quiet_option(p)
    p.set_defaults(func=_run_catalog)

    p = sub.add_parser(
        "derive",
        help="derive the matched transform of a group (optionally finished by a covariance)",
        description="Derive the matched transform of GROUP and print it; with COV (or samples), "
        "first a one-line verdict on whether GROUP fits it, then its spectrum and invariance "
        "residual.\n\n" + GROUP_GRAMMAR,
        formatter_class=__import__("argparse").RawDescriptionHelpFormatter,
    )
    p.add_argument("cov", nargs="?", default=None,
                   help="covariance .npy file (N x N, symmetric), or samples with --samples")
    p.add_argument("--group", required=True,
                   help="group spec, e.g. tree:4, direct(dct:8,dct:8) or @G.json (a group file)")
    p.add_argument("--samples", action="store_true",
                   help="the data file holds samples (L x N, one snapshot per row)")
    p.add_argument("--n-samples", type=int, default=None, metavar="L",
                   help="number of snapshots behind COV: the fit verdict then tests at --level "
                   "(omit: COV is exact)")
    p.add_argument("--level", type=float, default=0.05,
                   help="significance level of the fit verdict (default 0.05)")
    p.add_argument("--seed", type=int, default=0, help="seed of the verdict's bootstrap (default 0)")
    p.add_argument("--field", choices=("real", "complex"), default="real")
    p.add_argument("--out", default=None,
                   help="T.npz: save the transform (for algdiv apply); other names: the basis "
                   "(columns) as .npy")
    p.add_argument("--show", type=int, default=16, help="spectrum entries to print")
    p.set_defaults(func=_run_derive)


def _tour_catalog(out) -> None:
    rows = catalog_rows(rng=0)
    print(format_catalog(rows), file=out)


def _tour_tree12(out) -> None:
    from ..bases import matched_transform
    from ..groups import tree

    t0 = time.perf_counter()
    G = tree(12)
    n_orb = G.n_orbitals()
    T = matched_transform(G)
    x = np.random.default_rng(1).standard_normal(G.degree)
    y = T.forward(x)
    err = float(np.linalg.norm(T.inverse(y) - x) / np.linalg.norm(x))
    print(
        f"tree(12): N = {G.degree}, |G| = 2^{G.order().bit_length() - 1}, {n_orb} orbitals, "
        f"plan {T.plan.describe()}, "
        f"round-trip error {err:.1e}, {time.perf_counter() - t0:.2f} s",
        file=out,
    )


TOUR_STEPS = [("catalog", _tour_catalog), ("tree", _tour_tree12)]
