"""Fuzz and regression tests of algdiv.rotations' argument checks: refused up front, nothing hangs."""
import os
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _fuzz_lib import call, refused, values  # noqa: E402
from algdiv.groups import SizeLimitError  # noqa: E402
from algdiv.rotations import (coordinate_marginal, dkw_band, expected_abs_coordinate,  # noqa: E402
                              f1_lower_bound, f1_lower_bound_e1, f1_statistic, kolmogorov_distance,
                              lattice_law, loglog_slope, sample_batched, sample_structured,
                              sphere_coordinates, spread_input, structured_rotation,
                              uniform_rotation, uniform_sphere, wasserstein2_e1, wasserstein2_mc)


# -- the numbered cases --------------------------------------------------------------

def test_case2_kolmogorov_distance_leaves_the_input_alone():
    x = np.array([0.3, -0.1, 0.2, 0.0])
    before = x.copy()
    F = coordinate_marginal(16)
    d = kolmogorov_distance(x, F)
    assert np.array_equal(x, before)                    # not sorted in place
    # against scipy's one-sample KS statistic (continuous law, no ties)
    assert d == pytest.approx(stats.kstest(before, F.cdf).statistic, abs=1e-15)
    x.setflags(write=False)                              # read-only input is accepted
    assert kolmogorov_distance(x, F) == d
    law = lattice_law(16)
    y = np.array([0.125, 0.0, -0.125, 0.0])
    y.setflags(write=False)
    kolmogorov_distance(y, law)
    assert np.array_equal(y, [0.125, 0.0, -0.125, 0.0])


def test_case10_uniform_rotation_sized_before_allocating():
    refused(uniform_rotation, 2**20, exc=SizeLimitError)
    refused(uniform_sphere, 16, 2**40, exc=SizeLimitError)
    refused(sphere_coordinates, 16, 2**40, exc=SizeLimitError)
    refused(structured_rotation, 2**40, exc=SizeLimitError)
    refused(sample_structured, np.eye(16)[0], 2**40, coordinate=None, exc=SizeLimitError)
    Q = uniform_rotation(5, rng=0)
    assert np.allclose(Q.T @ Q, np.eye(5))


def test_bad_scalars_named():
    refused(kolmogorov_distance, [0.0], coordinate_marginal(4), snap=-1.0, match="'snap'")
    refused(coordinate_marginal, 4, radius="1", exc=TypeError, match="'radius'")
    refused(coordinate_marginal, 4, radius=float("nan"), match="'radius'")
    refused(wasserstein2_mc, 16, 10, k=3, match="'k'")
    refused(f1_lower_bound, np.eye(16)[0], 10, rotation="uniform", match="'rotation'")
    refused(sample_structured, np.eye(16)[0], 10, omit_diagonal=[0.5], exc=TypeError)
    refused(uniform_sphere, 4, 2.5, exc=TypeError, match="'size'")


# -- hypothesis: every public callable with bad and edge values -------------------------

def _cap(v, top=4096):
    """Keep feasible-but-long sizes out of a time-limited fuzz run (huge ones stay)."""
    return 2**40 if isinstance(v, (int, np.integer)) and not isinstance(v, bool) and top < v < 2**40 else v


@settings(max_examples=30)
@given(d=values(), size=values(), rng=st.sampled_from([None, 0, -1, "x"]))
def test_reference_laws(d, size, rng):
    call(coordinate_marginal, d)
    call(expected_abs_coordinate, d)
    call(sphere_coordinates, _cap(d), _cap(size), rng)
    call(uniform_sphere, _cap(d, 256), _cap(size, 256), rng)
    call(uniform_rotation, _cap(d, 64), rng)


@settings(max_examples=30)
@given(d=values(), k=values())
def test_exact_oracles(d, k):
    # lattice_law is feasible for every d (about 40 sqrt(d) masses; seconds at d = 2^40)
    small = d if not isinstance(d, (int, np.integer)) or isinstance(d, bool) or d <= 2**16 else 2**16
    call(lattice_law, small, k)
    call(spread_input, _cap(d), k)
    call(wasserstein2_e1, d)
    call(f1_lower_bound_e1, d)


@settings(max_examples=30)
@given(d=values(), blocks=values(), seed=values(), x=values())
def test_structured_rotation(d, blocks, seed, x):
    kind, T = call(structured_rotation, _cap(d), _cap(blocks, 8), seed)
    if kind == "ok":
        call(T.apply, x)
        call(T.inverse, x)


@settings(max_examples=30)
@given(u=values(), samples=values(), blocks=values(), coordinate=values(), start=values())
def test_samplers(u, samples, blocks, coordinate, start):
    call(sample_structured, u, _cap(samples), blocks=_cap(blocks, 8), coordinate=coordinate,
         seed=1, start=start if not isinstance(start, int) or start < 2**30 else 2**70)
    call(sample_batched, u, _cap(samples), seed=1, batch=blocks)


@settings(max_examples=30)
@given(x=values(), cdf=st.sampled_from([coordinate_marginal(4), lattice_law(4), np.sin, 3, None]),
       m=values(), alpha=values())
def test_statistics(x, cdf, m, alpha):
    call(kolmogorov_distance, x, cdf)
    call(dkw_band, m, alpha)
    call(loglog_slope, x, x)
    call(f1_statistic, x)


@settings(max_examples=20)
@given(d=values(), samples=values(), u=values())
def test_wasserstein(d, samples, u):
    call(wasserstein2_mc, _cap(d, 64), _cap(samples, 64), rng=0)
    call(f1_lower_bound, u, _cap(samples, 64), seed=0)


@pytest.mark.parametrize("kwargs, exc", [
    (dict(dims=(16,), exact_k=(32,)), ValueError),
    (dict(dims=(16,), exact_k=(3,)), ValueError),
    (dict(dims=(16,), progress=3), TypeError),
    (dict(dims=(3,)), ValueError),
    (dict(samples=0), ValueError),
    (dict(samples=1.5), TypeError),
    (dict(alpha=2.0), ValueError),
    (dict(alpha=float("nan")), ValueError),
    (dict(inputs=("zz",)), ValueError),
    (dict(dims=(16,), w2_samples=1), ValueError),
    (dict(dims=(16,), seed=-1), ValueError),
])
def test_verify_arguments_refused_before_work(kwargs, exc):
    from algdiv.rotations import verify
    refused(verify, exc=exc, **kwargs)
