"""Tests of algdiv.reps: closed-form irreps, characters, projectors, numerical decompositions."""
import itertools

import numpy as np
import pytest

from algdiv.groups import (PermutationGroup, SizeLimitError, cyclic, dct_group, dihedral, direct_product,
                           elementary_abelian, from_generators, hamming, symmetric, tree, trivial,
                           wreath_product)
from algdiv.reps import (IrreducibleRepresentation, Representation, characters, irreps,
                         isotypic_decomposition, isotypic_projectors, multiplicities,
                         permutation_character, permutation_representation, peter_weyl_basis,
                         regular_group, regular_irreps, resolution_numeric)


def pmat(g):
    P = np.zeros((len(g), len(g)))
    P[g, np.arange(len(g))] = 1
    return P


COMPLETE = [cyclic(1), cyclic(6), cyclic(7), dihedral(5), dihedral(6), elementary_abelian(3),
            symmetric(2), symmetric(3), trivial(3), direct_product(cyclic(3), dihedral(4))]


def check_homomorphism(pi, elements, rng, pairs=15):
    d = pi.dim
    np.testing.assert_allclose(pi(np.arange(elements.shape[1])), np.eye(d), atol=1e-12)
    for a, b in rng.integers(0, len(elements), size=(pairs, 2)):
        g, h = elements[a], elements[b]
        np.testing.assert_allclose(pi(g[h]), pi(g) @ pi(h), atol=1e-12)
        M = pi(g)
        np.testing.assert_allclose(M.conj().T @ M, np.eye(d), atol=1e-12)


@pytest.mark.parametrize("G", COMPLETE, ids=[g.name for g in COMPLETE])
def test_closed_form_irreps_are_complete_unitary_homomorphisms(G):
    reps = irreps(G)
    elements = G.elements()
    rng = np.random.default_rng(0)
    for pi in reps:
        assert isinstance(pi, IrreducibleRepresentation)
        check_homomorphism(pi, elements, rng)
    assert sum(pi.dim ** 2 for pi in reps) == G.order()
    chi = characters(G, elements)
    gram = chi.conj() @ chi.T / G.order()  # Schur orthogonality of characters
    np.testing.assert_allclose(gram, np.eye(len(reps)), atol=1e-12)


def test_symmetric_partial_irreps_and_multiplicities_by_cycle_type():
    G = symmetric(5)
    reps = irreps(G)
    assert [pi.id for pi in reps] == ["trivial", "sign", "standard", "standard*sign"]
    rng = np.random.default_rng(1)
    elements = G.elements()
    chi = characters(G, elements)
    for pi in reps:
        check_homomorphism(pi, elements, rng)
    np.testing.assert_allclose(chi.conj() @ chi.T / G.order(), np.eye(4), atol=1e-12)
    brute = np.rint((chi.conj() @ permutation_character(elements)).real / G.order()).astype(int)
    np.testing.assert_array_equal(multiplicities(G), brute)
    np.testing.assert_array_equal(multiplicities(symmetric(40)), [1, 0, 1, 0])


def test_dihedral_7_projectors():
    """theory T-proj: D_7 on 7 points, ranks [1, 0, 2, 2, 2]."""
    G = dihedral(7)
    Ps = isotypic_projectors(G)
    assert [pi.id for pi in irreps(G)] == [(0, 0), (1, 0), (1, 1), (1, 2), (1, 3)]
    np.testing.assert_array_equal(multiplicities(G), [1, 0, 1, 1, 1])
    assert [np.linalg.matrix_rank(P) for P in Ps] == [1, 0, 2, 2, 2]
    for P in Ps:
        np.testing.assert_allclose(P @ P, P, atol=1e-12)
        np.testing.assert_allclose(P, P.conj().T, atol=1e-12)
    np.testing.assert_allclose(sum(Ps), np.eye(7), atol=1e-12)
    R = G.reynolds(np.random.default_rng(2).standard_normal((7, 7)))
    for P in Ps:
        np.testing.assert_allclose(P @ R, R @ P, atol=1e-12)


def test_cyclic_projectors_are_complex_rank_one():
    Ps = isotypic_projectors(cyclic(5))
    B = np.fft.fft(np.eye(5), norm="ortho").conj().T  # matched basis: B^H x = fft(x)
    for k, P in enumerate(Ps):
        v = B[:, k]  # irrep k is the component of DFT column k
        np.testing.assert_allclose(P, np.outer(v, v.conj()), atol=1e-12)


DECOMP = [cyclic(8), cyclic(7), dihedral(8), elementary_abelian(3), hamming(3), tree(3), symmetric(6),
          trivial(4), direct_product(dihedral(3), cyclic(2)), wreath_product(cyclic(3), symmetric(3)),
          wreath_product(trivial(2), cyclic(3)), dct_group(5, 2),
          from_generators([[1, 2, 0, 3, 4, 5], [0, 1, 2, 4, 5, 3]])]


@pytest.mark.parametrize("field", ["real", "complex"])
@pytest.mark.parametrize("G", DECOMP, ids=[g.name for g in DECOMP])
def test_isotypic_decomposition_structure(G, field):
    comps = isotypic_decomposition(G, field=field)
    n = G.degree
    Q = np.hstack([c.basis for c in comps])
    np.testing.assert_allclose(Q.conj().T @ Q, np.eye(n), atol=1e-10)
    assert sum(c.dim * c.multiplicity for c in comps) == n
    rng = np.random.default_rng(3)
    A = rng.standard_normal((n, n))
    R = PermutationGroup.reynolds(G, A @ A.T)  # the action on all N points (also for DCT groups)
    for c in comps:
        U0 = c.copy(0)
        for g in G.generators:
            # each copy is invariant and all copies carry the same matrices
            for r in range(c.multiplicity):
                U = c.copy(r)
                np.testing.assert_allclose(pmat(g) @ U, U @ c.matrix(g), atol=1e-9)
        # R maps the component to itself
        P = c.projector
        np.testing.assert_allclose(P @ R, R @ P, atol=1e-9 * np.linalg.norm(R))
        if c.type == "R":  # Schur: R restricted between aligned copies is a scalar
            for r, s in itertools.product(range(c.multiplicity), repeat=2):
                S = c.copy(r).conj().T @ R @ c.copy(s)
                np.testing.assert_allclose(S, S[0, 0] * np.eye(c.dim), atol=1e-9 * np.linalg.norm(R))
        assert U0.shape == (n, c.dim)


@pytest.mark.parametrize("G", [dihedral(8), dihedral(7), symmetric(5), elementary_abelian(3), cyclic(5),
                               direct_product(cyclic(3), dihedral(4))], ids=lambda g: g.name)
def test_isotypic_dims_match_character_multiplicities(G):
    expected = sorted((pi.dim, int(m)) for pi, m in zip(irreps(G), multiplicities(G)) if m > 0)
    got = sorted((c.dim, c.multiplicity) for c in isotypic_decomposition(G, field="complex"))
    assert got == expected
    if all(pi.type == "R" for pi in irreps(G)):  # real type: the real decomposition agrees
        assert sorted((c.dim, c.multiplicity) for c in isotypic_decomposition(G)) == expected


def test_complex_type_detection():
    comps = isotypic_decomposition(cyclic(5))
    assert [(c.dim, c.type) for c in comps] == [(1, "R"), (2, "C"), (2, "C")]
    assert [c.type for c in isotypic_decomposition(dihedral(5))] == ["R", "R", "R"]
    assert [c.dim for c in isotypic_decomposition(cyclic(5), field="complex")] == [1] * 5
    assert isotypic_decomposition(dihedral(5))[0].label == 0
    # the trivial component of a transitive action comes first: the constant vector
    U = isotypic_decomposition(tree(3))[0].basis[:, 0]
    np.testing.assert_allclose(np.abs(U), np.full(8, 8 ** -0.5), atol=1e-12)


def test_resolution_table_n16():
    """theory T-res: distinct eigenvalues of a generic invariant covariance at N = 16."""
    table = {"trivial": (trivial(16), 16), "Z16": (cyclic(16), 9), "D16": (dihedral(16), 9),
             "Z2^4": (elementary_abelian(4), 16), "Hamming": (hamming(4), 5), "tree": (tree(4), 5),
             "S16": (symmetric(16), 2)}
    for name, (G, res) in table.items():
        assert resolution_numeric(G) == res, name
    assert resolution_numeric(cyclic(16), field="complex") == 16


def test_permutation_representation_is_the_action():
    for G in [wreath_product(cyclic(3), symmetric(3)), cyclic(6), hamming(3)]:
        rho = permutation_representation(G)
        Q = rho.change_of_basis
        np.testing.assert_allclose(Q.T @ Q, np.eye(G.degree), atol=1e-10)
        for g in G.testing_elements():
            np.testing.assert_allclose(rho(g), pmat(g), atol=1e-9)
        elems = G.testing_elements()
        for pi in {id(p): p for p in rho.irreps}.values():
            for a, b in itertools.product(range(len(elems)), repeat=2):
                np.testing.assert_allclose(pi(elems[a][elems[b]]), pi(elems[a]) @ pi(elems[b]), atol=1e-9)
    assert "size=6" in repr(permutation_representation(cyclic(6)))


def test_representation_validation():
    G = cyclic(3)
    pi = irreps(G)[0]
    with pytest.raises(ValueError, match="Argument 'change_of_basis' must have shape"):
        Representation(G, [pi, pi], np.eye(3))
    with pytest.raises(ValueError, match="must be unitary"):
        Representation(G, [pi, pi], np.ones((2, 2)))
    with pytest.raises(TypeError, match="irreps\\[0\\] must be an IrreducibleRepresentation"):
        Representation(G, ["trivial"], np.eye(1))
    with pytest.raises(TypeError, match="Argument 'group' must be a PermutationGroup"):
        irreps("cyclic:3")
    with pytest.raises(ValueError, match="Argument 'field' must be one of 'real', 'complex'"):
        isotypic_decomposition(G, field="quaternion")
    with pytest.raises(SizeLimitError, match="No closed-form irreps for tree"):
        irreps(tree(4))


def test_peter_weyl_cyclic_is_the_dft():
    G = cyclic(6)
    B, labels = peter_weyl_basis(G)
    # elements()[t] is the shift by t, so column k is chi_k(t) / sqrt(n) = exp(-2 pi i k t / n) / sqrt(n)
    assert [int(g[0]) for g in G.elements()] == list(range(6))
    np.testing.assert_allclose(B, np.fft.fft(np.eye(6), norm="ortho"), atol=1e-12)
    assert labels[1] == (1, 0, 0)


def test_peter_weyl_elementary_abelian_is_the_wht():
    import scipy.linalg

    G = elementary_abelian(3)
    B, _ = peter_weyl_basis(G)
    rows = np.array([int(g[0]) for g in G.elements()])  # XOR mask of each element
    np.testing.assert_allclose(B, scipy.linalg.hadamard(8)[rows] / np.sqrt(8), atol=1e-12)


@pytest.mark.parametrize("G", [dihedral(4), symmetric(4), wreath_product(cyclic(2), cyclic(3))],
                         ids=lambda g: g.name)
def test_peter_weyl_block_diagonalizes_regular_representation(G):
    B, labels = peter_weyl_basis(G)
    m = G.order()
    np.testing.assert_allclose(B.conj().T @ B, np.eye(m), atol=1e-10)
    reg, elements = regular_group(G)
    # span{f_{pi, ., b}} is invariant under left translations
    key = [(pi, b) for pi, _, b in labels]
    same = np.array([[ka == kb for kb in key] for ka in key])
    for g in reg.generators:
        M = B.conj().T @ pmat(g) @ B
        assert np.abs(M[~same]).max() < 1e-10


def test_regular_irreps_of_s4_are_homomorphisms():
    G = symmetric(4)
    reps = regular_irreps(G)
    assert sorted(pi.dim for pi in reps) == [1, 1, 2, 3, 3]
    rng = np.random.default_rng(4)
    for pi in reps:
        check_homomorphism(pi, G.elements(), rng, pairs=8)
