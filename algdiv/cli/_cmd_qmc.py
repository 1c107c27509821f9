"""``algdiv qmc``: lattices and digital nets, fast Gram matrices, Bayesian cubature."""
from __future__ import annotations

import argparse
import math
import time

import numpy as np

from . import UsageError
from ._io import save_array_atomic
from ._progress import add_quiet_option

__all__ = ["register", "TOUR_STEPS", "gram_demo", "cubature_demo"]

# Test integrands with known integrals over [0, 1]^d.
INTEGRANDS = {
    "exp": (lambda x: np.exp(x.sum(axis=1)), lambda d: (math.e - 1) ** d),
    "sine": (lambda x: np.prod(1 + 0.5 * np.sin(2 * np.pi * x), axis=1), lambda d: 1.0),
    "genz-gaussian": (lambda x: np.exp(-np.sum((x - 0.5) ** 2, axis=1)),
                      lambda d: (math.sqrt(math.pi) * math.erf(0.5)) ** d),
}


def _points(kind, n, d, alpha, rng):
    from ..qmc import cbc, lattice, sobol

    if kind == "lattice":
        return lattice(n, cbc(n, d, alpha=min(alpha, 5)), order="radical", shift="random", rng=rng)
    return sobol(n, d, alpha=1, randomize="lms", rng=rng)


def gram_demo(out, m=16, d=4, alpha=1, points="sobol"):
    """Build a FastGram on 2^m points, check it on a 512-point prefix densely, time a solve."""
    from ..qmc import FastGram, dsi_kernel, si_kernel

    n = 1 << m
    w = 0.5 ** np.arange(d)
    kernel = si_kernel(alpha, w) if points == "lattice" else dsi_kernel(alpha, w)
    x = _points(points, n, d, alpha, 0)
    y = np.random.default_rng(1).standard_normal(n)
    t0 = time.perf_counter()
    G = FastGram(kernel, x, nugget=1e-8)
    sol = G.solve(y)
    logdet = G.logdet()
    dt = time.perf_counter() - t0
    print(f"{points} n = {n}, d = {d}, {kernel}: structure {G.structure}", file=out)
    print(f"  detect + eigenvalues + solve + logdet: {1e3 * dt:.1f} ms; logdet {logdet:.6g}; "
          f"lambda in [{G.min_eigenvalue():.3g}, {G.eigenvalues().max():.3g}]", file=out)
    print(f"  residual ||K x - y|| / ||y|| = {np.linalg.norm(G.matvec(sol) - y) / np.linalg.norm(y):.1e}",
          file=out)
    small = x[:512]
    Gs = FastGram(kernel, small, nugget=1e-8)
    dense = np.linalg.eigvalsh(Gs.dense())
    err = np.max(np.abs(np.sort(Gs.eigenvalues()) - dense)) / dense[-1]
    print(f"  first 512 points: max |fast - dense eigenvalues| / lambda_max = {err:.1e}", file=out)


def cubature_demo(out, integrand="exp", d=3, tol=1e-4, points="lattice", alpha=2, n_max=1 << 18, progress=None):
    """Integrate a test function by Bayesian cubature with doubling, against its known value."""
    from ..qmc import cubature

    f, exact = INTEGRANDS[integrand]
    t0 = time.perf_counter()
    res = cubature(f, d, abs_tol=tol, points=points, alpha=alpha, n_max=n_max,
                   periodize="baker" if points == "lattice" else None, rng=0, progress=progress)
    dt = time.perf_counter() - t0
    print(f"cubature of {integrand!r} in d = {d} on {points} (alpha {alpha}): n = {res.n}, "
          f"estimate {res.estimate:.10g} +- {res.error:.1e} (99%), true error "
          f"{abs(res.estimate - exact(d)):.1e}, {'converged' if res.converged else 'NOT converged'}, "
          f"{dt:.2f} s", file=out)
    return res


def _run_points(args) -> int:
    if args.n < 1 or args.n & (args.n - 1):
        raise UsageError(f"--n must be a power of 2, not {args.n}")
    x = _points(args.kind, args.n, args.d, args.smoothness, args.seed)
    if args.out:
        save_array_atomic(args.out, x)
        print(f"wrote {args.out} ({x.shape[0]} x {x.shape[1]})")
    else:
        np.savetxt(__import__("sys").stdout, x, fmt="%.17g")
    return 0


def _run_gram(args) -> int:
    import sys

    if not 1 <= args.m <= 24:
        raise UsageError(f"--m must be in 1..24, not {args.m}")
    gram_demo(sys.stdout, m=args.m, d=args.d, alpha=args.smoothness, points=args.points)
    return 0


def _run_integrate(args) -> int:
    import sys

    if not args.tol > 0:
        raise UsageError(f"--tol must be > 0, not {args.tol}")
    from ._progress import progress_line

    if not 1 <= args.m_max <= 30:
        raise UsageError(f"--m-max must be in 1..30, not {args.m_max}")
    progress = progress_line(args)
    try:
        res = cubature_demo(sys.stdout, args.integrand, args.d, args.tol, args.points, args.smoothness,
                            1 << args.m_max, progress=progress)
    finally:
        progress.close()
    return 0 if res.converged else 1


def _smoothness(parser, default, text):
    parser.add_argument("--smoothness", type=int, default=default, metavar="ALPHA", help=text)
    parser.add_argument("--alpha", dest="smoothness", type=int, help=argparse.SUPPRESS)   # deprecated spelling


def register(sub) -> None:
    p = sub.add_parser("qmc", help="lattices, digital nets, fast Gram matrices, Bayesian cubature",
                       description="Quasi-Monte Carlo point sets and O(n log n) kernel methods on them.")
    qsub = p.add_subparsers(dest="qmc_command", metavar="ACTION")
    q = qsub.add_parser("points", help="write a shifted lattice (fast CBC) or an LMS-scrambled Sobol' net",
                        description="Write n points in [0, 1)^d: a randomly shifted rank-1 lattice whose "
                        "generating vector comes from fast component-by-component construction for the given "
                        "smoothness, or an LMS-scrambled Sobol' net. Text on stdout, or a .npy file with --out.")
    q.add_argument("kind", choices=["lattice", "sobol"])
    q.add_argument("--n", type=int, default=1024, help="number of points, a power of 2 (default 1024)")
    q.add_argument("--d", type=int, default=2, help="dimension (default 2)")
    _smoothness(q, 1, "CBC smoothness order (lattice; default 1)")
    q.add_argument("--seed", type=int, default=0, help="randomization seed (default 0)")
    q.add_argument("--out", default=None, help=".npy file (default: text on stdout)")
    q.set_defaults(func=_run_points)
    q = qsub.add_parser("gram", help="FastGram on 2^m points: detection, solve, logdet, dense check",
                        description="Build the kernel Gram matrix of 2^m lattice or Sobol' points as a FastGram "
                        "(O(n log n) eigenvalues), solve a system, take its log-determinant, and compare the "
                        "eigenvalues of a 512-point prefix with a dense eigendecomposition.")
    q.add_argument("--points", choices=["lattice", "sobol"], default="sobol")
    q.add_argument("--m", type=int, default=16, help="log2 of the number of points (default 16)")
    q.add_argument("--d", type=int, default=4, help="dimension (default 4)")
    _smoothness(q, 1, "kernel smoothness order (default 1)")
    q.set_defaults(func=_run_gram)
    q = qsub.add_parser("integrate", help="Bayesian cubature of a test integrand with a known value",
                        description="Integrate a test function over [0, 1]^d by Bayesian cubature, doubling the "
                        "points until the 99% credible error is below --tol; prints the estimate, its error "
                        "bar and the true error. Exit code 1 when it did not converge within 2^M_MAX points.")
    q.add_argument("integrand", choices=sorted(INTEGRANDS))
    q.add_argument("--d", type=int, default=3, help="dimension (default 3)")
    q.add_argument("--tol", type=float, default=1e-4, help="absolute tolerance (default 1e-4)")
    q.add_argument("--points", choices=["lattice", "sobol"], default="lattice")
    _smoothness(q, 2, "kernel smoothness order (default 2)")
    q.add_argument("--m-max", type=int, default=18, help="at most 2^M_MAX points (default 18)")
    add_quiet_option(q)
    q.set_defaults(func=_run_integrate)
    p.set_defaults(func=lambda args: (p.print_help(), 0)[1])


def _tour_qmc(out) -> None:
    gram_demo(out, m=16, d=4, alpha=1, points="sobol")
    cubature_demo(out, "exp", d=3, tol=1e-4, points="lattice", alpha=2, n_max=1 << 16)


TOUR_STEPS = [("qmc", _tour_qmc)]
