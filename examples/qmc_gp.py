"""Fast Gaussian processes and Bayesian cubature on a lattice and a Sobol' net.

1. Fit a GP to a smooth periodic function of two variables on 2^7 lattice
   points (hyperparameters by maximum marginal likelihood, every step O(n log n)),
   and report the prediction error at random test points.
2. Integrate f(x) = exp(x_1 + ... + x_d) (integral (e - 1)^d) by Bayesian
   cubature, doubling n until the 99% credible interval is below a tolerance,
   on a lattice and on a Sobol' net, and compare the error estimate with the
   true error.
3. With matplotlib installed, plot the GP fit along a slice and the cubature
   errors against n (PNG, written atomically).

Run:  PYTHONPATH=. python examples/qmc_gp.py [--out qmc_gp.png]
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time

import numpy as np

from algdiv.qmc import FastGP, cbc, cubature, lattice, si_kernel


def target(x):
    """Smooth, periodic, with an infinite Fourier series."""
    return np.exp(np.sin(2 * np.pi * x[:, 0]) * np.cos(2 * np.pi * x[:, 1])) + 0.3 * np.abs(np.sin(np.pi * x[:, 1])) ** 3


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="qmc_gp.png", help="PNG path (needs matplotlib)")
    ap.add_argument("--m", type=int, default=7, help="GP on 2^m lattice points (default 7)")
    args = ap.parse_args(argv)

    n = 1 << args.m
    x = lattice(n, cbc(n, 2, alpha=2), order="radical", shift="random", rng=1)
    t = time.perf_counter()
    gp = FastGP(x, target(x), si_kernel(2))
    fit_s = time.perf_counter() - t
    xt = np.random.default_rng(2).random((2000, 2))
    mean, std = gp.predict(xt, return_std=True)
    err = np.abs(mean - target(xt))
    print(f"GP on {n} lattice points: fit {fit_s:.2f} s, kernel {gp.kernel}")
    print(f"  max |error| {err.max():.2e}, mean predicted std {std.mean():.2e}, "
          f"fraction within 3 std {np.mean(err <= 3 * std):.3f}")

    d = 4
    exact = (np.e - 1) ** d
    results = {}
    for points, alpha in (("lattice", 2), ("sobol", 2)):
        t = time.perf_counter()
        res = cubature(lambda z: np.exp(z.sum(axis=1)), d, abs_tol=1e-4, points=points, alpha=alpha,
                       periodize="baker" if points == "lattice" else None, n_max=1 << 20, rng=3)
        results[points] = res
        print(f"cubature on {points} (alpha {alpha}): n = {res.n}, estimate {res.estimate:.9f}, "
              f"error bound {res.error:.1e}, true error {abs(res.estimate - exact):.1e}, "
              f"{time.perf_counter() - t:.2f} s")

    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plot")
        return 0
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4))
    s = np.linspace(0, 1, 400, endpoint=False)
    xs = np.stack([s, np.full_like(s, 0.3)], axis=1)
    m, sd = gp.predict(xs, return_std=True)
    a1.plot(s, target(xs), "k-", lw=1, label="f(x, 0.3)")
    a1.plot(s, m, "C0--", label="GP mean")
    a1.fill_between(s, m - 3 * sd, m + 3 * sd, color="C0", alpha=0.3, label="±3 std")
    a1.set_title(f"FastGP on {n} lattice points")
    a1.set_xlabel("x_1")
    a1.legend()
    for name, res in results.items():
        ns, est, eb = map(np.array, zip(*res.history))
        a2.loglog(ns, eb, "o-", label=f"{name}: error bound")
        a2.loglog(ns, np.abs(est - exact) + 1e-16, "x--", label=f"{name}: true error")
    a2.set_xlabel("n")
    a2.set_title("Bayesian cubature of exp(x1+...+x4)")
    a2.legend()
    fig.tight_layout()
    folder = os.path.dirname(os.path.abspath(args.out))
    fd, tmp = tempfile.mkstemp(suffix=".png", dir=folder)
    os.close(fd)
    try:
        fig.savefig(tmp, dpi=110)
        os.replace(tmp, args.out)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
