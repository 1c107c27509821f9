"""Fuzz and regression tests of algdiv.discovery: bad input is refused up front, nothing hangs."""
import os
import sys
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _fuzz_lib import call, refused, values  # noqa: E402
from algdiv.discovery import (catalog, coherent_closure, color_entries,  # noqa: E402
                              colored_automorphisms, coloring_index, commutativity_residual,
                              dc_gevp, discover, generator_dictionary, moment_threshold,
                              planted_covariance, screen_bound, sequential_gevp)
from algdiv.groups import SizeLimitError, cyclic, dihedral, trivial  # noqa: E402


def _circulant(n):
    i = np.arange(n)
    return 0.5 ** np.minimum((i[:, None] - i) % n, (i - i[:, None]) % n)


# -- the numbered cases --------------------------------------------------------------

@pytest.mark.parametrize("n_boot", [0, 1, 10, 20, 38, -1])
def test_case1_n_boot_below_the_level_minimum_is_refused(n_boot):
    X = np.random.default_rng(0).standard_normal((60, 8))
    err = refused(discover, samples=X, n_boot=n_boot, match="'n_boot'")
    assert ">= 39 at level 0.05" in str(err)
    err = refused(discover, samples=X, n_boot=n_boot, level=0.01)
    assert ">= 199 at level 0.01" in str(err)


def test_case1_n_boot_type_and_exact_covariances():
    X = np.random.default_rng(0).standard_normal((60, 8))
    refused(discover, samples=X, n_boot=1.5, exc=TypeError, match="'n_boot'")
    refused(discover, samples=X, n_boot=True, exc=TypeError)
    # an exact covariance runs no bootstrap: any positive count is accepted
    assert discover(_circulant(8), n_boot=20, tiers=("catalog",)).group.name == "dihedral(8)"


def test_case1_n_boot_at_the_minimum_can_reject():
    # trivial-group data (a random covariance): a finite threshold rejects dihedral(8)
    rng = np.random.default_rng(3)
    A = rng.standard_normal((8, 8))
    X = rng.standard_normal((400, 8)) @ np.linalg.cholesky(A @ A.T + np.eye(8)).T
    res = discover(samples=X, n_boot=39, rng=1, tiers=("catalog",))
    assert res.group.name == "trivial(8)"
    assert all(np.isfinite(r.threshold) for r in res.table)


def test_case5_constant_samples_and_huge_n_samples():
    refused(discover, samples=np.ones((10, 4)), match="zero variance")
    refused(discover, np.eye(4) + 0.1, n_samples=10**30, match="'n_samples'")
    refused(discover, np.eye(4) + 0.1, n_samples=2.5, exc=TypeError)


@pytest.mark.parametrize("make", [lambda: np.eye(3000),
                                  lambda: np.random.default_rng(0).standard_normal((10, 4000))])
def test_case6_discover_refuses_oversized_work_at_once(make):
    data = make()
    t0 = time.perf_counter()
    if data.shape[0] == data.shape[1]:
        refused(discover, data, exc=SizeLimitError)
    else:
        refused(discover, samples=data, exc=SizeLimitError)
    assert time.perf_counter() - t0 < 15.0


def test_case6_catalog_and_dictionary_refused_before_building():
    t0 = time.perf_counter()
    refused(catalog, 10**7, exc=SizeLimitError)
    refused(generator_dictionary, 10**6, transpositions=True, exc=SizeLimitError)
    assert time.perf_counter() - t0 < 2.0


def test_case6_discover_reports_progress():
    X = np.random.default_rng(0).standard_normal((50, 6))
    seen = []
    discover(samples=X, progress=lambda d, n, s: seen.append((d, n, s)), n_boot=99)
    assert seen and seen[-1][0] == seen[-1][1]
    assert all(0 <= d <= n for d, n, _ in seen)
    assert {"stage 1", "stage 2"} <= {s for _, _, s in seen}
    refused(discover, samples=X, progress=3, exc=TypeError)


def test_case6_progress_can_stop_the_search():
    class Stop(Exception):
        pass

    def stop(done, total, label):
        if label == "stage 1":
            raise Stop
    with pytest.raises(Stop):
        discover(samples=np.random.default_rng(0).standard_normal((50, 6)), progress=stop)


@pytest.mark.parametrize("perms", [[[0, 0, 1, 2]], [[-1, 0, 1, 2]], [[0, 1, 2, 4]],
                                   [[0.0, 1.0, 2.0, 3.0]], [[0, 1, 2]], np.zeros((0, 4), int)])
def test_case8_dc_gevp_refuses_non_permutations(perms):
    R = _circulant(4)
    kind, exc = call(dc_gevp, R, perms=perms)
    assert kind == "refused", exc
    kind, exc = call(sequential_gevp, R, tol=1e-12, gen_tol=1e-8, perms=perms)
    assert kind == "refused", exc


@pytest.mark.parametrize("colors", [np.zeros((3, 4), int), np.array([[0, 1], [2, 0]]),
                                    np.zeros((3, 3)), np.zeros((2, 2, 2), int)])
def test_case8_colourings_must_be_square_symmetric_integers(colors):
    refused(colored_automorphisms, colors, exc=(TypeError, ValueError))


def test_dictionary_names_must_match():
    R = _circulant(4)
    perms = [[1, 2, 3, 0]]
    refused(dc_gevp, R, perms=perms, names=["a", "b"])
    refused(dc_gevp, R, perms=perms, names="a", exc=TypeError)
    assert dc_gevp(R, perms=perms, names=["shift"]).names == ["shift"]


# -- hypothesis: every public callable with bad and edge values -------------------------

@settings(max_examples=30)
@given(cov=values(), n_samples=values())
def test_discover_cov(cov, n_samples):
    call(discover, cov, n_samples=n_samples, tiers=("catalog",), n_boot=99)


@settings(max_examples=30)
@given(level=values(), n_boot=values(), threshold=values(), test=values(), tiers=values())
def test_discover_options(level, n_boot, threshold, test, tiers):
    X = np.random.default_rng(1).standard_normal((20, 4))
    nb = n_boot if not (isinstance(n_boot, int) and n_boot > 10**4) else 10**9
    call(discover, samples=X, level=level, n_boot=nb, threshold=threshold, test=test, tiers=tiers)


@settings(max_examples=30)
@given(samples=values(), candidates=st.sampled_from([None, [], [cyclic(4)], [cyclic(3)], [3], cyclic(4)]))
def test_discover_samples(samples, candidates):
    call(discover, samples=samples, candidates=candidates, tiers=("catalog",), n_boot=99)


@settings(max_examples=30)
@given(cov=values(), group=st.sampled_from([cyclic(4), dihedral(5), trivial(4), 4, None]),
       kind=values(), tol=values())
def test_residual_and_index(cov, group, kind, tol):
    call(commutativity_residual, cov, group, kind=kind)
    scheme = isinstance(kind, str) and kind == "scheme"
    call(coloring_index, cov, None if scheme else group, kind=kind, tol=tol)


@settings(max_examples=30)
@given(n=values(), transpositions=values())
def test_catalog_and_dictionary(n, transpositions):
    call(catalog, n)
    call(generator_dictionary, n, transpositions=transpositions)


@settings(max_examples=30)
@given(R=values(), tol=values(), colors=values(), engine=values(), rounds=values())
def test_colouring(R, tol, colors, engine, rounds):
    call(color_entries, R, tol)
    call(colored_automorphisms, colors, engine=engine)
    call(coherent_closure, colors, max_rounds=rounds)


@settings(max_examples=30)
@given(perms=values(), tol=values(), gen_tol=values(), steps=values(), redundant=values())
def test_gevp(perms, tol, gen_tol, steps, redundant):
    R = _circulant(4)
    call(dc_gevp, R, perms=perms)
    call(sequential_gevp, R, tol=tol, gen_tol=gen_tol, perms=None, max_steps=steps,
         redundant=redundant)


@settings(max_examples=30)
@given(model=values(), n=values())
def test_planted(model, n):
    call(planted_covariance, model, n if not (isinstance(n, int) and n > 4096) else 2**40)


@settings(max_examples=30)
@given(R=values(), dof=values(), level=values())
def test_thresholds(R, dof, level):
    call(screen_bound, R, dof, level)
    S = _circulant(4)
    G = cyclic(4)
    lab = G.orbitals()
    call(moment_threshold, S, lab, np.bincount(lab.ravel()), dof, level, 1.0,
         np.random.default_rng(0))
