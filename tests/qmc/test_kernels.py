"""Kernels against independent formulas: sympy's Bernoulli polynomials, Fourier and Walsh series."""
import numpy as np
import pytest

from algdiv.qmc import bernoulli_poly, dsi_kernel, si_kernel
from algdiv.testing import rtol_default

RTOL = rtol_default(np.float64)


@pytest.mark.parametrize("alpha", [1, 2, 3, 4, 5])
def test_si_univariate_equals_sympy_bernoulli(alpha, oracles):
    t = np.concatenate([[0.0, 0.5, 1 - 2 ** -40], np.random.default_rng(alpha).random(50)])
    got = si_kernel(alpha).univariate(t, alpha)
    ref = oracles.si_univariate_sympy(alpha, t)
    np.testing.assert_allclose(got, ref, rtol=1e-13, atol=1e-13 * np.max(np.abs(ref)))


@pytest.mark.parametrize("alpha", [2, 3, 4, 5])
def test_si_univariate_equals_fourier_series(alpha, oracles):
    t = np.random.default_rng(10 + alpha).random(8)
    np.testing.assert_allclose(si_kernel(alpha).univariate(t, alpha),
                               oracles.si_univariate_fourier(alpha, t), rtol=0, atol=1e-12)


def test_si_spec_closed_forms():
    t = np.linspace(0, 1, 17, endpoint=False)
    k1 = 2 * np.pi ** 2 * (t ** 2 - t + 1 / 6)
    k2 = -(2 * np.pi) ** 4 / 24 * (t ** 4 - 2 * t ** 3 + t ** 2 - 1 / 30)
    np.testing.assert_allclose(si_kernel(1).univariate(t, 1), k1, rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(si_kernel(2).univariate(t, 2), k2, rtol=1e-14, atol=1e-13)


@pytest.mark.parametrize("alpha", [1, 2, 3, 4])
def test_dsi_univariate_equals_walsh_series(alpha, oracles):
    rng = np.random.default_rng(alpha)
    x = np.concatenate([[0.0, 0.5, 0.25, 0.75, 2.0 ** -30, 1 - 2.0 ** -53],
                        rng.random(30), rng.integers(0, 1024, 10) / 1024])
    got = dsi_kernel(alpha).univariate(x, alpha)
    ref = np.array([oracles.dsi_univariate_walsh(alpha, xi) for xi in x])
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-13)


def test_dsi_order1_closed_form():
    # spec: K1(x) = 6 (1/6 - 2^(floor(log2 x) - 1)), K1(0) = 1
    x = np.random.default_rng(0).random(40)
    ref = 6 * (1 / 6 - 2.0 ** (np.floor(np.log2(x)) - 1))
    np.testing.assert_allclose(dsi_kernel(1).univariate(x, 1), ref, rtol=1e-14)
    assert dsi_kernel(1).univariate(np.array([0.0]), 1)[0] == 1.0


@pytest.mark.parametrize("make, alphas", [(si_kernel, [1, 2, 3]), (dsi_kernel, [1, 2, 4])])
def test_product_and_broadcasting(make, alphas):
    rng = np.random.default_rng(4)
    w = [1.0, 0.5, 0.25]
    k = make(alphas, w, scale=2.5)
    p = rng.random((6, 3))
    K = k(p[:, None], p[None])
    assert K.shape == (6, 6)
    for i in range(6):
        for j in range(6):
            diff = (p[i] - p[j]) % 1 if make is si_kernel else np.ldexp(
                np.bitwise_xor(np.ldexp(p[i], 53).astype(np.uint64),
                               np.ldexp(p[j], 53).astype(np.uint64)).astype(float), -53)
            ref = 2.5 * np.prod([1 + w[q] * k.univariate(diff[q:q + 1], alphas[q])[0] for q in range(3)])
            assert abs(K[i, j] - ref) <= 1e-13 * abs(ref)
    np.testing.assert_allclose(K, K.T, rtol=1e-14)
    assert k(p[:, None, None], p[None, :2, None]).shape == (6, 2, 1)


@pytest.mark.parametrize("make, alpha", [(si_kernel, 1), (si_kernel, 3), (dsi_kernel, 1), (dsi_kernel, 3)])
def test_univariate_integrates_to_zero(make, alpha):
    # midpoint rule on 2^16 cells: exact enough for these piecewise polynomials
    t = (np.arange(1 << 16) + 0.5) / (1 << 16)
    assert abs(np.mean(make(alpha).univariate(t, alpha))) < 1e-6


def test_bernoulli_poly_low_degrees():
    t = np.linspace(0, 1, 5)
    np.testing.assert_allclose(bernoulli_poly(1, t), t - 0.5)
    np.testing.assert_allclose(bernoulli_poly(4, t), t ** 4 - 2 * t ** 3 + t ** 2 - 1 / 30, atol=1e-15)


def test_kernel_errors():
    with pytest.raises(ValueError, match="Argument 'alpha' must be in"):
        si_kernel(6)
    with pytest.raises(ValueError, match="Argument 'alpha' must be in"):
        dsi_kernel(5)
    with pytest.raises(TypeError, match="Argument 'alpha'"):
        si_kernel(1.5)
    with pytest.raises(ValueError, match="Argument 'weights'"):
        si_kernel(1, weights=[-1.0])
    with pytest.raises(ValueError, match="same length"):
        si_kernel([1, 2], weights=[1, 1, 1])
    with pytest.raises(ValueError, match="Argument 'scale'"):
        dsi_kernel(1, scale=0)
    k = si_kernel(1, weights=[1, 1])
    with pytest.raises(ValueError, match="dimension 2"):
        k(np.zeros(3), np.zeros(3))
    with pytest.raises(ValueError, match="same dimension"):
        k(np.zeros(2), np.zeros(3))
    with pytest.raises(ValueError, match="Argument 'n'"):
        bernoulli_poly(11, 0.5)


def test_qmcpy_oracle():
    qmcpy = pytest.importorskip("qmcpy")
    w = np.array([1.0, 0.5, 0.25])
    x = qmcpy.Lattice(3, seed=7)(64)
    for a in range(1, 6):
        Kq = qmcpy.KernelShiftInvar(3, alpha=a, lengthscales=w)(x[:, None, :], x[None, :, :])
        np.testing.assert_allclose(si_kernel(a, w)(x[:, None], x[None]), Kq, rtol=RTOL)
    net = qmcpy.DigitalNetB2(3, seed=7, t=52)
    xb, xf = net(64, return_binary=True), net(64)
    for a in range(1, 5):
        Kq = qmcpy.KernelDigShiftInvar(3, t=net.t, alpha=a, lengthscales=w)(xb[:, None, :], xb[None, :, :])
        np.testing.assert_allclose(dsi_kernel(a, w)(xf[:, None], xf[None]), Kq, rtol=RTOL)
