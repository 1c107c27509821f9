"""Exact oracles (protocol A1): lattice laws against closed forms and brute force."""
import itertools
import math

import mpmath
import numpy as np
import pytest
from scipy import integrate
from scipy.linalg import hadamard

from algdiv.rotations import (
    coordinate_marginal,
    dkw_band,
    expected_abs_coordinate,
    kolmogorov_distance,
    lattice_law,
    loglog_slope,
    spread_input,
)

mpmath.mp.dps = 40
DIMS = [2**m for m in range(4, 21)]


def _central(n):
    """C(n, n/2) 2^-n to 40 digits (mpmath, independent of scipy's binomial)."""
    return mpmath.binomial(n, n // 2) / mpmath.mpf(2) ** n


def _closed_form(d, k):
    if k == 1:
        return 0.5 * _central(d)
    if k == 2:
        return 0.5 * _central(d // 2)
    if k == 4:
        return 0.25 * (_central(d) + _central(d // 4))
    raise ValueError(k)


@pytest.mark.parametrize("k", [1, 2, 4])
def test_distance_equals_closed_form(k):
    for d in DIMS:
        got = lattice_law(d, k).kolmogorov_distance()
        want = float(_closed_form(d, k))
        assert abs(got - want) <= 1e-9 * want, (d, k, got, want)


@pytest.mark.parametrize("k", [1, 2, 4])
def test_central_atom_closed_form(k):
    # The central atom itself, not only the distance it induces.
    for d in (16, 1024, 2**20):
        atom = lattice_law(d, k).atom(0.0)
        assert abs(atom - 2 * float(_closed_form(d, k))) <= 1e-9 * atom


def test_worst_case_slope_and_envelope():
    worst = [max(lattice_law(d, k).kolmogorov_distance() for k in (1, 2, 4)) for d in DIMS]
    slope = loglog_slope(DIMS, worst)
    assert -0.55 <= slope <= -0.45
    # The paper's envelope C d^{-1/5} with C = 0.30 (protocol A1).
    assert max(w * d**0.2 for w, d in zip(worst, DIMS)) <= 0.30
    # ... and the d^{-1/2} rate with constant below 0.6.
    assert max(w * math.sqrt(d) for w, d in zip(worst, DIMS)) <= 0.6


def test_k8_matches_prototype_table():
    # Spec A.7 ([P], 4 significant digits), k = 8 has no single-atom formula.
    table = {16: 1.093e-1, 64: 5.660e-2, 256: 2.856e-2, 1024: 1.4314e-2, 4096: 7.161e-3, 16384: 3.581e-3}
    for d, want in table.items():
        assert lattice_law(d, 8).kolmogorov_distance() == pytest.approx(want, rel=6e-4)
    slope = loglog_slope(list(table), [lattice_law(d, 8).kolmogorov_distance() for d in table])
    assert -0.55 <= slope <= -0.45


def _brute_force_law(d, k, coordinate):
    """Law of T(u_k)_i by enumerating all 2^d x 2^d sign pairs with a dense H."""
    h = hadamard(d).astype(np.int64)
    signs = np.array(list(itertools.product((1, -1), repeat=d)), dtype=np.int64)
    u_int = np.zeros(d, dtype=np.int64)
    u_int[:k] = 1                                        # u_k * sqrt(k)
    v = (signs * u_int) @ h.T                            # H D2 (sqrt(k) u_k), all D2
    out = (signs[:, None, :] * v[None, :, :]) @ h[coordinate]   # d sqrt(k) T(u_k)_i
    vals, counts = np.unique(out.ravel(), return_counts=True)
    return vals, counts / out.size


@pytest.mark.parametrize("d,k", [(4, 1), (4, 2), (4, 4), (8, 1), (8, 2), (8, 4), (8, 8)])
def test_lattice_law_equals_enumeration(d, k):
    law = lattice_law(d, k)
    for coordinate in (0, d - 1):
        vals, pmf = _brute_force_law(d, k, coordinate)
        np.testing.assert_array_equal(law.integers, vals)
        np.testing.assert_allclose(law.pmf, pmf, rtol=1e-13, atol=0)


@pytest.mark.parametrize("d,k", [(16, 1), (64, 4), (1024, 8), (4096, 16), (2**20, 4)])
def test_lattice_law_moments(d, k):
    law = lattice_law(d, k)
    assert law.pmf.sum() == pytest.approx(1.0, abs=1e-12)
    assert abs(law.mean()) <= 1e-12
    assert law.var() * d == pytest.approx(1.0, rel=1e-10)   # E T(u)_i^2 = |u|^2 / d
    assert law.scale == pytest.approx(1 / (d * math.sqrt(k)))


def test_lattice_law_cdf_and_rvs():
    law = lattice_law(64, 2)
    x = law.values
    np.testing.assert_allclose(law.cdf(x), np.cumsum(law.pmf), rtol=0, atol=1e-15)
    np.testing.assert_allclose(law.cdf(x - law.step / 2), np.cumsum(law.pmf) - law.pmf, atol=1e-15)
    draws = law.rvs(50_000, rng=3)
    assert set(np.unique(draws)) <= set(x)
    assert kolmogorov_distance(draws, law) <= dkw_band(draws.size, 1e-6)
    p0 = law.atom(0.0)
    assert abs(np.mean(draws == 0.0) - p0) <= 5 * math.sqrt(p0 * (1 - p0) / draws.size)


def test_marginal_density_is_the_sphere_law():
    for d in (3, 16, 257):
        f = coordinate_marginal(d)
        c = math.gamma(d / 2) / (math.sqrt(math.pi) * math.gamma((d - 1) / 2))
        t = np.linspace(-0.9, 0.9, 7)
        np.testing.assert_allclose(f.pdf(t), c * (1 - t * t) ** ((d - 3) / 2), rtol=1e-12)
        assert f.var() == pytest.approx(1 / d, rel=1e-12)
        e_abs = integrate.quad(lambda s: abs(s) * f.pdf(s), -1, 1, points=[0.0])[0]
        assert expected_abs_coordinate(d) == pytest.approx(e_abs, rel=1e-9)
    g = coordinate_marginal(16, radius=3.0)
    assert g.cdf(3.0) == 1.0 and g.var() == pytest.approx(9 / 16)


def test_spread_input():
    u = spread_input(16, 4)
    assert np.linalg.norm(u) == pytest.approx(1.0)
    np.testing.assert_array_equal(u > 0, np.arange(16) < 4)


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: lattice_law(12, 1), "Argument 'd' must be a power of 2"),
        (lambda: lattice_law(1, 1), "Argument 'd' must be a power of 2"),
        (lambda: lattice_law(16, 3), "Argument 'k' must be a power of 2"),
        (lambda: lattice_law(16, 32), "Argument 'k' must be a power of 2 <="),
        (lambda: lattice_law(64, 32), "Argument 'k' must be a power of 2 <="),
        (lambda: coordinate_marginal(1), "Argument 'd' must be an integer >= 2"),
        (lambda: coordinate_marginal(8, radius=0), "Argument 'radius'"),
        (lambda: spread_input(8, 16), "Argument 'k' must be at most"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_bad_type():
    with pytest.raises(TypeError, match="Argument 'd' must be an integer"):
        lattice_law(16.0, 1)
    with pytest.raises(TypeError, match="Argument 'd' must be an integer"):
        lattice_law(True, 1)
