"""Tier C: the double-commutator GEVP against a dense reference and closed forms."""
import numpy as np
import pytest
import scipy.linalg
from sympy.combinatorics import Permutation, PermutationGroup

from algdiv.discovery import dc_gevp, generator_dictionary, planted_covariance, sequential_gevp


def _pmat(p):
    P = np.zeros((p.size, p.size))
    P[p, np.arange(p.size)] = 1.0
    return P


def test_dictionary_atoms_are_distinct_nonidentity_permutations():
    for n in (6, 16, 64):
        perms, names = generator_dictionary(n)
        assert len(names) == perms.shape[0]
        assert np.all(np.sort(perms, axis=1) == np.arange(n))
        assert not np.any(np.all(perms == np.arange(n), axis=1))
        assert np.unique(perms, axis=0).shape[0] == perms.shape[0]
    assert any(nm.startswith("transposition") for nm in generator_dictionary(8)[1])
    assert not any(nm.startswith("transposition") for nm in generator_dictionary(64)[1])


def test_gevp_matches_dense_generalized_eigenproblem():
    # independent dictionary (shifts and XOR masks are linearly independent here)
    rng = np.random.default_rng(0)
    A = rng.standard_normal((8, 8))
    R = A @ A.T
    i = np.arange(8)
    perms = np.array([(i + k) % 8 for k in range(1, 8)] + [i ^ 3, i ^ 5])
    mats = [_pmat(p) for p in perms]
    C = [P @ R - R @ P for P in mats]
    K = np.array([[np.sum(a * b) for b in C] for a in C]) / np.sum(R * R)
    G = np.array([[np.sum(a * b) for b in mats] for a in mats])
    ref = scipy.linalg.eigh(K, G, eigvals_only=True)
    res = dc_gevp(R, perms)
    assert res.rank == np.linalg.matrix_rank(G)
    np.testing.assert_allclose(np.sort(res.eigenvalues), np.sort(ref), rtol=1e-9, atol=1e-12)


def test_certificate_zero_iff_commuting_atom_in_span():
    R, _ = planted_covariance("circulant", 12)
    i = np.arange(12)
    shifts = np.array([(i + k) % 12 for k in range(1, 12)])
    assert dc_gevp(R, shifts).lambda_min <= 1e-24
    # generic R: no permutation commutes; lambda_min is bounded away from 0
    A = np.random.default_rng(1).standard_normal((12, 12))
    assert dc_gevp(A @ A.T, shifts).lambda_min > 1e-4


@pytest.mark.parametrize("model, order", [("circulant", 32), ("xor", 16), ("tree", 32768),
                                          ("hamming", 384)])
def test_sequential_gevp_recovers_the_matched_group(model, order):
    R, _ = planted_covariance(model, 16, np.random.default_rng(2))
    out = sequential_gevp(R, tol=1e-14, gen_tol=1e-10)
    for g in out.generators:
        P = _pmat(g)
        assert np.linalg.norm(P @ R - R @ P) <= 1e-12 * np.linalg.norm(R)
    grp = PermutationGroup([Permutation(g.tolist()) for g in out.generators])
    assert grp.order() == order


def test_sequential_gevp_generic_matrix_finds_nothing():
    A = np.random.default_rng(3).standard_normal((16, 16))
    out = sequential_gevp(A @ A.T, tol=1e-14, gen_tol=1e-10)
    assert out.generators.shape == (0, 16)
    assert out.certificate > 1e-14


@pytest.mark.parametrize("model", ["circulant", "xor", "tree", "hamming"])
def test_orbital_redundancy_gives_the_same_invariant_matrices(model):
    # redundant="orbitals" skips a permutation once it maps every orbital of the group
    # found so far to itself; the group may have fewer generators, but its orbitals (hence
    # the invariant matrices, all discovery uses) equal those of the exact membership test.
    from algdiv.discovery._catalog import symmetric_orbitals
    from algdiv.groups import from_generators
    R, G = planted_covariance(model, 16, np.random.default_rng(2))
    exact = sequential_gevp(R, tol=1e-14, gen_tol=1e-10)
    fast = sequential_gevp(R, tol=1e-14, gen_tol=1e-10, redundant="orbitals")
    orb = [symmetric_orbitals(from_generators(o.generators, 16).orbitals()) for o in (exact, fast)]
    assert np.array_equal(orb[0], orb[1])
    assert np.array_equal(orb[1], symmetric_orbitals(G.orbitals()))
    for g in fast.generators:
        assert np.linalg.norm(_pmat(g) @ R - R @ _pmat(g)) <= 1e-12 * np.linalg.norm(R)
    with pytest.raises(ValueError, match="redundant"):
        sequential_gevp(R, tol=1e-14, gen_tol=1e-10, redundant="members")
