"""delta (both forms) and the colouring index alpha, against closed forms."""
import numpy as np
import pytest
from scipy.linalg import hadamard

from algdiv.discovery import coloring_index, commutativity_residual, planted_covariance
from algdiv.groups import (cyclic, dihedral, elementary_abelian, hamming, symmetric, tree,
                           trivial)
from algdiv.testing import rtol_default

EPS_TOL = 64 * np.finfo(float).eps

# matched group, then subgroups (delta 0), then a strictly larger group (delta > 0)
CASES = [
    ("circulant", [dihedral(16), cyclic(16), trivial(16)], [symmetric(16)]),
    ("xor", [elementary_abelian(4), trivial(16)], [hamming(4), tree(4)]),
    ("tree", [tree(4), elementary_abelian(4), trivial(16)], [symmetric(16)]),
    ("hamming", [hamming(4), elementary_abelian(4)], [symmetric(16)]),
]


@pytest.mark.parametrize("model, subgroups, larger", CASES)
def test_delta_zero_for_matched_and_subgroups_positive_for_larger(model, subgroups, larger):
    R, G = planted_covariance(model, 16, np.random.default_rng(3))
    for H in subgroups:
        assert commutativity_residual(R, H) <= EPS_TOL
        assert commutativity_residual(R, H, kind="generators") <= EPS_TOL
    for K in larger:
        assert commutativity_residual(R, K) > 1e-2
        assert commutativity_residual(R, K, kind="generators") > 1e-2


def test_delta_against_dense_reynolds_and_group_average_identity():
    # |G|^-1 sum_g ||P_g R - R P_g||_F^2 = 2 ||R - Pi_G R||_F^2 (theory spec 2.4)
    rng = np.random.default_rng(0)
    A = rng.standard_normal((8, 8))
    R = A @ A.T
    G = dihedral(8)
    els = G.elements()
    mats = np.zeros((len(els), 8, 8))
    for k, g in enumerate(els):
        mats[k, g, np.arange(8)] = 1.0
    pi = np.mean(mats @ R @ mats.transpose(0, 2, 1), axis=0)
    delta = commutativity_residual(R, G)
    assert abs(delta - np.linalg.norm(R - pi) / np.linalg.norm(R)) <= rtol_default(float) * delta
    lhs = np.mean([np.linalg.norm(P @ R - R @ P) ** 2 for P in mats])
    assert abs(lhs - 2 * np.linalg.norm(R - pi) ** 2) <= rtol_default(float) * lhs
    # generator form = max over the generators of the commutator norm
    gens = [np.eye(8)[:, np.argsort(np.argsort(g))] for g in G.generators]
    P = [np.zeros((8, 8)) for _ in G.generators]
    for M, g in zip(P, G.generators):
        M[g, np.arange(8)] = 1.0
    ref = max(np.linalg.norm(M @ R - R @ M) for M in P) / np.linalg.norm(R)
    assert abs(commutativity_residual(R, G, kind="generators") - ref) <= EPS_TOL
    del gens


def test_delta_monotone_along_chain():
    rng = np.random.default_rng(1)
    A = rng.standard_normal((16, 16))
    R = A @ A.T
    chain = [trivial(16), elementary_abelian(4), hamming(4), symmetric(16)]
    d = [commutativity_residual(R, G) for G in chain]
    assert d[0] == 0.0
    assert all(a <= b + EPS_TOL for a, b in zip(d, d[1:]))


def test_energy_index_is_one_minus_delta_squared():
    rng = np.random.default_rng(2)
    A = rng.standard_normal((16, 16))
    R = A @ A.T
    for G in (cyclic(16), tree(4), symmetric(16)):
        a = coloring_index(R, G, kind="energy")
        d = commutativity_residual(R, G)
        assert abs(a - (1 - d * d)) <= EPS_TOL
    # the default group is the exact automorphism group: all energy for a planted model
    R, _ = planted_covariance("tree", 16)
    assert abs(coloring_index(R) - 1.0) <= EPS_TOL


def _shrikhande():
    pts = [(a, b) for a in range(4) for b in range(4)]
    conn = {(1, 0), (3, 0), (0, 1), (0, 3), (1, 1), (3, 3)}
    A = np.array([[((p[0] - q[0]) % 4, (p[1] - q[1]) % 4) in conn for q in pts] for p in pts],
                 dtype=float)
    return 3 * np.eye(16) + A + 0.2 * (1 - np.eye(16) - A), A


def test_scheme_index_shrikhande_is_three_quarters():
    R, A = _shrikhande()
    # independent facts: strongly regular (3 classes), multiplicities {1, 6, 9}
    ev = np.round(np.linalg.eigvalsh(R), 8)
    assert sorted(np.unique(ev, return_counts=True)[1].tolist()) == [1, 6, 9]
    assert coloring_index(R, kind="scheme") == 0.75


@pytest.mark.parametrize("model", ["circulant", "xor", "tree", "hamming", "trivial"])
def test_scheme_index_is_one_for_group_structure(model):
    R, G = planted_covariance(model, 16, np.random.default_rng(5))
    assert coloring_index(R, kind="scheme") == 1.0
    assert coloring_index(R, G, kind="scheme") == 1.0


def test_wht_diagonalizes_the_estimate_of_xor():
    # cross-check with an independent basis: R invariant under XOR -> WHT diagonal
    R, G = planted_covariance("xor", 16, np.random.default_rng(4))
    H = hadamard(16) / 4.0
    D = H @ G.reynolds(R) @ H
    off = D - np.diag(np.diag(D))
    assert np.linalg.norm(off) <= EPS_TOL * np.linalg.norm(D)
