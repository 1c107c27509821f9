"""Kolmogorov distance with ties, the DKW band, log-log slopes."""
import math

import numpy as np
import pytest
from scipy import stats

from algdiv.rotations import (
    coordinate_marginal,
    dkw_band,
    kolmogorov_distance,
    lattice_law,
    loglog_slope,
    sphere_coordinates,
)


def _brute(samples, cdf):
    """sup |F_M - F| evaluated at every atom and just left of it (direct counting)."""
    x = np.asarray(samples, dtype=float)
    pts = np.unique(x)
    extra = getattr(cdf, "values", np.array([]))
    pts = np.union1d(pts, extra)
    left = np.nextafter(pts, -np.inf)
    f = cdf.cdf
    best = 0.0
    for t in np.concatenate([pts, left]):
        best = max(best, abs(np.mean(x <= t) - float(f(t))))
    return best


def test_no_ties_matches_scipy_kstest():
    x = sphere_coordinates(32, 3000, rng=1) * 1.1          # a slightly wrong law
    ref = coordinate_marginal(32)
    assert kolmogorov_distance(x, ref) == pytest.approx(stats.kstest(x, ref.cdf).statistic, rel=1e-12)
    assert kolmogorov_distance(x, ref.cdf) == kolmogorov_distance(x, ref)


def test_ties_against_continuous_reference():
    rng = np.random.default_rng(2)
    law = lattice_law(16, 1)
    x = law.rvs(400, rng)                                   # lattice values, many ties
    ref = coordinate_marginal(16)
    got = kolmogorov_distance(x, ref)
    assert got == pytest.approx(_brute(x, ref), abs=1e-15)
    # Half the central atom at least (F is continuous at 0, G jumps there).
    assert got >= 0.5 * np.mean(x == 0) - 1e-15


def test_ties_against_lattice_reference():
    rng = np.random.default_rng(3)
    law = lattice_law(64, 4)
    x = lattice_law(64, 2).rvs(500, rng)                    # a different lattice law
    got = kolmogorov_distance(x, law)
    assert got == pytest.approx(_brute(x, law), abs=1e-15)
    # Exact samples in exact proportions: distance is the largest rounding of the counts.
    m = 10_000
    counts = np.round(law.pmf * m).astype(int)
    exact = np.repeat(law.values, counts)
    want = np.max(np.abs(np.cumsum(counts) / exact.size - np.cumsum(law.pmf)))
    assert kolmogorov_distance(exact, law) == pytest.approx(want, abs=1e-12)


def test_snap_absorbs_rounding_but_not_offsets():
    law = lattice_law(256, 2)
    x = law.rvs(20_000, rng=4)
    base = kolmogorov_distance(x, law)
    jitter = x + law.step * 1e-9 * np.sign(np.sin(np.arange(x.size)))
    assert kolmogorov_distance(jitter, law) == base
    shifted = x + 0.5 * law.step                           # off-lattice: a real bug
    assert kolmogorov_distance(shifted, law) > 3 * dkw_band(x.size, 1e-6)


def test_dkw_band_values_and_coverage():
    assert dkw_band(100_000, 1e-3) == pytest.approx(0.0062, abs=5e-5)
    assert dkw_band(400_000, 1e-3) == pytest.approx(0.0031, abs=5e-5)
    assert dkw_band(1_000_000, 1e-3) == pytest.approx(0.0019, abs=5e-5)
    assert dkw_band(1, 0.5) == pytest.approx(math.sqrt(math.log(4) / 2))
    # Coverage: exact sphere samples exceed the band in at most ~alpha of replicates.
    rng = np.random.default_rng(5)
    ref = coordinate_marginal(64)
    eps = dkw_band(2000, 0.05)
    misses = sum(kolmogorov_distance(sphere_coordinates(64, 2000, rng), ref) > eps for _ in range(200))
    assert misses <= 20


def test_loglog_slope():
    d = np.array([16, 64, 256, 1024])
    assert loglog_slope(d, 3.0 * d**-0.5) == pytest.approx(-0.5, abs=1e-12)
    assert loglog_slope(d, np.array([0.0, 1.0, 0.5, 0.25])) == pytest.approx(-0.5, abs=1e-12)


@pytest.mark.parametrize(
    "call,exc,match",
    [
        (lambda: kolmogorov_distance([], coordinate_marginal(8)), ValueError, "Argument 'samples'"),
        (lambda: kolmogorov_distance([np.nan], coordinate_marginal(8)), ValueError, "Argument 'samples'"),
        (lambda: kolmogorov_distance([0.1], 3), TypeError, "Argument 'cdf'"),
        (lambda: dkw_band(0, 0.01), ValueError, "Argument 'm' must be an integer >= 1"),
        (lambda: dkw_band(10, 1.5), ValueError, "Argument 'alpha' must be in"),
        (lambda: dkw_band(10, "x"), TypeError, "Argument 'alpha'"),
        (lambda: loglog_slope([1, 2], [0, 0]), ValueError, "at least two points"),
    ],
)
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
