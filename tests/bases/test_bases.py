"""Tests of algdiv.bases: matched transforms against classical transforms and invariant covariances."""
import os
import pickle
import tracemalloc

import numpy as np
import pytest
import scipy.fft
import scipy.linalg
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from algdiv.bases import Transform, klt, matched_transform
from algdiv.groups import (PermutationGroup, cyclic, dct_group, dihedral, direct_product,
                           elementary_abelian, from_generators, hamming, parse_group, symmetric,
                           tree, trivial, wreath_product)
from algdiv.testing import fast_tol

ORTH_TOL = 1e-12
DIAG_TOL = 1e-10


def offdiag(B, R):
    """max |offdiag(B^H R B)| / ||R||_F."""
    S = B.conj().T @ R @ B
    return np.abs(S - np.diag(np.diag(S))).max() / np.linalg.norm(R)


def random_invariant(G, rng, field="real"):
    n = G.signal_size if hasattr(G, "signal_size") else G.degree
    A = rng.standard_normal((n, n))
    if field == "complex":
        A = A + 1j * rng.standard_normal((n, n))
    return G.reynolds(A @ A.conj().T)


def real_fourier(n):
    i = np.arange(n)
    cols = [np.ones(n) / np.sqrt(n)]
    for k in range(1, (n + 1) // 2):
        cols += [np.sqrt(2 / n) * np.cos(2 * np.pi * k * i / n), np.sqrt(2 / n) * np.sin(2 * np.pi * k * i / n)]
    if n % 2 == 0:
        cols.append((-1.0) ** i / np.sqrt(n))
    return np.array(cols).T


def haar_rows(n):
    """Orthonormal Haar analysis matrix by the recursion H_2m = [H_m (x) (1,1); I_m (x) (1,-1)] / sqrt2."""
    H = np.ones((1, 1))
    while H.shape[0] < n:
        m = H.shape[0]
        H = np.vstack([np.kron(H, [1, 1]), np.kron(np.eye(m), [1, -1])]) / np.sqrt(2)
    return H


# -- groups of the property tests ----------------------------------------------------

FACTORIES = {
    "cyclic": lambda s: cyclic(s + 2),
    "dihedral": lambda s: dihedral(s + 2),
    "elementary_abelian": lambda s: elementary_abelian(s % 6),
    "hamming": lambda s: hamming(s % 6),
    "tree": lambda s: tree(s % 6),
    "symmetric": lambda s: symmetric(s + 1),
    "direct": lambda s: direct_product(dihedral(s % 5 + 2), elementary_abelian(s % 3)),
    "direct3": lambda s: direct_product(cyclic(s % 4 + 2), tree(1), symmetric(s % 3 + 1)),
    "wreath": lambda s: wreath_product(cyclic(s % 4 + 2), symmetric(s % 3 + 2)),
    "wreath_tree": lambda s: wreath_product(hamming(s % 3 + 1), tree(s % 3)),
    "hybrid": lambda s: wreath_product(dihedral(s % 4 + 3), trivial(s % 3 + 2)),
}


@settings(max_examples=40)
@given(st.sampled_from(sorted(FACTORIES)), st.integers(0, 30), st.sampled_from(["real", "complex"]),
       st.integers(0, 2**32 - 1))
def test_matched_transform_diagonalizes_invariant_covariances(family, size, field, seed):
    G = FACTORIES[family](size)
    rng = np.random.default_rng(seed)
    n = G.degree
    T = matched_transform(G, field=field)
    B = T.matrix
    assert B.shape == (n, n) and T.labels.shape == (n,)
    assert np.abs(B.conj().T @ B - np.eye(n)).max() < ORTH_TOL
    R = random_invariant(G, rng, field)
    if not T.unique:  # multiplicity > 1: the covariance finishes the basis
        T = matched_transform(G, R, field=field)
        B = T.matrix
        assert T.data_dependent and np.abs(B.conj().T @ B - np.eye(n)).max() < ORTH_TOL
    assert offdiag(B, R) < DIAG_TOL
    # columns with one label share one eigenvalue unless the block has multiplicity > 1
    spec = T.spectrum(R)
    for c, (dim, mult) in enumerate(T.components):
        if mult == 1:
            vals = spec[T.labels == c]
            assert np.ptp(vals) <= 1e-10 * np.linalg.norm(R)
    # negative control: a generic non-invariant covariance is not diagonalized
    A = rng.standard_normal((n, n))
    if n >= 3 and G.order() > 1:
        assert offdiag(B, A @ A.T) > 1e-3


BIG = [cyclic(1024), dihedral(1024), elementary_abelian(10), hamming(10), tree(10), symmetric(1024),
       direct_product(cyclic(32), tree(5)), wreath_product(cyclic(32), dihedral(32)), dct_group(1024, 2)]


@pytest.mark.parametrize("G", BIG, ids=[g.name for g in BIG])
def test_n1024(G):
    rng = np.random.default_rng(5)
    T = matched_transform(G)
    B = T.matrix
    assert np.abs(B.T @ B - np.eye(1024)).max() < ORTH_TOL
    assert offdiag(B, random_invariant(G, rng)) < DIAG_TOL
    x = rng.standard_normal(1024)
    np.testing.assert_allclose(T.forward(x), B.T @ x, atol=fast_tol("float64", 1024) * np.linalg.norm(x))


# -- equalities with the classical transforms ----------------------------------------


@pytest.mark.parametrize("n", [1, 2, 5, 8, 12])
def test_cyclic_complex_is_fft(n):
    T = matched_transform(cyclic(n), field="complex")
    x = np.random.default_rng(6).standard_normal((3, n))
    np.testing.assert_allclose(T.forward(x), scipy.fft.fft(x, norm="ortho"), atol=1e-13)
    np.testing.assert_allclose(T.matrix.conj().T, scipy.fft.fft(np.eye(n), norm="ortho", axis=0), atol=1e-14)
    np.testing.assert_array_equal(T.labels, np.arange(n))


@pytest.mark.parametrize("n", [3, 4, 7, 10])
def test_cyclic_real_and_dihedral_are_real_fourier(n):
    for G in (cyclic(n), dihedral(n)):
        T = matched_transform(G)
        np.testing.assert_allclose(T.matrix, real_fourier(n), atol=1e-14)
    assert matched_transform(dihedral(n), field="complex").method == "rdft"


@pytest.mark.parametrize("kind", ["dct", "dst"])
@pytest.mark.parametrize("type_", [1, 2])
@pytest.mark.parametrize("n", [2, 5, 8])
def test_dct_group_is_scipy_dct(kind, type_, n):
    T = matched_transform(dct_group(n, type_, kind))
    x = np.random.default_rng(7).standard_normal((4, n))
    f = getattr(scipy.fft, kind)
    np.testing.assert_allclose(T.forward(x), f(x, type=type_, norm="ortho", orthogonalize=True), atol=1e-13)
    np.testing.assert_allclose(T.matrix.T, f(np.eye(n), type=type_, norm="ortho", orthogonalize=True, axis=0),
                               atol=1e-14)
    assert T.resolution == n


def test_dct_group_diagonalizes_toeplitz_plus_hankel():
    """theory T-DCT (b)-(d) through the matched transform."""
    n, m = 8, 16
    rng = np.random.default_rng(8)
    c = rng.standard_normal(m)
    c = (c + c[(-np.arange(m)) % m]) / 2
    i = np.arange(n)
    R = c[np.abs(i[:, None] - i[None, :])] + c[(i[:, None] + i[None, :] + 1) % m]
    T = matched_transform(dct_group(n, 2))
    lam = np.array([np.sum(c * np.cos(np.pi * k * np.arange(m) / n)) for k in range(n)])
    np.testing.assert_allclose(T.spectrum(R), lam, atol=1e-12)
    assert offdiag(T.matrix, R) < 1e-14
    L = 2 * np.eye(n) - np.eye(n, k=1) - np.eye(n, k=-1)
    L[0, 0] = L[-1, -1] = 1
    assert offdiag(T.matrix, L) < 1e-14
    assert offdiag(T.matrix, np.exp(-np.abs(i[:, None] - i[None, :]) / 3)) > 1e-3


@pytest.mark.parametrize("k", [0, 1, 3, 5])
def test_wht_for_xor_and_hamming(k):
    H = scipy.linalg.hadamard(2**k) / 2 ** (k / 2)
    for G in (elementary_abelian(k), hamming(k)):
        T = matched_transform(G)
        np.testing.assert_allclose(T.matrix, H, atol=1e-15)
    T = matched_transform(hamming(k))
    np.testing.assert_array_equal(T.labels, [bin(s).count("1") for s in range(2**k)])
    assert T.resolution == k + 1


def test_hamming_krawtchouk_eigenvalues():
    """theory T-WHT: Hamming-invariant R has n+1 distinct eigenvalues, the Krawtchouk transform of w."""
    from math import comb

    k = 4
    w = np.random.default_rng(9).standard_normal(k + 1)
    i = np.arange(16)
    R = w[np.vectorize(lambda v: bin(v).count("1"))(np.bitwise_xor.outer(i, i))]
    T = matched_transform(hamming(k))
    kraw = lambda x, j: sum((-1) ** t * comb(j, t) * comb(k - j, x - t) for t in range(x + 1))  # noqa: E731
    lam = [sum(w[x] * kraw(x, j) for x in range(k + 1)) for j in range(k + 1)]
    np.testing.assert_allclose(T.spectrum(R), np.array(lam)[T.labels], atol=1e-12)
    assert offdiag(T.matrix, R) < 1e-15


@pytest.mark.parametrize("k", [0, 1, 2, 4, 6])
def test_tree_is_haar(k):
    n = 2**k
    T = matched_transform(tree(k))
    np.testing.assert_allclose(T.matrix.T, haar_rows(n), atol=1e-14)
    x = np.random.default_rng(10).standard_normal(n)
    pywt = pytest.importorskip("pywt")
    if k:
        ref = np.concatenate(pywt.wavedec(x, "haar", mode="periodization"))
        np.testing.assert_allclose(T.forward(x), ref, atol=1e-13)


def test_tree_haar_eigenvalues_and_multiplicities():
    """theory T-Haar: a = (4, 2, 1, .5, .25), multiplicities [1, 1, 2, 4, 8]; the WHT also diagonalizes."""
    a = np.array([4, 2, 1, 0.5, 0.25])
    G = tree(4)
    R = a[G.orbitals()]
    assert G.is_invariant(R) and G.order() == 32768
    T = matched_transform(G)
    assert offdiag(T.matrix, R) < 1e-15
    assert np.bincount(T.labels).tolist() == [1, 1, 2, 4, 8]
    assert offdiag(matched_transform(elementary_abelian(4)).matrix, R) < 1e-15


@pytest.mark.parametrize("n", [1, 2, 3, 9])
def test_symmetric_is_helmert(n):
    T = matched_transform(symmetric(n))
    np.testing.assert_allclose(T.matrix, scipy.linalg.helmert(n, full=True).T, atol=1e-15)


def test_direct_product_is_kronecker():
    G = direct_product(cyclic(4), elementary_abelian(2), symmetric(3))
    T = matched_transform(G, field="complex")
    expect = np.kron(np.kron(scipy.fft.fft(np.eye(4), norm="ortho").conj().T, scipy.linalg.hadamard(4) / 2),
                     scipy.linalg.helmert(3, full=True).T)
    np.testing.assert_allclose(T.matrix, expect, atol=1e-14)
    assert T.plan.problem.kind == "kron" and T.resolution == 4 * 4 * 2
    # two complex-type real factors do not give a Kronecker basis: the numerical route does it
    G2 = direct_product(cyclic(5), cyclic(3))
    T2 = matched_transform(G2)
    assert T2.method.startswith("isotypic") and T2.resolution == 8  # (5*3 + 1) / 2 pairs of +-(k1, k2)
    assert offdiag(T2.matrix, random_invariant(G2, np.random.default_rng(11))) < DIAG_TOL
    Bk = np.kron(real_fourier(5), real_fourier(3))
    assert offdiag(Bk, random_invariant(G2, np.random.default_rng(11))) > 1e-3


def test_wreath_composition_rule():
    inner, outer = cyclic(5), symmetric(3)
    G = wreath_product(inner, outer)
    T = matched_transform(G)
    Bi, Bo = matched_transform(inner).matrix, matched_transform(outer).matrix
    B = T.matrix
    np.testing.assert_allclose(B[:, :3], np.kron(Bo, np.ones((5, 1)) / np.sqrt(5)), atol=1e-15)
    col = 3
    for w in range(1, 5):
        for y in range(3):
            np.testing.assert_allclose(B[:, col], np.kron(np.eye(3)[y], Bi[:, w]), atol=1e-15)
            col += 1
    assert T.resolution == 4 and T.unique
    # iterating with Z_2 inside reproduces the Haar recursion of the tree group
    W = cyclic(2)
    for _ in range(3):
        W = wreath_product(cyclic(2), W)
    np.testing.assert_allclose(matched_transform(W).matrix, matched_transform(tree(4)).matrix, atol=1e-15)


def test_hierarchical_kl_depends_on_cov():
    G = wreath_product(dihedral(4), trivial(3))  # no block permutations: block means need a KLT
    T0 = matched_transform(G)
    assert not T0.unique and T0.resolution == 3 + 3 * 2
    rng = np.random.default_rng(12)
    R1, R2 = random_invariant(G, rng), random_invariant(G, rng)
    T1, T2 = matched_transform(G, R1), matched_transform(G, R2)
    assert offdiag(T1.matrix, R1) < DIAG_TOL and offdiag(T2.matrix, R2) < DIAG_TOL
    assert T1.data_dependent and T1.method == "wreath+klt"
    assert not np.allclose(np.abs(T1.matrix), np.abs(T2.matrix))
    # only the coarse (block-mean) columns change; the fine Fourier contrasts stay
    np.testing.assert_allclose(T1.matrix[:, 3:], T0.matrix[:, 3:], atol=1e-15)


def test_trivial_group_is_klt():
    rng = np.random.default_rng(13)
    A = rng.standard_normal((6, 6))
    C1, C2 = A @ A.T, A.T @ A + np.eye(6)
    T1, T2 = matched_transform(trivial(6), C1), matched_transform(trivial(6), C2)
    w, V = np.linalg.eigh(C1)
    np.testing.assert_allclose(T1.spectrum(C1), w[::-1], atol=1e-12)
    np.testing.assert_allclose(np.abs(T1.matrix), np.abs(V[:, ::-1]), atol=1e-10)
    assert not np.allclose(np.abs(T1.matrix), np.abs(T2.matrix))
    np.testing.assert_array_equal(T1.matrix, klt(C1).matrix)
    assert T1.method == "klt" and T1.resolution == 6
    # deterministic signs: the largest entry of each column is positive
    B = T1.matrix
    assert np.all(B[np.argmax(np.abs(B), axis=0), np.arange(6)] > 0)
    T0 = matched_transform(trivial(6))
    assert not T0.unique and np.array_equal(T0.matrix, np.eye(6))
    Tc = klt(C1 + 1j * (A - A.T))
    assert Tc.field == "complex" and offdiag(Tc.matrix, C1 + 1j * (A - A.T)) < 1e-12


def test_generic_group_numerical_route():
    G = from_generators([[1, 2, 0, 3, 4, 5], [0, 1, 2, 4, 5, 3]])  # Z_3 x Z_3 on two orbits
    T = matched_transform(G)
    assert T.method == "isotypic" and not T.unique  # the two trivial components couple
    rng = np.random.default_rng(14)
    R = random_invariant(G, rng)
    assert offdiag(matched_transform(G, R).matrix, R) < DIAG_TOL
    G2 = from_generators(dihedral(9).generators)
    T2 = matched_transform(G2)
    assert T2.unique and T2.resolution == 5
    assert offdiag(T2.matrix, random_invariant(G2, rng)) < DIAG_TOL


def test_resolution_table_n16():
    table = [(trivial(16), 16), (cyclic(16), 9), (dihedral(16), 9), (elementary_abelian(4), 16),
             (hamming(4), 5), (tree(4), 5), (symmetric(16), 2)]
    assert [matched_transform(G).resolution for G, _ in table] == [r for _, r in table]
    assert matched_transform(cyclic(16), field="complex").resolution == 16


def test_tree_12_through_the_haar_plan():
    G = tree(12)
    n = 4096
    tracemalloc.start()
    T = matched_transform(G)
    x = np.random.default_rng(15).standard_normal(n)
    y = T.forward(x)
    xr = T.inverse(y)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 4 * 2**20, peak  # O(N) work: nothing of size N^2 (that would be 128 MiB)
    assert T._matrix is None and T.plan.problem.kind == "haar"
    np.testing.assert_allclose(xr, x, atol=1e-12)
    np.testing.assert_allclose(y[:1], x.sum() / 64, atol=1e-12)
    # ultrametric covariance: closed-form Haar eigenvalues, spectrum through the plan
    a = 0.5 ** np.arange(13)
    R = a[G.orbitals()]
    spec = T.spectrum(R)
    assert T._matrix is None
    lam0 = a[0] + sum(2 ** (t - 1) * a[t] for t in range(1, 13))
    lam = [a[0] + sum(2 ** (t - 1) * a[t] for t in range(1, s)) - 2 ** (s - 1) * a[s] for s in range(12, 0, -1)]
    np.testing.assert_allclose(spec, np.concatenate([[lam0], np.repeat(lam, 2 ** np.arange(12))]), rtol=1e-10)
    for c in (0, 1, 7, 2048, 4095):  # eigenvectors: R b = lambda b on a few columns
        b = T.inverse(np.eye(n)[c])
        np.testing.assert_allclose(R @ b, spec[c] * b, atol=1e-10)
    assert T.resolution == 13


def test_exact_bases():
    cases = [(cyclic(6), "complex"), (cyclic(5), "real"), (dihedral(6), "real"), (elementary_abelian(3), "real"),
             (hamming(2), "real"), (tree(3), "real"), (symmetric(4), "real"), (trivial(3), "real"),
             (dct_group(5, 1), "real"), (dct_group(5, 2), "real"), (dct_group(4, 1, "dst"), "real"),
             (dct_group(4, 2, "dst"), "real"), (direct_product(cyclic(2), symmetric(3)), "real"),
             (wreath_product(cyclic(3), symmetric(2)), "real")]
    for G, field in cases:
        E = matched_transform(G, field=field, exact=True)
        assert isinstance(E, sp.MatrixBase)
        num = np.array(E.evalf(30), dtype=complex)
        np.testing.assert_allclose(num, matched_transform(G, field=field).matrix, atol=1e-14, err_msg=G.name)
    for G in (elementary_abelian(2), tree(2), symmetric(3)):
        E = matched_transform(G, exact=True)
        assert sp.simplify(E.T * E - sp.eye(E.shape[0])) == sp.zeros(*E.shape)


def test_forward_inverse_axes_and_spectrum():
    G = direct_product(dihedral(4), tree(1))
    T = matched_transform(G)
    rng = np.random.default_rng(16)
    x = rng.standard_normal((3, 8, 2))
    y = T.forward(x, axis=1)
    np.testing.assert_allclose(y, np.einsum("kn,anb->akb", T.matrix.T, x), atol=1e-14)
    np.testing.assert_allclose(T.inverse(y, axis=1), x, atol=1e-14)
    x_copy = x.copy()
    T.forward(x, axis=1)
    np.testing.assert_array_equal(x, x_copy)
    R = random_invariant(G, rng)
    np.testing.assert_allclose(T.spectrum(R), np.diag(T.matrix.T @ R @ T.matrix), atol=1e-13)


@pytest.mark.parametrize("G, cov", [
    (tree(3), None), (cyclic(5), None), (direct_product(cyclic(3), symmetric(3)), None),
    (direct_product(wreath_product(cyclic(3), symmetric(2)), hamming(1)), None),
    (wreath_product(dihedral(3), trivial(2)), "invariant"), (trivial(4), "invariant"),
    (from_generators([[1, 2, 0, 3]]), None),
], ids=lambda v: getattr(v, "name", str(v)))
def test_save_load_and_pickle(tmp_path, G, cov):
    R = random_invariant(G, np.random.default_rng(17)) if cov else None
    T = matched_transform(G, R)
    path = tmp_path / "t.npz"
    T.save(path)
    assert os.listdir(tmp_path) == ["t.npz"]  # atomic: no temporary file left behind
    for U in (Transform.load(path), pickle.loads(pickle.dumps(T))):
        np.testing.assert_array_equal(U.matrix, T.matrix)
        np.testing.assert_array_equal(U.labels, T.labels)
        np.testing.assert_array_equal(U.components, T.components)
        assert (U.field, U.group, U.method, U.unique, U.data_dependent, U.resolution) == \
            (T.field, T.group, T.method, T.unique, T.data_dependent, T.resolution)
        assert U.plan.problem.kind == T.plan.problem.kind
    with np.load(path, allow_pickle=False) as data:
        assert all(data[k].dtype != object for k in data.files)


def test_load_rejects_other_files(tmp_path):
    bad = tmp_path / "bad.npz"
    np.savez(bad, x=np.arange(3))
    with pytest.raises(ValueError, match="is not an algdiv Transform file"):
        Transform.load(bad)
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="Cannot read a Transform"):
        Transform.load(junk)


def test_errors():
    G = cyclic(4)
    with pytest.raises(ValueError, match=r"Argument 'cov' must have shape \(4, 4\), not \(3, 3\)"):
        matched_transform(G, np.eye(3))
    with pytest.raises(ValueError, match="Argument 'cov' must be symmetric"):
        matched_transform(G, np.triu(np.ones((4, 4))))
    bad = np.eye(4)
    bad[1, 1] = np.nan
    with pytest.raises(ValueError, match="Argument 'cov' must be finite"):
        matched_transform(G, bad)
    with pytest.raises(ValueError, match="Argument 'cov' must be a square matrix"):
        klt(np.ones(3))
    with pytest.raises(ValueError, match="Argument 'cov' is complex; use field='complex'"):
        matched_transform(trivial(2), np.eye(2) + 0j)
    with pytest.raises(ValueError, match="Argument 'field' must be one of 'real', 'complex'"):
        matched_transform(G, field="quaternion")
    with pytest.raises(TypeError, match="Argument 'group' must be a PermutationGroup"):
        matched_transform("cyclic:4")
    with pytest.raises(ValueError, match="exact=True is available for the named families"):
        matched_transform(from_generators([[1, 0]]), exact=True)
    with pytest.raises(ValueError, match="cannot be combined with exact=True"):
        matched_transform(G, np.eye(4), exact=True)
    with pytest.raises(ValueError, match="exact=True is limited to N <= 128"):
        matched_transform(cyclic(200), exact=True)
    with pytest.raises(ValueError, match="does not take DCT groups as factors of wreath"):
        matched_transform(wreath_product(dct_group(4), cyclic(2)))
    with pytest.raises(ValueError, match="Argument 'cov' must have shape \\(8, 8\\)"):
        matched_transform(dct_group(8), np.eye(16))
    T = matched_transform(G)
    with pytest.raises(ValueError, match="Argument 'cov' must be symmetric"):
        T.spectrum(np.arange(16.0).reshape(4, 4))
    with pytest.raises(ValueError, match="must have length 4"):
        T.forward(np.ones(5))


def test_repr_and_parse_group_round_trip():
    T = matched_transform(parse_group("direct(cyclic:4,elementary_abelian:2)"), field="complex")
    text = repr(T)
    assert "direct(cyclic(4), elementary_abelian(2))" in text and "resolution=16" in text
    assert isinstance(T.plan.problem.n, int) and T.n == 16
    assert isinstance(matched_transform(PermutationGroup([[1, 0, 2]])), Transform)
