"""semidirect_product against sympy, hand-built generators and the classical transforms."""
import numpy as np
import pytest
import scipy.fft
from sympy.combinatorics import Permutation
from sympy.combinatorics import PermutationGroup as SymPyGroup

from algdiv.bases import matched_transform
from algdiv.bases._matched import _b_generic
from algdiv.groups import (cyclic, dihedral, direct_product, elementary_abelian, from_generators,
                           hamming, parse_group, semidirect_product, symmetric, trivial)
from algdiv.groups._orbitals import pair_orbits


def sympy_group(G):
    return SymPyGroup([Permutation([int(v) for v in g]) for g in G.generators]
                      or [Permutation(list(range(G.degree)))])


def same_group(G, H):
    """Same degree and each generating set inside the other group."""
    if G.degree != H.degree:
        return False
    a, b = sympy_group(G), sympy_group(H)
    return all(b.contains(g) for g in a.generators) and all(a.contains(h) for h in b.generators)


def torus(n, d=2):
    return direct_product(*[cyclic(n)] * d)


def torus_d4_by_hand(n):
    """Translations, the 90-degree rotation (x, y) -> (-y, x) and the reflection (x, y) -> (x, -y)."""
    x, y = np.divmod(np.arange(n * n), n)
    gens = [((x + 1) % n) * n + y, x * n + (y + 1) % n, ((-y) % n) * n + x, x * n + (-y) % n]
    return from_generators(gens)


def affine_action(p, a):
    return [[(a * i) % p for i in range(p)]]


SEMIDIRECT = [
    semidirect_product(torus(3), dihedral(4)),
    semidirect_product(torus(4), dihedral(4)),
    semidirect_product(torus(5), cyclic(4)),
    semidirect_product(torus(2), dihedral(4)),           # not faithful: -1 = 1 mod 2
    semidirect_product(torus(3, 3), symmetric(3)),
    semidirect_product(elementary_abelian(3), symmetric(3)),
    semidirect_product(elementary_abelian(4), cyclic(4)),
    semidirect_product(cyclic(7), cyclic(3), affine_action(7, 2)),
    semidirect_product(cyclic(5), cyclic(4), affine_action(5, 2)),
    semidirect_product(cyclic(8), trivial(1), []),
]


@pytest.mark.parametrize("G", SEMIDIRECT, ids=[g.name for g in SEMIDIRECT])
def test_order_and_orbitals_match_sympy_and_union_find(G):
    assert G.order() == sympy_group(G).order()
    np.testing.assert_array_equal(G.orbitals(), pair_orbits(G.generators, G.degree))
    R = G.reynolds(np.random.default_rng(0).standard_normal((G.degree, G.degree)))
    for g in G.generators:
        np.testing.assert_allclose(R[g][:, g], R, atol=1e-12)


def test_order_closed_form():
    assert semidirect_product(torus(16), dihedral(4)).order() == 256 * 8
    assert semidirect_product(torus(2), dihedral(4)).order() == 4 * 2     # image {1, swap}
    assert semidirect_product(cyclic(11), cyclic(10), affine_action(11, 2)).order() == 110
    G = semidirect_product(torus(64), dihedral(4))
    assert G.degree == 4096 and G.order() == 4096 * 8 and G.params["affine"]


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
def test_hamming_is_xor_semidirect_bit_permutations(k):
    for G in (semidirect_product(elementary_abelian(k), symmetric(k)),
              parse_group(f"semidirect(xor:{k},symmetric:{k})")):
        H = hamming(k)
        assert G.degree == H.degree and G.order() == H.order()
        assert same_group(G, H)
        np.testing.assert_array_equal(G.orbitals(), H.orbitals())


@pytest.mark.parametrize("n", [3, 4, 5])
def test_torus_d4_is_translations_rotations_reflections(n):
    G = parse_group(f"semidirect(direct(cyclic:{n},cyclic:{n}),dihedral:{4})")
    H = torus_d4_by_hand(n)
    assert G.order() == 8 * n * n == H.order()
    assert same_group(G, H)
    assert not same_group(G, direct_product(dihedral(n), dihedral(n)))   # the swap is missing there


def test_bad_arguments():
    with pytest.raises(TypeError, match="'normal'"):
        semidirect_product("cyclic:4", dihedral(4))
    with pytest.raises(ValueError, match="'action' is required"):
        semidirect_product(dihedral(5), cyclic(2))
    with pytest.raises(ValueError, match="degree 2.*or on its 4 signed axes"):
        semidirect_product(torus(4), cyclic(3))
    with pytest.raises(ValueError, match="equal moduli"):
        semidirect_product(direct_product(cyclic(3), cyclic(4)), symmetric(2))
    with pytest.raises(ValueError, match="signed permutation"):
        semidirect_product(torus(5), from_generators([[1, 0, 2, 3]]))
    with pytest.raises(ValueError, match="one permutation per generator"):
        semidirect_product(cyclic(5), cyclic(4), [])
    with pytest.raises(ValueError, match="does not normalize"):
        semidirect_product(cyclic(5), cyclic(2), [[0, 2, 1, 3, 4]])
    with pytest.raises(ValueError, match="not a permutation"):
        semidirect_product(cyclic(5), cyclic(2), [[0, 0, 1, 3, 4]])
    with pytest.raises(ValueError, match="semidirect takes 2 groups"):
        parse_group("semidirect(cyclic:4)")


def test_action_not_fixing_origin_gets_schreier_sims_order():
    # x -> -x + 1 normalizes Z_5 but moves 0: the order is not given in closed form
    G = semidirect_product(cyclic(5), cyclic(2), [[(1 - i) % 5 for i in range(5)]])
    assert not G.params["affine"]
    assert G.order() == 10 == sympy_group(G).order()


# -- matched transforms ---------------------------------------------------------------


def real_fourier(n):
    i = np.arange(n)
    cols = [np.ones(n) / np.sqrt(n)]
    for k in range(1, (n + 1) // 2):
        cols += [np.sqrt(2 / n) * np.cos(2 * np.pi * k * i / n), np.sqrt(2 / n) * np.sin(2 * np.pi * k * i / n)]
    if n % 2 == 0:
        cols.append((-1.0) ** i / np.sqrt(n))
    return np.array(cols).T


def offdiag(B, R):
    S = B.conj().T @ R @ B
    return np.abs(S - np.diag(np.diag(S))).max() / np.linalg.norm(R)


@pytest.mark.parametrize("G", SEMIDIRECT, ids=[g.name for g in SEMIDIRECT])
@pytest.mark.parametrize("field", ["real", "complex"])
def test_matched_transform_diagonalizes_and_matches_isotypic(G, field):
    rng = np.random.default_rng(1)
    n = G.degree
    T = matched_transform(G, field=field)
    B = T.matrix
    assert np.abs(B.conj().T @ B - np.eye(n)).max() < 1e-12
    A = rng.standard_normal((n, n))
    R = G.reynolds(A @ A.T)
    assert offdiag(B, R) < 1e-10
    spec = T.spectrum(R)
    for c in range(len(T.components)):
        assert np.ptp(spec[T.labels == c]) <= 1e-10 * np.linalg.norm(R)
    iso = _b_generic(G, field)     # the numerical isotypic decomposition as the reference
    assert sorted(map(tuple, T.components)) == sorted(iso.comps)
    x = rng.standard_normal((3, n))
    np.testing.assert_allclose(T.forward(x), x @ B.conj(), atol=1e-12)
    np.testing.assert_allclose(T.inverse(T.forward(x)), x, atol=1e-12)
    if n >= 3 and G.order() > 1:
        assert offdiag(B, A @ A.T) > 1e-3


@pytest.mark.parametrize("n", [4, 5, 8])
def test_torus_d4_plans_are_the_2d_fourier_transforms(n):
    G = semidirect_product(torus(n), dihedral(4))
    x = np.random.default_rng(2).standard_normal((2, n * n))
    Tc = matched_transform(G, field="complex")
    assert Tc.plan.problem.kind == "kron"
    np.testing.assert_allclose(Tc.forward(x), scipy.fft.fft2(x.reshape(2, n, n), norm="ortho").reshape(2, -1),
                               atol=1e-13)
    Tr = matched_transform(G)
    assert Tr.plan.problem.kind == "kron"
    F = real_fourier(n)
    np.testing.assert_allclose(Tr.matrix, np.kron(F, F), atol=1e-13)
    # components: D4 orbits of frequency pairs {(+-a, +-b), (+-b, +-a)}
    a = np.minimum(np.arange(n), n - np.arange(n))
    expected = len({tuple(sorted((i, j))) for i in set(a) for j in set(a)})
    assert len(Tr.components) == expected


def test_torus_d4_at_4096_points_uses_no_dense_matrix():
    G = semidirect_product(torus(64), dihedral(4))
    T = matched_transform(G)
    assert "dense" not in T.plan.describe()
    X = np.random.default_rng(3).standard_normal((64, 64))
    F = real_fourier(64)
    np.testing.assert_allclose(T.forward(X.ravel()), (F.T @ X @ F).ravel(), atol=1e-12)


def test_xor_semidirect_uses_the_wht():
    G = semidirect_product(elementary_abelian(5), symmetric(5))
    T = matched_transform(G)
    assert T.plan.problem.kind == "wht" and T.resolution == 6
    Th = matched_transform(hamming(5))
    np.testing.assert_allclose(T.matrix, Th.matrix, atol=1e-14)


@pytest.mark.parametrize("n", [5, 6])
def test_quarter_turns_get_the_nd_real_fourier_basis(n, tmp_path):
    # only the rotations: (k1, k2) and (k1, -k2) lie in different orbits, so the separable
    # basis does not fit; the basis is cos / sin of k . x after one 2-D FFT
    G = semidirect_product(torus(n), cyclic(4))
    T = matched_transform(G)
    assert T.plan.describe() == f"(torus-rfft {n * n})"
    x1, x2 = np.divmod(np.arange(n * n), n)
    B = T.matrix
    for col in range(n * n):
        k1, k2 = divmod(col, n)
        kn = ((-k1) % n) * n + (-k2) % n
        phase = 2 * np.pi * (k1 * x1 + k2 * x2) / n
        if kn == col:
            expect = np.cos(phase) / n
        elif col < kn:
            expect = np.sqrt(2) * np.cos(phase) / n
        else:
            kk1, kk2 = divmod(kn, n)
            expect = -np.sqrt(2) * np.sin(2 * np.pi * (kk1 * x1 + kk2 * x2) / n) / n
        np.testing.assert_allclose(B[:, col], expect, atol=1e-13)
    X = np.random.default_rng(4).standard_normal((3, n * n))
    np.testing.assert_allclose(T.inverse(T.forward(X)), X, atol=1e-12)
    T.save(tmp_path / "t.npz")
    from algdiv.bases import Transform

    np.testing.assert_allclose(Transform.load(tmp_path / "t.npz").forward(X), T.forward(X), atol=1e-12)
