"""Direct products with DCT/DST factors, and the callable, precision-keeping Transform."""
import pickle

import numpy as np
import pytest
import scipy.fft
import scipy.linalg

from algdiv.bases import Transform, matched_transform
from algdiv.groups import cyclic, dct_group, direct_product, elementary_abelian, parse_group, tree


def real_fourier(n):
    """The real Fourier analysis matrix of docs/bases.md, from its closed form."""
    i = np.arange(n)
    rows = [np.ones(n) / np.sqrt(n)]
    for k in range(1, (n + 1) // 2):
        rows += [np.sqrt(2 / n) * np.cos(2 * np.pi * k * i / n), np.sqrt(2 / n) * np.sin(2 * np.pi * k * i / n)]
    if n % 2 == 0:
        rows.append((-1.0) ** i / np.sqrt(n))
    return np.array(rows)


def test_2d_dct_of_8x8_blocks_is_scipy_dctn():
    T = matched_transform(parse_group("direct(dct:8,dct:8)"))
    assert T.n == 64 and T.plan.describe().startswith("(kron 64")
    blocks = np.random.default_rng(0).standard_normal((5, 8, 8))
    want = scipy.fft.dctn(blocks, axes=(1, 2), norm="ortho").reshape(5, 64)
    got = T(blocks.reshape(5, 64))
    np.testing.assert_allclose(got, want, atol=1e-12)
    np.testing.assert_allclose(T.inverse(got).reshape(5, 8, 8), blocks, atol=1e-12)


@pytest.mark.parametrize("spec, factors", [
    ("direct(dct:4,cyclic:3)",
     [scipy.fft.dct(np.eye(4), norm="ortho", axis=0), real_fourier(3)]),
    ("direct(cyclic:6,dst:3:1)",
     [real_fourier(6), scipy.fft.dst(np.eye(3), type=1, norm="ortho", axis=0)]),
    ("direct(dct:3:1,elementary_abelian:1,dst:2)",
     [scipy.fft.dct(np.eye(3), type=1, norm="ortho", axis=0, orthogonalize=True),
      scipy.linalg.hadamard(2) / np.sqrt(2), scipy.fft.dst(np.eye(2), norm="ortho", axis=0)]),
])
def test_mixed_products_are_kronecker_products(spec, factors):
    G = parse_group(spec)
    T = matched_transform(G)
    A = factors[0]
    for F in factors[1:]:
        A = np.kron(A, F)
    assert T.n == A.shape[0] == G.signal_size
    assert T.plan.describe().startswith("(kron")
    np.testing.assert_allclose(T.matrix.T, A, atol=1e-12)
    # an invariant covariance of the product is diagonalized
    rng = np.random.default_rng(1)
    M = rng.standard_normal((T.n, T.n))
    R = G.reynolds(M @ M.T)
    assert G.is_invariant(R) and not G.is_invariant(M @ M.T)
    S = T.spectrum(R)
    D = T.matrix.T @ R @ T.matrix
    np.testing.assert_allclose(D, np.diag(S), atol=1e-10 * np.abs(R).max())
    # exact (sympy) basis of the product agrees
    np.testing.assert_allclose(np.array(matched_transform(G, exact=True), dtype=float), T.matrix,
                               atol=1e-12)


def test_product_transform_takes_cov_of_signal_size():
    G = direct_product(dct_group(4), dct_group(2))
    with pytest.raises(ValueError, match=r"must have shape \(8, 8\)"):
        matched_transform(G, np.eye(64))


@pytest.mark.parametrize("G, field", [(cyclic(8), "complex"), (cyclic(7), "real"), (tree(3), "real"),
                                      (parse_group("direct(dct:4,cyclic:3)"), "real"),
                                      (elementary_abelian(3), "real")])
def test_call_and_single_precision(G, field):
    T = matched_transform(G, field=field)
    x = np.random.default_rng(2).standard_normal((3, T.n))
    ref = x @ T.matrix.conj()            # rows: B^H x
    np.testing.assert_allclose(T(x), ref, atol=1e-12)
    np.testing.assert_allclose(T(x.T, axis=0), ref.T, atol=1e-12)
    x32 = x.astype(np.float32)
    y32 = T(x32)
    want = np.complex64 if np.iscomplexobj(T.matrix) else np.float32
    assert y32.dtype == want
    np.testing.assert_allclose(y32, ref, atol=1e-5)
    back = T.inverse(y32)
    assert back.dtype == want and np.allclose(back, x, atol=1e-5)
    yc = T(x32 + 1j * x32)
    assert yc.dtype == np.complex64
    np.testing.assert_allclose(yc, ref * (1 + 1j), atol=1e-5)
    assert T(x).dtype == np.result_type(T.matrix.dtype, np.float64)
    # the single-precision plan is not pickled; a copy rebuilds it
    T2 = pickle.loads(pickle.dumps(T))
    assert T2(x32).dtype == want


def test_repr_says_what_matrix_holds(tmp_path):
    T = matched_transform(dct_group(4))
    assert "basis as columns" in repr(T) and "B^H x" in repr(T)
    T.save(tmp_path / "t.npz")
    U = Transform.load(tmp_path / "t.npz")
    x = np.arange(4.0)
    assert np.allclose(U(x), scipy.fft.dct(x, norm="ortho"))
