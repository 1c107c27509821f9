"""DCT groups and their products in discovery: planted models, projections and thresholds."""
import numpy as np
import pytest
import scipy.fft

from algdiv.discovery import catalog, discover
from algdiv.discovery._basis_models import (basis_estimate, dct_candidates, score_basis_model,
                                            signal_basis)
from algdiv.discovery._thresholds import BootstrapDraws
from algdiv.groups import cyclic, dct_group, direct_product

from .conftest import draw


def dct_rows(shape, type_=2):
    """Analysis matrix of the (n-D) orthonormal DCT on the row-major flattened block."""
    n = int(np.prod(shape))
    eye = np.eye(n).reshape((n, *shape))
    out = scipy.fft.dctn(eye, type=type_, norm="ortho", axes=tuple(range(1, len(shape) + 1)))
    return out.reshape(n, n).T       # row k: the k-th basis vector


def planted(shape, rng, type_=2):
    D = dct_rows(shape, type_)
    lam = rng.uniform(0.2, 3.0, D.shape[0])
    return D.T @ np.diag(lam) @ D


def test_catalog_lists_dct_groups_and_2d_products():
    names = [G.name for G in catalog(12)]
    assert "dct_group(12, type=2)" in names and "dct_group(12, type=1)" in names
    assert "direct(dct_group(3, type=2), dct_group(4, type=2))" in names
    assert all("dct" not in G.name for G in catalog(12, dct=False))
    assert [G.name for G in dct_candidates(2)] == ["dct_group(2, type=2)"]


@pytest.mark.parametrize("G, shape", [(dct_group(8, 2), (8,)), (dct_group(7, 1), None),
                                      (direct_product(dct_group(4, 2), dct_group(3, 2)), (4, 3))])
def test_signal_basis_is_the_dct_and_its_projection_is_the_reynolds(G, shape):
    Q = signal_basis(G)
    if shape is not None:
        np.testing.assert_allclose(Q.T, dct_rows(shape), atol=1e-13)
    n = Q.shape[0]
    A = np.random.default_rng(0).standard_normal((n, n))
    P = basis_estimate(Q, A + A.T)
    # the group's own Reynolds operator (through the extensions) as the truth
    np.testing.assert_allclose(P, G.reynolds(A + A.T), atol=1e-12)
    D = Q.T @ P @ Q
    np.testing.assert_allclose(D, np.diag(np.diag(D)), atol=1e-12)


@pytest.mark.parametrize("shape, name", [
    ((8,), "dct_group(8, type=2)"),
    ((12,), "dct_group(12, type=2)"),
    ((4, 4), "direct(dct_group(4, type=2), dct_group(4, type=2))"),
    ((2, 6), "direct(dct_group(2, type=2), dct_group(6, type=2))"),
])
def test_exact_planted_dct_models_are_found(shape, name):
    R = planted(shape, np.random.default_rng(1))
    res = discover(R, tiers=("catalog",))
    assert res.group.name == name
    np.testing.assert_allclose(res.estimate, R, atol=1e-12)


def test_exact_planted_dct1_is_found():
    R = planted((9,), np.random.default_rng(2), type_=1)
    assert discover(R, tiers=("catalog",)).group.name == "dct_group(9, type=1)"


def test_matched_transform_of_a_discovered_dct_group_is_the_dct():
    R = planted((16,), np.random.default_rng(3))
    res = discover(R, tiers=("catalog",))
    D = scipy.fft.dct(np.eye(16), norm="ortho", axis=0)
    np.testing.assert_allclose(res.transform.matrix.T, D, atol=1e-12)
    R = planted((8, 8), np.random.default_rng(4))
    res = discover(R, tiers=("catalog",))
    assert res.group.name == "direct(dct_group(8, type=2), dct_group(8, type=2))"
    np.testing.assert_allclose(res.transform.matrix.T, dct_rows((8, 8)), atol=1e-12)
    block = np.random.default_rng(5).standard_normal((8, 8))
    np.testing.assert_allclose(res.transform.forward(block.ravel()),
                               scipy.fft.dctn(block, norm="ortho").ravel(), atol=1e-12)


def test_noisy_planted_dct_models_at_large_L():
    hits = 0
    for seed in range(5):
        rng = np.random.default_rng([seed, 19])
        R = planted((8,), rng)
        hits += discover(samples=draw(R, 200, rng), rng=rng, tiers=("catalog",),
                         level=0.01).group.name == "dct_group(8, type=2)"
    assert hits >= 4
    rng = np.random.default_rng(20)
    R = planted((4, 4), rng)
    res = discover(samples=draw(R, 400, rng), rng=rng, tiers=("catalog",), level=0.01,
                   n_boot=400)
    assert res.group.name == "direct(dct_group(4, type=2), dct_group(4, type=2))"
    # a stationary circulant model is not taken for a DCT model
    i = np.arange(16)
    C = 0.7 ** np.minimum((i[:, None] - i) % 16, (i - i[:, None]) % 16)
    res = discover(samples=draw(C, 400, rng), rng=rng, tiers=("catalog",), level=0.01)
    assert res.group.name == "dihedral(16)"
    assert not [r for r in res.table if r.name == "dct_group(16, type=2)"][0].accepted


def test_closed_form_moment_threshold_matches_the_bootstrap():
    # delta thresholds of the model "diagonal in the DCT basis" at L < N: closed-form
    # moments against 4000 parametric bootstrap draws
    rng = np.random.default_rng(4)
    R = planted((16,), rng)
    X = draw(R, 12, rng)
    S = np.cov(X, rowvar=False)
    Q = signal_basis(dct_group(16))
    draws = BootstrapDraws(16, 11, 4000, rng)
    kw = dict(test="delta", level=0.05, bound=None, draws=lambda: draws, rng=rng)
    _, _, boot, m1, _ = score_basis_model(Q, S, 11, threshold="bootstrap", **kw)
    _, _, mom, m2, _ = score_basis_model(Q, S, 11, threshold="moments", **kw)
    assert (m1, m2) == ("delta-bootstrap", "delta-moments")
    assert abs(mom / boot - 1) < 0.1


def test_candidates_accepts_dct_groups_of_the_signal_size():
    R = planted((6,), np.random.default_rng(5))
    res = discover(R, candidates=[cyclic(6), dct_group(6)], tiers=("catalog",))
    assert res.group.name == "dct_group(6, type=2)"
    with pytest.raises(ValueError, match="acts on"):
        discover(R, candidates=[cyclic(12)], tiers=("catalog",))
