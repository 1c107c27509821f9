"""Fast Gram solves on lattices and digital nets: algdiv vs QMCPy's fast path vs dense numpy.

Setting (spec qmc.md 4.4): d = 4, weights [1, .5, .25, .125], nugget 1e-8,
shift-invariant kernel (alpha 1) on a shifted rank-1 lattice in radical-inverse
order, and a digitally shift-invariant kernel (alpha 1) on a scrambled SciPy
Sobol' net (LMS + digital shift, Gray order). Each timing starts from the given
points and a right-hand side y and ends with the solution and the
log-determinant: for algdiv it includes the group detection and verification
(FastGram), for QMCPy the first kernel column, sqrt(n) * fwht/fftbr, one solve
by two transforms and the sum of logs (its documented fast path, which trusts
the caller's pairing). Dense: the Gram matrix, numpy.linalg.solve and slogdet.

Run:  PYTHONPATH=. python benchmarks/qmc.py [--mmax 20] [--dense-max 13] [--repeat 3]
"""
from __future__ import annotations

import argparse
import platform
import time

import numpy as np
import scipy
from scipy.stats import qmc

from algdiv.qmc import FastGram, cbc, dsi_kernel, lattice, si_kernel

D = 4
W = np.array([1.0, 0.5, 0.25, 0.125])
NUGGET = 1e-8


def best_of(func, repeat):
    best, out = np.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        out = func()
        best = min(best, time.perf_counter() - t)
    return best, out


def ours(kernel, x, y):
    G = FastGram(kernel, x, nugget=NUGGET)
    return G.solve(y), G.logdet()


def qmcpy_path(qp, kernel, x_kernel, y, kind):
    k0 = kernel(x_kernel, x_kernel[0])
    n = len(y)
    if kind == "lattice":
        lam = np.sqrt(n) * qp.fftbr(k0) + NUGGET
        sol = qp.ifftbr(qp.fftbr(y) / lam).real
    else:
        lam = np.sqrt(n) * qp.fwht(k0) + NUGGET
        sol = qp.fwht(qp.fwht(y) / lam)
    return sol, float(np.sum(np.log(lam.real)))


def dense(kernel, x, y):
    K = kernel(x[:, None], x[None]) + NUGGET * np.eye(len(x))
    return np.linalg.solve(K, y), np.linalg.slogdet(K)[1]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mmin", type=int, default=10)
    ap.add_argument("--mmax", type=int, default=20)
    ap.add_argument("--dense-max", type=int, default=13)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    try:
        import qmcpy as qp
    except ImportError:
        qp = None
    print(f"python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
          f"qmcpy {getattr(qp, '__version__', 'not installed')}, {platform.machine()}")
    print("times in ms (best of %d, of 25 up to n = 2^14); dense = build + solve + slogdet; rel = ||x_fast - x_dense|| / ||x_dense||"
          % args.repeat)
    head = (f"{'n':>8} | {'lat algdiv':>10} {'lat qmcpy':>10} | {'net algdiv':>10} {'net qmcpy':>10} | "
            f"{'dense lat':>10} {'dense net':>10} | {'rel lat':>8} {'rel net':>8} | {'logdet rel':>10}")
    print(head)
    print("-" * len(head))
    sk, dk = si_kernel(1, W), dsi_kernel(1, W)
    rng = np.random.default_rng(0)
    gvec = cbc(1 << args.mmax, D)
    for m in range(args.mmin, args.mmax + 1):
        n = 1 << m
        x_lat = lattice(n, gvec % n, order="radical", shift="random", rng=m)
        x_net = qmc.Sobol(D, scramble=True, bits=30, seed=m).random_base2(m)
        x_net_bin = np.ldexp(x_net, 30).astype(np.uint64)   # QMCPy's DSI kernel takes t-bit integers
        y = rng.standard_normal(n)
        rep = max(args.repeat, 25) if n <= 1 << 14 else args.repeat   # sub-ms timings are noisy
        t_lat, (s_lat, ld_lat) = best_of(lambda: ours(sk, x_lat, y), rep)
        t_net, (s_net, ld_net) = best_of(lambda: ours(dk, x_net, y), rep)
        row = [f"{n:>8}", f"{1e3 * t_lat:10.2f}"]
        if qp is not None:
            qk_lat = qp.KernelShiftInvar(D, alpha=1, lengthscales=W)
            qk_net = qp.KernelDigShiftInvar(D, t=30, alpha=1, lengthscales=W)
            q_lat, (qs_lat, _) = best_of(lambda: qmcpy_path(qp, qk_lat, x_lat, y, "lattice"), rep)
            q_net, (qs_net, _) = best_of(lambda: qmcpy_path(qp, qk_net, x_net_bin, y, "net"), rep)
            assert np.linalg.norm(qs_lat - s_lat) <= 1e-6 * np.linalg.norm(s_lat)
            assert np.linalg.norm(qs_net - s_net) <= 1e-6 * np.linalg.norm(s_net)
            row += [f"{1e3 * q_lat:10.2f}", "|", f"{1e3 * t_net:10.2f}", f"{1e3 * q_net:10.2f}"]
        else:
            row += [f"{'-':>10}", "|", f"{1e3 * t_net:10.2f}", f"{'-':>10}"]
        if m <= args.dense_max:
            d_lat, (ds_lat, dld_lat) = best_of(lambda: dense(sk, x_lat, y), 1)
            d_net, (ds_net, dld_net) = best_of(lambda: dense(dk, x_net, y), 1)
            rel = [np.linalg.norm(s - r) / np.linalg.norm(r) for s, r in ((s_lat, ds_lat), (s_net, ds_net))]
            ldrel = max(abs(ld_lat - dld_lat) / abs(dld_lat), abs(ld_net - dld_net) / abs(dld_net))
            row += ["|", f"{1e3 * d_lat:10.0f}", f"{1e3 * d_net:10.0f}", "|", f"{rel[0]:8.1e}", f"{rel[1]:8.1e}",
                    "|", f"{ldrel:10.1e}"]
        else:
            row += ["|", f"{'-':>10}", f"{'-':>10}", "|", f"{'-':>8}", f"{'-':>8}", "|", f"{'-':>10}"]
        print(" ".join(row), flush=True)


if __name__ == "__main__":
    main()
