"""FastGP and cubature against dense Gaussian-process formulas."""
import math

import numpy as np
import pytest

from algdiv.qmc import (FastGP, cbc, cubature, dsi_kernel, lattice, si_kernel, sobol,
                        worst_case_error)
from algdiv.testing import rtol_default

RTOL = rtol_default(np.float64)


def _f(x):
    return np.sin(2 * np.pi * x[:, 0]) + np.cos(2 * np.pi * x[:, 1]) * x[:, 1] + 0.3 * x[:, 0] * x[:, 1]


def _data(kind, n=128, seed=0):
    if kind == "lattice":
        x = lattice(n, cbc(n, 2), order="radical", shift="random", rng=seed)
        k = si_kernel(2, [0.7, 0.2])
    else:
        x = sobol(n, 2, rng=seed)
        k = dsi_kernel(2, [0.7, 0.2])
    return x, _f(x), k


def _dense_profile_nll(k, x, y, eta):
    """((n-1)/2) log(r' K^-1 r / (n-1)) + (logdet K - log(1' K 1 / n)) / 2, r = y - mean(y)."""
    n = len(y)
    K = k.with_params(scale=1.0)(x[:, None], x[None]) + eta * np.eye(n)
    r = y - y.mean()
    q = r @ np.linalg.solve(K, r)
    return 0.5 * (n - 1) * math.log(q / (n - 1)) + 0.5 * (np.linalg.slogdet(K)[1] - math.log(K.sum() / n))


@pytest.mark.parametrize("kind", ["lattice", "net"])
def test_likelihood_and_gradient(kind):
    x, y, k = _data(kind)
    gp = FastGP(x, y, k, nugget=1e-4, fit=False)
    w = np.array([0.4, 1.3])
    value, grad = gp.neg_log_likelihood(w, nugget=1e-3)
    assert abs(value - _dense_profile_nll(k.with_params(weights=w), x, y, 1e-3)) <= 1e-8 * abs(value) + 1e-8
    h = 1e-5
    for j in range(2):
        e = np.zeros(2)
        e[j] = h
        num = (gp.neg_log_likelihood(w * np.exp(e), nugget=1e-3)[0]
               - gp.neg_log_likelihood(w * np.exp(-e), nugget=1e-3)[0]) / (2 * h)
        assert abs(num - grad[j]) <= 1e-5 * max(1.0, abs(num))
    num = (gp.neg_log_likelihood(w, nugget=1e-3 * math.exp(h))[0]
           - gp.neg_log_likelihood(w, nugget=1e-3 * math.exp(-h))[0]) / (2 * h)
    assert abs(num - grad[2]) <= 1e-5 * max(1.0, abs(num))


@pytest.mark.parametrize("kind", ["lattice", "net"])
def test_fit_reaches_a_stationary_point_better_than_start(kind):
    x, y, k = _data(kind, n=256)
    start = FastGP(x, y, k, fit=False)
    gp = FastGP(x, y, k)
    assert gp.neg_log_likelihood()[0] <= start.neg_log_likelihood()[0]
    g = gp.neg_log_likelihood()[1]
    w = gp.kernel.weights
    interior = (w > 1.01e-8) & (w < 0.99e4)
    assert np.all(np.abs(g[interior]) < 1e-2 * len(x))


@pytest.mark.parametrize("kind", ["lattice", "net"])
def test_predictions_match_dense_universal_kriging(kind):
    x, y, k = _data(kind, n=64)
    gp = FastGP(x, y, k, nugget=1e-6)
    kk, eta = gp.kernel, gp.nugget * gp.kernel.scale
    K = kk(x[:, None], x[None]) + eta * np.eye(len(x))
    xt = np.random.default_rng(5).random((7, 2))
    kx = kk(xt[:, None], x[None])
    one = np.ones(len(x))
    Ki1, Kiy, Kik = (np.linalg.solve(K, v) for v in (one, y, kx.T))
    m = (one @ Kiy) / (one @ Ki1)
    mean_ref = m + kx @ np.linalg.solve(K, y - m)
    var_ref = (kk(xt, xt) - np.einsum("bn,nb->b", kx, Kik)
               + (1 - one @ Kik) ** 2 / (one @ Ki1))
    mean, std = gp.predict(xt, return_std=True)
    np.testing.assert_allclose(mean, mean_ref, rtol=RTOL, atol=RTOL * np.abs(y).max())
    np.testing.assert_allclose(std ** 2, var_ref, rtol=1e-5, atol=1e-10 * kk.scale)
    # the integral: sample mean, and the same kriging formula with c = S 1, c00 = S
    S = kk.scale
    est, sd = gp.integral()
    assert abs(est - m) <= 1e-12 * max(1, abs(m))
    var_int = S - S * S * (one @ Ki1) + (1 - S * (one @ Ki1)) ** 2 / (one @ Ki1)
    assert abs(sd ** 2 - var_int) <= 1e-6 * var_int


@pytest.mark.parametrize("kind", ["lattice", "net"])
def test_gp_double_equals_direct(kind):
    x, y, k = _data(kind, n=256)
    half = FastGP(x[:128], y[:128], k, fit=False).double(x[128:], y[128:], refit=False)
    direct = FastGP(x, y, k, fit=False)
    xt = np.random.default_rng(1).random((5, 2))
    np.testing.assert_allclose(half.predict(xt), direct.predict(xt), rtol=1e-9)
    np.testing.assert_allclose(half.integral(), direct.integral(), rtol=1e-9)
    np.testing.assert_allclose(half._yhat, direct._yhat, rtol=1e-10, atol=1e-10 * np.abs(direct._yhat).max())


def test_worst_case_error_equals_dense_and_cbc_criterion():
    n, w = 128, [0.8, 0.4, 0.2]
    g = cbc(n, 3, alpha=2, weights=w)
    x = lattice(n, g, shift="random", rng=3)
    k = si_kernel(2, w, scale=1.7)
    K = k(x[:, None], x[None])
    ref = math.sqrt(K.sum() / n ** 2 - 1.7)
    assert abs(worst_case_error(k, x) - ref) <= 1e-10 * ref
    k1 = si_kernel(2, w)
    crit = -1 + np.mean(np.prod([1 + w[j] * k1.univariate((np.arange(n) * g[j] % n) / n, 2)
                                 for j in range(3)], axis=0))
    assert abs(worst_case_error(k1, x) ** 2 - crit) <= 1e-10 * crit
    xs = sobol(n, 3, rng=2)
    kd = dsi_kernel(1, w)
    Kd = kd(xs[:, None], xs[None])
    assert abs(worst_case_error(kd, xs) - math.sqrt(Kd.sum() / n ** 2 - 1)) <= 1e-10


@pytest.mark.parametrize("points, alpha, periodize", [("lattice", 2, "baker"), ("sobol", 1, None),
                                                     ("sobol", 2, None)])
def test_cubature_known_integral(points, alpha, periodize):
    f = lambda x: np.prod(1 + 0.5 * np.sin(2 * np.pi * x) + 0.25 * (x - 0.5), axis=1)  # noqa: E731
    res = cubature(f, 3, abs_tol=5e-4, points=points, alpha=alpha, n_max=1 << 14, rng=11,
                   periodize=periodize)
    assert abs(res.estimate - 1.0) <= res.error       # the credible interval covers the truth
    errors = [e for _, _, e in res.history]
    assert errors[-1] < errors[0] / 2
    assert res.converged and res.error <= 5e-4
    assert res.n == res.history[-1][0] and res.history[0][0] == 256


def test_gp_errors():
    x, y, k = _data("lattice", n=16)
    with pytest.raises(ValueError, match="Argument 'y' must have shape \\(16,\\)"):
        FastGP(x, y[:5], k)
    with pytest.raises(ValueError, match="Argument 'nugget'"):
        FastGP(x, y, k, nugget=0.0)
    with pytest.raises(TypeError, match="ProductKernel"):
        FastGP(x, y, lambda a, b: 1.0)
    with pytest.raises(ValueError, match="neither a lattice nor a digital net"):
        FastGP(np.random.default_rng(0).random((16, 2)), y)
    with pytest.raises(ValueError, match="Argument 'x' must have dimension 2"):
        FastGP(x, y, k).predict(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="Argument 'n_init'"):
        cubature(np.sum, 2, n_init=100)
    with pytest.raises(ValueError, match="Argument 'points'"):
        cubature(np.sum, 2, points="halton")
