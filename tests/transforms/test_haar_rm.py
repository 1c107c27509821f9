"""Haar, Reed-Muller and arithmetic transforms against independent truths."""
import numpy as np
import pytest
import scipy.linalg as sl
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

from algdiv.testing import assert_close_in_norm, fast_tol
from algdiv.transforms import Problem, arithmetic, haar, iarithmetic, ihaar, plan, reed_muller

SEED = 11


def haar_dense(n, c=1 / np.sqrt(2)):
    """H_2m = [H_m (x) (1, 1) c ; I_m (x) (1, -1) c] (the recursion, for any level scale c)."""
    H = np.ones((1, 1))
    while H.shape[0] < n:
        m = H.shape[0]
        H = np.vstack([np.kron(H, [1, 1]) * c, np.kron(np.eye(m), [1, -1]) * c])
    return H


def subset_matrix(n):
    """M_n[x, s] = 1 iff s is a subset of x, from the definition."""
    return np.array([[int((s & x) == s) for s in range(n)] for x in range(n)])


def popcount(v):
    return bin(v).count("1")


# ---------------------------------------------------------------------------
# Haar
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("n", [1, 2, 4, 16, 256])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex128])
def test_haar_matches_recursion(n, dtype):
    rng = np.random.default_rng(SEED)
    x = rng.standard_normal((3, n)).astype(dtype)
    H = haar_dense(n)
    y = haar(x)
    assert y.dtype == dtype
    assert_close_in_norm(y, x @ H.T, fast_tol(dtype, n), axis=-1)
    assert_close_in_norm(ihaar(y), x, fast_tol(dtype, n), axis=-1)
    np.testing.assert_allclose(H @ H.T, np.eye(n), atol=1e-12)


def test_haar_matches_pywt():
    pywt = pytest.importorskip("pywt")
    rng = np.random.default_rng(SEED)
    for n in (2, 8, 64, 1024):
        x = rng.standard_normal(n)
        ref = np.concatenate(pywt.wavedec(x, "haar", mode="periodization"))
        assert_close_in_norm(haar(x), ref, fast_tol(np.float64, n))
    X = rng.standard_normal((32, 5))
    ref = np.concatenate(pywt.wavedec(X, "haar", mode="periodization", axis=0), axis=0)
    assert_close_in_norm(haar(X, axis=0), ref, fast_tol(np.float64, 32))


@pytest.mark.parametrize("norm,c", [("backward", 1.0), ("forward", 0.5), ("ortho", 2 ** -0.5)])
def test_haar_norms(norm, c):
    rng = np.random.default_rng(SEED)
    x = rng.standard_normal((2, 16))
    H = haar_dense(16, c)
    assert_close_in_norm(haar(x, norm=norm), x @ H.T, fast_tol(np.float64, 16), axis=-1)
    assert_close_in_norm(ihaar(haar(x, norm=norm), norm=norm), x, fast_tol(np.float64, 16), axis=-1)


def test_haar_integer_exact_and_layouts():
    rng = np.random.default_rng(SEED)
    x = rng.integers(-1000, 1000, (4, 32)).astype(np.int32)
    y = haar(x, norm="backward")
    assert y.dtype == np.int64
    np.testing.assert_array_equal(y, x @ np.round(haar_dense(32, 1.0)).astype(np.int64).T)
    np.testing.assert_array_equal(ihaar(y, norm="backward"), x)
    assert haar(x).dtype == np.float64
    F = np.asfortranarray(rng.standard_normal((32, 6)))
    keep = F.copy()
    assert_close_in_norm(haar(F, axis=0), haar_dense(32) @ F, fast_tol(np.float64, 32))
    np.testing.assert_array_equal(F, keep)
    out = np.empty((32, 6))
    assert haar(F, axis=0, out=out) is out


def test_haar_errors():
    with pytest.raises(ValueError, match="Argument 'x' must have a power-of-2 length .* not 12; zero-pad to 16"):
        haar(np.ones(12))
    with pytest.raises(ValueError, match="Argument 'norm'"):
        haar(np.ones(8), norm="l2")
    with pytest.raises(TypeError, match="Argument 'x'"):
        haar(np.ones(8, bool))
    with pytest.raises(ValueError, match="would overflow"):
        haar(np.array([2 ** 62, 0, 0, 0]), norm="backward")
    p = plan(Problem("haar", 8, norm="backward"))
    with pytest.raises(ValueError, match="Argument 'plan'"):
        haar(np.ones(8), plan=p)
    np.testing.assert_allclose(haar(np.ones(8), norm="backward", plan=p), [8, 0, 0, 0, 0, 0, 0, 0])


# ---------------------------------------------------------------------------
# Reed-Muller (GF(2))
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("n", [1, 2, 8, 64, 512])
def test_reed_muller_definition_and_self_inverse(n):
    rng = np.random.default_rng(SEED)
    f = rng.integers(0, 2, (4, n))
    a = reed_muller(f)
    assert a.dtype == np.uint8
    if n <= 64:
        np.testing.assert_array_equal(a, (f @ subset_matrix(n).T) % 2)
    np.testing.assert_array_equal(reed_muller(a), f)
    # ANF evaluation: f(x) = XOR over s subset of x of a_s
    x = int(rng.integers(0, n))
    val = 0
    for s in range(n):
        if s & x == s:
            val ^= int(a[0, s])
    assert val == f[0, x]


def test_reed_muller_and_gate_and_inputs():
    f = np.zeros(8, dtype=bool)
    f[[3, 7]] = True                         # x0 AND x1 on 3 variables
    a = reed_muller(f)
    np.testing.assert_array_equal(np.flatnonzero(a), [3])
    np.testing.assert_array_equal(reed_muller(f.astype(np.int64), axis=0), a)
    F = np.tile(f.astype(np.uint8), (3, 1)).T     # transform along axis 0
    np.testing.assert_array_equal(reed_muller(F, axis=0), np.tile(a, (3, 1)).T)
    out = np.empty(8, np.uint8)
    assert reed_muller(f, out=out) is out
    with pytest.raises(ValueError, match="Argument 'x' must contain only 0 and 1"):
        reed_muller(np.array([0, 2, 1, 0]))
    with pytest.raises(TypeError, match="Argument 'x' must be an array of bool or integers"):
        reed_muller(np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="power-of-2"):
        reed_muller(np.array([0, 1, 1]))
    with pytest.raises(ValueError, match="Argument 'out' must have dtype uint8"):
        reed_muller(f, out=np.empty(8, np.int64))


# ---------------------------------------------------------------------------
# arithmetic transform
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("n", [1, 2, 4, 32])
def test_arithmetic_is_inverse_of_subset_matrix(n):
    rng = np.random.default_rng(SEED)
    M = subset_matrix(n)
    f = rng.integers(-20, 20, (3, n))
    a = arithmetic(f)
    assert a.dtype == np.int64
    np.testing.assert_array_equal(M @ a.T, f.T)            # A_n = M_n^{-1}
    np.testing.assert_array_equal(iarithmetic(a), f)
    np.testing.assert_array_equal(iarithmetic(f), f @ M.T)
    # A_n = [[1, 0], [-1, 1]]^{(x) k}
    A = np.ones((1, 1), dtype=int)
    while A.shape[0] < n:
        A = np.kron(A, [[1, 0], [-1, 1]])
    np.testing.assert_array_equal(arithmetic(np.eye(n, dtype=int), axis=0), A)
    xf = rng.standard_normal((2, n))
    assert_close_in_norm(arithmetic(xf), xf @ A.T, fast_tol(np.float64, n) * n, axis=-1)


@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_wht_identity_H_equals_M_D_MT(k):
    n = 2 ** k
    M = subset_matrix(n)
    D = np.diag([(-2) ** popcount(s) for s in range(n)])
    np.testing.assert_array_equal(M @ D @ M.T, sl.hadamard(n))
    # the same identity through the fast transforms: H x = M (D (M^T x))
    rng = np.random.default_rng(SEED)
    from algdiv.transforms import fwht
    x = rng.integers(-9, 9, n)
    MTx = M.T @ x
    np.testing.assert_array_equal(iarithmetic(np.diag(D) * MTx), fwht(x))


def test_arithmetic_errors_and_overflow():
    with pytest.raises(ValueError, match="would overflow"):
        arithmetic(np.array([2 ** 62, 0, 0, 0, 0, 0, 0, 0]))
    with pytest.raises(TypeError, match="Argument 'x'"):
        arithmetic(np.array(["1", "0"]))
    with pytest.raises(ValueError, match="Argument 'plan'"):
        arithmetic(np.arange(4), plan=plan(Problem("arithmetic", 4, "int64", params={"inverse": True})))


@given(hnp.arrays(np.int64, st.sampled_from([(8,), (3, 16), (2, 2, 4)]), elements=st.integers(-10 ** 9, 10 ** 9)))
def test_hypothesis_arithmetic_round_trip(f):
    np.testing.assert_array_equal(iarithmetic(arithmetic(f)), f)
    np.testing.assert_array_equal(arithmetic(iarithmetic(f)), f)
    g = (np.abs(f) % 2).astype(np.uint8)
    np.testing.assert_array_equal(reed_muller(reed_muller(g)), g)
    np.testing.assert_array_equal(reed_muller(g), iarithmetic(g) % 2)      # M_n mod 2
