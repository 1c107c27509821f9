"""Tests of algdiv.groups against independent oracles (sympy, brute-force enumeration)."""
import math
import pickle

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy.combinatorics import Permutation
from sympy.combinatorics import PermutationGroup as SymPyGroup

from algdiv.groups import (GROUP_GRAMMAR, DCTGroup, PermutationGroup, SizeLimitError, cyclic,
                           dct_group, dihedral, direct_product, elementary_abelian, from_generators,
                           hamming, parse_group, symmetric, tree, trivial, wreath_product)
from algdiv.groups._orbitals import pair_orbits


def small_groups():
    return [
        cyclic(1), cyclic(2), cyclic(7), dihedral(2), dihedral(3), dihedral(8), dihedral(9),
        elementary_abelian(0), elementary_abelian(3), hamming(1), hamming(2), hamming(3),
        tree(0), tree(1), tree(2), tree(3), symmetric(1), symmetric(2), symmetric(5), trivial(4),
        direct_product(cyclic(4), elementary_abelian(1)),
        direct_product(dihedral(3), symmetric(3), cyclic(2)),
        wreath_product(cyclic(3), symmetric(3)), wreath_product(trivial(2), cyclic(3)),
        wreath_product(from_generators([[1, 0, 2]]), trivial(2)),
        wreath_product(cyclic(2), wreath_product(cyclic(2), cyclic(2))),
        dct_group(4, 1), dct_group(4, 2), dct_group(3, 1, "dst"), dct_group(3, 2, "dst"),
        from_generators([[1, 2, 0, 3, 4], [0, 1, 2, 4, 3]]),
    ]


def ids(groups):
    return [g.name for g in groups]


def sympy_group(G):
    return SymPyGroup([Permutation([int(v) for v in g]) for g in G.generators]
                      or [Permutation(list(range(G.degree)))])


def brute_orbitals(G):
    """Orbitals straight from the definition: orbits of all elements on pairs."""
    n = G.degree
    labels = -np.ones((n, n), dtype=np.int64)
    elems = G.elements()
    nxt = 0
    for i in range(n):
        for j in range(n):
            if labels[i, j] < 0:
                labels[elems[:, i], elems[:, j]] = nxt
                nxt += 1
    return labels


def brute_reynolds(G, R):
    out = np.zeros_like(R, dtype=float)
    for g in G.elements():
        inv = np.argsort(g)
        out += R[inv][:, inv]  # (P_g R P_g^T)[a, b] = R[g^-1 a, g^-1 b]
    return out / G.order()


SMALL = small_groups()


@pytest.mark.parametrize("G", SMALL, ids=ids(SMALL))
def test_order_and_orbits_match_sympy(G):
    S = sympy_group(G)
    assert G.order() == S.order()
    expected = np.empty(G.degree, dtype=int)
    for orbit in S.orbits():
        expected[sorted(orbit)] = min(orbit)
    _, canon = np.unique(expected, return_inverse=True)
    np.testing.assert_array_equal(G.orbits(), canon)


@pytest.mark.parametrize("G", SMALL, ids=ids(SMALL))
def test_orbitals_match_enumeration_and_union_find(G):
    L = G.orbitals()
    assert L.dtype == np.int32 and L.shape == (G.degree, G.degree)
    np.testing.assert_array_equal(L, brute_orbitals(G))
    np.testing.assert_array_equal(L, pair_orbits(G.generators, G.degree))
    assert G.n_orbitals() == L.max() + 1


@pytest.mark.parametrize("G", SMALL, ids=ids(SMALL))
def test_group_axioms_on_elements(G):
    elems = G.elements()
    assert elems.shape == (G.order(), G.degree)
    np.testing.assert_array_equal(elems[0], np.arange(G.degree))
    keys = {g.tobytes() for g in elems}
    assert len(keys) == len(elems)
    rng = np.random.default_rng(0)
    for a, b in rng.integers(0, len(elems), size=(20, 2)):
        assert elems[a][elems[b]].tobytes() in keys  # closure under (gh)(i) = g(h(i))
        assert np.argsort(elems[a]).tobytes() in keys  # inverses
    for g in G.testing_elements():
        assert g.tobytes() in keys


@pytest.mark.parametrize("G", [g for g in SMALL if not isinstance(g, DCTGroup)],
                         ids=ids([g for g in SMALL if not isinstance(g, DCTGroup)]))
def test_reynolds_is_group_average(G):
    rng = np.random.default_rng(1)
    A = rng.standard_normal((G.degree, G.degree))
    R = G.reynolds(A)
    np.testing.assert_allclose(R, brute_reynolds(G, A), atol=1e-12)
    np.testing.assert_allclose(G.reynolds(R), R, atol=1e-12)
    for g in G.generators:
        np.testing.assert_allclose(R[g][:, g], R, atol=1e-12)
    assert G.is_invariant(R)
    Z = A + 1j * rng.standard_normal(A.shape)
    np.testing.assert_allclose(G.reynolds(Z), brute_reynolds(G, Z.real) + 1j * brute_reynolds(G, Z.imag),
                               atol=1e-12)


def test_action_convention():
    G = cyclic(4)
    g = G.generators[0]
    P = np.zeros((4, 4))
    P[g, np.arange(4)] = 1  # P e_i = e_{g(i)}
    x = np.array([10.0, 11.0, 12.0, 13.0])
    y = P @ x
    np.testing.assert_array_equal(y[g], x)
    np.testing.assert_array_equal(g, [1, 2, 3, 0])


def test_is_invariant_rejects_non_invariant():
    G = dihedral(6)
    A = np.random.default_rng(2).standard_normal((6, 6))
    assert not G.is_invariant(A @ A.T)
    assert G.is_invariant(np.zeros((6, 6)))


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_tree_generators_generate_iterated_wreath_product(k):
    G = tree(k)
    assert G.order() == 2 ** (2**k - 1) == sympy_group(G).order()
    # the iterated wreath product built from the composition rule is the same group
    W = cyclic(2)
    for _ in range(k - 1):
        W = wreath_product(W, cyclic(2))
    assert W.order() == G.order()
    assert sympy_group(W).is_subgroup(sympy_group(G)) and sympy_group(G).is_subgroup(sympy_group(W))


def test_tree_12_at_4096_points():
    G = tree(12)
    assert G.degree == 4096 and G.order() == 2**4095
    assert "2**4095" in repr(G)
    L = G.orbitals()
    assert G.n_orbitals() == 13
    i = np.array([0, 1, 5, 4095, 2048])
    j = np.array([0, 0, 7, 0, 2049])
    np.testing.assert_array_equal(L[i, j], [0, 1, 2, 12, 1])
    rng = np.random.default_rng(3)
    A = rng.standard_normal((4096, 4096), dtype=np.float32)
    R = G.reynolds(A)
    i, j = rng.integers(0, 4096, size=(2, 20000))
    for g in G.generators:  # R[g][:, g] == R, on 20000 random entries
        np.testing.assert_array_equal(R[g[i], g[j]], R[i, j])
    # orbital means: the level-12 orbital is the two off-diagonal quarter blocks
    top = (A[:2048, 2048:].mean(dtype=np.float64) + A[2048:, :2048].mean(dtype=np.float64)) / 2
    np.testing.assert_allclose(R[0, 4095], top, rtol=1e-9)


def test_hamming_and_xor_orbitals_closed_forms():
    k = 4
    i = np.arange(16)
    d = np.bitwise_xor.outer(i, i)
    np.testing.assert_array_equal(elementary_abelian(k).orbitals(), d)
    pop = np.vectorize(lambda v: bin(v).count("1"))(d)
    np.testing.assert_array_equal(hamming(k).orbitals(), pop)
    assert hamming(k).order() == 16 * 24 == sympy_group(hamming(k)).order()


def test_direct_product_is_product_action():
    A, B = cyclic(3), dihedral(4)
    G = direct_product(A, B)
    assert G.degree == 12
    eye_a, eye_b = np.eye(3), np.eye(4)

    def pmat(g):
        P = np.zeros((g.size, g.size))
        P[g, np.arange(g.size)] = 1
        return P

    expected = [np.kron(pmat(g), eye_b) for g in A.generators]
    expected += [np.kron(eye_a, pmat(g)) for g in B.generators]
    for g, P in zip(G.generators, expected):
        np.testing.assert_array_equal(pmat(g), P)
    # invariant matrices are Comm(A) (x) Comm(B)
    rng = np.random.default_rng(4)
    R = np.kron(A.reynolds(rng.standard_normal((3, 3))), B.reynolds(rng.standard_normal((4, 4))))
    assert G.is_invariant(R)


def test_wreath_product_block_convention():
    G = wreath_product(cyclic(3), symmetric(2))  # 2 blocks of 3
    assert G.degree == 6 and G.order() == 3**2 * 2
    rng = np.random.default_rng(5)
    Bm = cyclic(3).reynolds(rng.standard_normal((3, 3)))
    Cm = symmetric(2).reynolds(rng.standard_normal((2, 2)))
    R = np.kron(np.eye(2), Bm) + np.kron(Cm, np.ones((3, 3)) / 3)
    assert G.is_invariant(R)
    assert not G.is_invariant(np.kron(np.eye(2), rng.standard_normal((3, 3))))


def test_dct_extension_identities():
    """theory T-DCT (a): E^T C E = Toeplitz + Hankel, and DCT-II diagonalizes it."""
    import scipy.fft

    n = 8
    G = dct_group(n, 2)
    assert G.degree == 16 and G.signal_size == 8 and G.order() == 32
    rng = np.random.default_rng(6)
    m = 2 * n
    c = rng.standard_normal(m)
    c = (c + c[(-np.arange(m)) % m]) / 2  # even, 2n-periodic
    C = c[(np.arange(m)[None, :] - np.arange(m)[:, None]) % m]
    E = G.extension
    np.testing.assert_allclose(E.T @ E, np.eye(n), atol=1e-15)
    i = np.arange(n)
    TH = c[np.abs(i[:, None] - i[None, :])] + c[(i[:, None] + i[None, :] + 1) % m]
    np.testing.assert_allclose(E.T @ C @ E, TH, atol=1e-13)
    assert G.is_invariant(TH)
    np.testing.assert_allclose(G.reynolds(TH), TH, atol=1e-13)
    D = scipy.fft.dct(np.eye(n), type=2, norm="ortho", axis=0)
    S = D @ TH @ D.T
    lam = np.array([np.sum(c * np.cos(np.pi * k * np.arange(m) / n)) for k in range(n)])
    np.testing.assert_allclose(S, np.diag(lam), atol=1e-12)
    # Neumann Laplacian is invariant; exp(-|i-j|/3) Toeplitz is not
    A = 2 * np.eye(n) - np.eye(n, k=1) - np.eye(n, k=-1)
    A[0, 0] = A[-1, -1] = 1
    assert G.is_invariant(A)
    assert not G.is_invariant(np.exp(-np.abs(i[:, None] - i[None, :]) / 3), tol=1e-3)


@pytest.mark.parametrize("kind", ["dct", "dst"])
@pytest.mark.parametrize("type_", [1, 2])
def test_dct_reynolds_is_orthogonal_projection(kind, type_):
    import scipy.fft

    n = 6
    G = dct_group(n, type_, kind)
    rng = np.random.default_rng(7)
    X = rng.standard_normal((n, n))
    P = G.reynolds(X)
    np.testing.assert_allclose(G.reynolds(P), P, atol=1e-13)  # idempotent
    Y = G.reynolds(rng.standard_normal((n, n)))
    assert abs(np.sum((X - P) * Y)) < 1e-12 * np.linalg.norm(X) * np.linalg.norm(Y)  # orthogonal
    D = getattr(scipy.fft, kind)(np.eye(n), type=type_, norm="ortho", orthogonalize=True, axis=0)
    S = D @ P @ D.T
    np.testing.assert_allclose(S, np.diag(np.diag(D @ X @ D.T)), atol=1e-12)


def test_parse_group_grammar():
    assert parse_group("tree:4").name == "tree(4)"
    assert parse_group("cyclic:12").order() == 12
    G = parse_group("dct:8:2")
    assert isinstance(G, DCTGroup) and G.params == {"n": 8, "type": 2, "kind": "dct"}
    assert parse_group("dst:5").params["kind"] == "dst"
    G = parse_group("direct(cyclic:4, elementary_abelian:2)")
    assert G.degree == 16 and [f.name for f in G.factors] == ["cyclic(4)", "elementary_abelian(2)"]
    G = parse_group("wreath(cyclic:5,symmetric:3)")
    assert G.family == "wreath" and G.order() == 5**3 * 6
    G = parse_group("wreath(direct(cyclic:2,cyclic:3),wreath(cyclic:2,tree:1))")
    assert G.degree == 24
    assert "wreath(INNER,OUTER)" in GROUP_GRAMMAR


@pytest.mark.parametrize("spec, match", [
    ("foo:3", "unknown family 'foo'"),
    ("cyclic", "takes 1 integer"),
    ("cyclic:x", "non-negative integers"),
    ("cyclic:3)", "unexpected"),
    ("wreath(cyclic:2)", "wreath takes 2"),
    ("direct(cyclic:2", r"expected '\)' at position 15, found the end"),
    ("dct:8:3", "Argument 'type' must be one of 1, 2"),
    ("cyclic:0", "Argument 'n' must be an integer >= 1"),
])
def test_parse_group_errors(spec, match):
    with pytest.raises(ValueError, match=match):
        parse_group(spec)


def test_generator_validation():
    with pytest.raises(TypeError, match="Generator 1 must contain integers"):
        PermutationGroup([[0, 1, 2], [0.0, 2.0, 1.0]])
    with pytest.raises(ValueError, match="Generator 1 has length 2, but the group acts on 3"):
        PermutationGroup([[0, 1, 2], [1, 0]])
    with pytest.raises(ValueError, match="Generator 0 is not a permutation.*value 5 is out of range"):
        PermutationGroup([[0, 5, 1]])
    with pytest.raises(ValueError, match="Generator 0 is not a permutation.*value 1 appears 2 times"):
        PermutationGroup([[1, 1, 0]])
    with pytest.raises(ValueError, match="Argument 'degree' is required"):
        PermutationGroup([])
    with pytest.raises(TypeError, match="Argument 'n' must be an integer"):
        cyclic(3.0)
    with pytest.raises(ValueError, match="Argument 'k' must be an integer >= 0"):
        tree(-1)
    with pytest.raises(TypeError, match="must be a PermutationGroup"):
        direct_product(cyclic(2), "cyclic:2")
    with pytest.raises(ValueError, match=r"Argument 'R' must have shape \(4, 4\)"):
        cyclic(4).reynolds(np.eye(3))
    with pytest.raises(ValueError, match=r"Argument 'R' must have shape \(5, 5\)"):
        dct_group(5).reynolds(np.eye(10))
    with pytest.raises(ValueError, match="Argument 'n' must be >= 2 for the DCT-I"):
        dct_group(1, 1)
    # sympy permutations and identity generators are accepted
    G = from_generators([Permutation([1, 0, 2]), [0, 1, 2]])
    assert G.generators.shape == (1, 3) and G.order() == 2


def test_size_limits_refused_up_front():
    G = tree(15)  # N = 32768: N x N labels would be 4.3 GB of int32 alone
    with pytest.raises(SizeLimitError, match="would need about 17.2 GB"):
        G.orbitals()
    with pytest.raises(ValueError, match="elements\\(\\) lists at most"):
        tree(5).elements()
    with pytest.raises(MemoryError, match="cayley_graph"):
        symmetric(9).cayley_graph()


def test_cayley_graph_matches_elements():
    G = dihedral(5)
    graph = G.cayley_graph()
    assert graph.number_of_nodes() == 10
    assert graph.number_of_edges() == 10 * G.generators.shape[0]
    assert nx.is_strongly_connected(graph)
    elems = G.elements()
    for a, b, data in graph.edges(data=True):
        np.testing.assert_array_equal(elems[a][G.generators[data["generator"]]], elems[b])
        assert graph.nodes[a]["perm"] == tuple(elems[a])


def test_pickle_and_repr():
    G = wreath_product(cyclic(3), symmetric(2))
    L = G.orbitals()
    H = pickle.loads(pickle.dumps(G))
    assert repr(H) == repr(G) == "PermutationGroup(wreath(cyclic(3), symmetric(2)), degree=6, order=18)"
    np.testing.assert_array_equal(H.orbitals(), L)
    D = pickle.loads(pickle.dumps(dct_group(5, 1, "dst")))
    assert isinstance(D, DCTGroup) and D.extension.shape == (12, 5)
    assert not G.generators.flags.writeable and not G.orbitals().flags.writeable


def test_orbits_and_transitivity():
    G = from_generators([[1, 0, 2, 3], [0, 1, 3, 2]])
    np.testing.assert_array_equal(G.orbits(), [0, 0, 1, 1])
    assert not G.is_transitive() and cyclic(5).is_transitive()
    assert math.factorial(6) == symmetric(6).order()


@st.composite
def generic_groups(draw):
    n = draw(st.integers(1, 7))
    k = draw(st.integers(0, 3))
    gens = [draw(st.permutations(list(range(n)))) for _ in range(k)]
    return from_generators(gens, degree=n)


@settings(max_examples=30)
@given(generic_groups())
def test_generic_groups_against_enumeration(G):
    assert G.order() == sympy_group(G).order()
    np.testing.assert_array_equal(G.orbitals(), brute_orbitals(G))
    A = np.random.default_rng(8).standard_normal((G.degree, G.degree))
    np.testing.assert_allclose(G.reynolds(A), brute_reynolds(G, A), atol=1e-12)
