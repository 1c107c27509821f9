"""``algdiv frft``, ``algdiv sphere``, ``algdiv resolution``: compact groups and the resolution principle."""
from __future__ import annotations

import math
import sys
import time

import numpy as np

from . import UsageError
from ._io import load_array, save_array_atomic
from ._progress import add_quiet_option, progress_line

__all__ = ["register", "TOUR_STEPS", "frft_demo", "sphere_demo", "resolution_report"]


# --------------------------------------------------------------------------- frft
def _centred_grid(n):
    j = np.arange(n)
    return np.where(j < (n + 1) // 2, j, j - n) * math.sqrt(2.0 * math.pi / n)


def _chirp(n, a0, width=12.0):
    """Gaussian-windowed chirp exp(i c x^2/2), c = -cot(a0 pi/2): a spike at order a0."""
    x = _centred_grid(n)
    c = -1.0 / math.tan(a0 * math.pi / 2.0)
    return np.exp(0.5j * c * x * x - x * x / (2.0 * width * width))


def frft_demo(out, n=256, order=0.5, chirp=0.6, scan=201):
    """Print the FrFT checks (group law, DFT, unitarity) and locate a chirp's order."""
    from ..transforms._frft import frft, frft_matrix, hermite_orders

    import scipy.fft

    t0 = time.perf_counter()
    Fa, Fb, Fab = frft_matrix(n, order), frft_matrix(n, 0.37), frft_matrix(n, order + 0.37)
    F1 = frft_matrix(n, 1.0)
    dft = scipy.fft.fft(np.eye(n), norm="ortho", axis=0)
    k = hermite_orders(n)
    print(f"discrete FrFT, N = {n} (Hermite orders {k[0]}..{k[-1]}"
          f"{', order N - 1 replaced by N' if n % 2 == 0 else ''}"
          f"{'; N % 4 == 0: degenerate S pair split by parity' if n % 4 == 0 else ''})", file=out)
    print(f"  ||F^{order:g} F^0.37 - F^{order + 0.37:g}||_2 = {np.linalg.norm(Fa @ Fb - Fab, 2):.1e}", file=out)
    print(f"  max|F^1 - DFT(ortho)|          = {np.abs(F1 - dft).max():.1e}", file=out)
    print(f"  max|(F^a)^H F^a - I|           = {np.abs(Fa.conj().T @ Fa - np.eye(n)).max():.1e}", file=out)
    if chirp is not None:
        sig = _chirp(n, chirp)
        orders = np.linspace(0.0, 2.0, scan)
        energy = float(np.sum(np.abs(sig) ** 2))
        conc = np.array([np.max(np.abs(frft(sig, a)) ** 2) / energy for a in orders])
        best = float(orders[np.argmax(conc)])
        print(f"  chirp made for order {chirp:g}: peak concentration {conc.max():.2f} at order "
              f"{best:.3f} (|error| {abs(best - chirp):.3f}; order 0 gives {conc[0]:.3f})", file=out)
    print(f"  ({time.perf_counter() - t0:.2f} s)", file=out)


def _run_frft(args) -> int:
    from ..transforms._frft import frft

    if not math.isfinite(args.order):
        raise UsageError(f"--order must be a finite real number, not {args.order!r}")
    if args.input is None:
        if args.n < 1:
            raise UsageError(f"--n must be an integer >= 1, not {args.n}")
        if args.chirp is not None and not (0.0 < args.chirp < 2.0):
            raise UsageError(f"--chirp must be an order in (0, 2), not {args.chirp!r}")
        frft_demo(sys.stdout, n=args.n, order=args.order, chirp=args.chirp)
        return 0
    x = load_array(args.input, what="input")
    if x.ndim == 0 or x.shape[-1] == 0:
        raise UsageError(f"input {args.input!r} must have a non-empty last axis, got shape {x.shape}")
    y = frft(x, args.order, axis=-1)
    if args.out is None:
        raise UsageError("--out is required with --input (the result is complex: .npy)")
    save_array_atomic(args.out, y)
    print(f"F^{args.order:g} of {args.input} (shape {x.shape}, last axis) written to {args.out}")
    return 0


# --------------------------------------------------------------------------- sphere
def sphere_demo(out, degree=32, kappa=2.0, diag_degree=8):
    """Round trip, timing, Funk-Hecke eigenvalues and a diagonal zonal covariance."""
    import scipy.special

    from ..reps._compact import funk_hecke
    from ..transforms._sphere import SphereTransform

    T = SphereTransform(degree)
    rng = np.random.default_rng(0)
    c = rng.standard_normal(T.n_coeffs)
    t0 = time.perf_counter()
    f = T.inverse(c)
    t1 = time.perf_counter()
    c2 = T.forward(f)
    t2 = time.perf_counter()
    print(f"real spherical harmonics, L = {degree}: {T.n_lat} Gauss-Legendre rings x {T.n_lon} "
          f"longitudes = {T.n_points} points, {T.n_coeffs} coefficients", file=out)
    print(f"  inverse {1e3 * (t1 - t0):.1f} ms, forward {1e3 * (t2 - t1):.1f} ms (O(L^3): FFT per ring + "
          f"Legendre recursion)", file=out)
    print(f"  round trip max|forward(inverse(c)) - c| = {np.abs(c2 - c).max():.1e}", file=out)
    lmax = min(degree, 8)
    lam = funk_hecke(lambda t: np.exp(kappa * t), lmax)
    ref = 4 * np.pi * scipy.special.spherical_in(np.arange(lmax + 1), kappa)
    print(f"  Funk-Hecke k(t) = exp({kappa:g} t): lambda_0..{lmax} = "
          f"{np.array2string(lam, precision=4, max_line_width=200)}", file=out)
    print(f"    max|lambda - 4 pi i_l({kappa:g})| / lambda_0 = {np.abs(lam - ref).max() / ref[0]:.1e}", file=out)
    if diag_degree is not None:
        S = SphereTransform(diag_degree, n_lat=2 * diag_degree + 8, n_lon=4 * diag_degree + 16)
        K = np.exp(kappa * (S.points @ S.points.T))
        M = S.forward(S.forward(K, axis=0))
        lam_d = funk_hecke(lambda t: np.exp(kappa * t), diag_degree)
        off = np.abs(M - np.diag(np.diag(M))).max()
        print(f"  zonal covariance on {S.n_points} points, degree <= {diag_degree}: max offdiag "
              f"{off:.1e}, max|diag - lambda_l| {np.abs(np.diag(M) - lam_d[S.degrees]).max():.1e}", file=out)


def _run_sphere(args) -> int:
    if args.degree < 0:
        raise UsageError(f"--degree must be an integer >= 0, not {args.degree}")
    if args.degree > 1024:
        raise UsageError(f"--degree {args.degree} is above the demo's limit 1024")
    if not math.isfinite(args.kappa):
        raise UsageError(f"--kappa must be finite, not {args.kappa!r}")
    sphere_demo(sys.stdout, degree=args.degree, kappa=args.kappa,
                diag_degree=None if args.no_diag else min(args.degree, 8))
    return 0


# --------------------------------------------------------------------------- resolution
def resolution_report(out, n=16, progress=None):
    """Print every subgroup chain on ``n`` points with orders, resolutions and the check.

    ``progress(done, total, label)`` (optional) follows all chains together.
    """
    from ..bases import check_chain, subgroup_chains

    print(f"resolution = distinct eigenvalues of a generic invariant covariance (N = {n})", file=out)
    chains = subgroup_chains(n)
    total = sum(2 * len(c) - 1 for c in chains.values())
    offset = 0
    for name, chain in chains.items():
        step = None
        if progress is not None:
            step = (lambda done, _t, label, _o=offset, _n=name: progress(_o + done, total, f"{_n}: {label}"))
        print(f"\nchain '{name}':", file=out)
        print(str(check_chain(chain, progress=step)), file=out)
        offset += 2 * len(chain) - 1


def _run_resolution(args) -> int:
    if not 2 <= args.n <= 1024:
        raise UsageError(f"--n must be an integer in [2, 1024], not {args.n}")
    progress = progress_line(args)
    try:
        resolution_report(sys.stdout, n=args.n, progress=progress)
    finally:
        progress.close()
    return 0


def register(sub) -> None:
    p = sub.add_parser("frft", help="discrete fractional Fourier transform: checks, chirp demo, or apply to a file",
                       description="Without --input: check F^a F^b = F^(a+b), F^1 = DFT and unitarity at size N, "
                       "and find the order at which a chirp concentrates. With --input X.npy: write "
                       "F^ORDER applied along the last axis to --out.")
    p.add_argument("--n", type=int, default=256, help="size N of the demo (default 256)")
    p.add_argument("--order", type=float, default=0.5, help="fractional order a (1 = DFT; default 0.5)")
    p.add_argument("--chirp", type=float, default=0.6,
                   help="demo: order in (0, 2) the chirp is made for (default 0.6)")
    p.add_argument("--input", default=None, help=".npy array to transform along its last axis")
    p.add_argument("--out", default=None, help=".npy file for the result (with --input)")
    p.set_defaults(func=_run_frft)

    p = sub.add_parser("sphere", help="real spherical-harmonic transform: round trip, timing, Funk-Hecke",
                       description="Real spherical-harmonic transform up to degree L on a quadrature grid: round "
                       "trip error and timing, and the Funk-Hecke eigenvalues of the zonal kernel exp(kappa t) "
                       "checked against a dense zonal covariance.")
    p.add_argument("--degree", type=int, default=32, help="maximum degree L (default 32)")
    p.add_argument("--kappa", type=float, default=2.0, help="zonal kernel exp(kappa t) (default 2)")
    p.add_argument("--no-diag", action="store_true", help="skip the dense zonal-covariance check")
    p.set_defaults(func=_run_sphere)

    p = sub.add_parser("resolution", help="subgroup chains: resolution coarsens as the group grows",
                       description="For N points, walk subgroup chains of the catalog's groups and print the "
                       "resolution (number and sizes of the invariant blocks) at each step: the larger the "
                       "group, the coarser the resolution.")
    p.add_argument("--n", type=int, default=16, help="number of points (default 16)")
    add_quiet_option(p)
    p.set_defaults(func=_run_resolution)


def _tour_frft(out) -> None:
    frft_demo(out, n=256, order=0.5, chirp=0.6, scan=101)


def _tour_sphere(out) -> None:
    sphere_demo(out, degree=64, kappa=2.0, diag_degree=8)


def _tour_resolution(out) -> None:
    resolution_report(out, n=16)


TOUR_STEPS = [("frft", _tour_frft), ("sphere", _tour_sphere), ("resolution", _tour_resolution)]
