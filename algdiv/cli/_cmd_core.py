"""``algdiv catalog`` and ``algdiv derive``: groups to matched transforms."""
from __future__ import annotations

import sys
import time

import numpy as np

from . import UsageError
from ._io import load_covariance, save_array_atomic

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
    from ._progress import progress_line

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


def _run_derive(args) -> int:
    from ..bases import matched_transform
    from ..groups import parse_group

    try:
        G = parse_group(args.group)
    except (ValueError, TypeError) as exc:
        raise UsageError(f"--group {args.group!r}: {exc}") from None
    n = getattr(G, "signal_size", G.degree)
    cov = None
    if args.cov is not None:
        cov = load_covariance(args.cov)
        if cov.shape[0] != n:
            raise UsageError(
                f"covariance in {args.cov!r} is {cov.shape[0]} x {cov.shape[0]}, but group "
                f"{G.name} acts on signals of length {n}"
            )
    if G.family == "trivial" and cov is None:
        raise UsageError("the trivial group's transform is the KLT of a covariance: give COV.npy")
    T = matched_transform(G, cov, field=args.field)
    out = sys.stdout
    print(f"group      : {G.name}", file=out)
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
        description="Derive the matched transform of GROUP and print it; with COV, also its "
        "spectrum and invariance residual.\n\n" + GROUP_GRAMMAR,
        formatter_class=__import__("argparse").RawDescriptionHelpFormatter,
    )
    p.add_argument("cov", nargs="?", default=None, help="covariance .npy file (N x N, symmetric)")
    p.add_argument("--group", required=True, help="group spec, e.g. tree:4 or direct(cyclic:4,elementary_abelian:2)")
    p.add_argument("--field", choices=("real", "complex"), default="real")
    p.add_argument("--out", default=None, help="write the basis (columns) to this .npy file")
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
