"""Public fwht / ifwht / fwhtn / ifwhtn against independent references."""
import math

import numpy as np
import pytest
import scipy.linalg as sl
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

from algdiv.testing import assert_close_in_norm, fast_tol
from algdiv.transforms import Problem, fwht, fwhtn, ifwht, ifwhtn, paley_hadamard, plan
from algdiv.transforms import _wht

SEED = 7


@pytest.fixture(autouse=True, params=["default", "numpy"])
def backend(request, monkeypatch):
    """Run every test twice: with whatever backend is installed, and numpy-only."""
    if request.param == "numpy":
        from algdiv.transforms import _plan, _solvers
        monkeypatch.setattr(_wht, "_KERNELS", {})
        monkeypatch.setattr(_plan, "_PLANNER", _plan.Planner(solvers=[_wht.WhtSolver(), *_solvers.NUMPY_SOLVERS]))
    return request.param


# ---------------------------------------------------------------------------
# references written independently of the library
# ---------------------------------------------------------------------------
def radix2(x):
    """Textbook radix-2 butterflies along the last axis (natural order, unnormalised)."""
    a = np.array(x, dtype=np.result_type(x, np.float64), copy=True)
    n = a.shape[-1]
    h = 1
    while h < n:
        v = a.reshape(a.shape[:-1] + (n // (2 * h), 2, h))
        lo, hi = v[..., 0, :].copy(), v[..., 1, :].copy()
        v[..., 0, :] = lo + hi
        v[..., 1, :] = lo - hi
        h *= 2
    return a


def perm_for(order, n):
    """y_order = y_natural[perm]: dyadic by string bit reversal, sequency by Gray code."""
    bits = n.bit_length() - 1
    rev = [int(format(k, f"0{bits}b")[::-1], 2) if bits else 0 for k in range(n)]
    if order == "natural":
        return np.arange(n)
    if order == "dyadic":
        return np.array(rev)
    gray = [k ^ (k >> 1) for k in range(n)]
    return np.array([rev[g] for g in gray])


def scale_of(norm, n, inverse=False):
    if norm == "ortho":
        return n ** -0.5
    return 1.0 / n if (norm == "backward") == inverse else 1.0


def legendre(a, q):
    a %= q
    return 0 if a == 0 else (1 if pow(a, (q - 1) // 2, q) == 1 else -1)   # Euler's criterion


DTYPES = [np.float32, np.float64, np.complex64, np.complex128]


def rand(rng, shape, dtype):
    x = rng.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * rng.standard_normal(shape)
    return x.astype(dtype)


# ---------------------------------------------------------------------------
# values
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("n", [1, 2, 4, 8, 16, 32, 64, 128, 256, 2048, 2 ** 13])
@pytest.mark.parametrize("order", ["natural", "sequency", "dyadic"])
@pytest.mark.parametrize("norm", ["backward", "ortho", "forward"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_fwht_matches_reference(n, order, norm, dtype):
    rng = np.random.default_rng(SEED + n)
    x = rand(rng, (3, n), dtype)
    y = fwht(x, norm=norm, order=order)
    assert y.dtype == dtype and y.shape == x.shape
    ref = radix2(x.astype(np.complex128))[:, perm_for(order, n)] * scale_of(norm, n)
    tol = fast_tol(dtype, n)
    assert_close_in_norm(y, ref, tol, axis=-1)
    back = ifwht(y, norm=norm, order=order)
    assert back.dtype == dtype
    assert_close_in_norm(back, x, tol, axis=-1)


@pytest.mark.parametrize("n", [4, 16, 64])
def test_sequency_order_has_k_sign_changes(n):
    H = fwht(np.eye(n), axis=0, order="sequency")      # columns: transform of e_j -> H[:, j]
    changes = [int(np.sum(np.diff(np.sign(row)) != 0)) for row in H]
    assert changes == list(range(n))
    np.testing.assert_array_equal(fwht(np.eye(n), axis=0), sl.hadamard(n))


@pytest.mark.parametrize("m,q", [(12, 11), (20, 19), (28, 13)])
def test_paley_matrices(m, q):
    H = paley_hadamard(m)
    assert H.shape == (m, m) and set(np.unique(H)) == {-1, 1}
    np.testing.assert_array_equal(H @ H.T, m * np.eye(m, dtype=int))
    Q = np.array([[legendre(i - j, q) for j in range(q)] for i in range(q)])
    if m in (12, 20):                                  # Paley I: H = I + [[0, 1^T], [-1, Q]]
        S = np.zeros((q + 1, q + 1), dtype=int)
        S[0, 1:], S[1:, 0], S[1:, 1:] = 1, -1, Q
        np.testing.assert_array_equal(H, np.eye(q + 1, dtype=int) + S)
    else:                                              # Paley II
        S = np.zeros((q + 1, q + 1), dtype=int)
        S[0, 1:], S[1:, 0], S[1:, 1:] = 1, 1, Q
        want = np.block([[np.array([[1, -1], [-1, -1]]) if s == 0 else s * np.array([[1, 1], [1, -1]])
                          for s in row] for row in S])
        np.testing.assert_array_equal(H, want)
    with pytest.raises(ValueError, match="Argument 'm'"):
        paley_hadamard(16)


@pytest.mark.parametrize("n", [12, 24, 48, 12 * 64, 20, 40, 20 * 16, 28, 56, 28 * 32])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex128])
def test_m_times_pow2(n, dtype):
    rng = np.random.default_rng(SEED)
    m = 4 * (n // (n & -n))
    x = rand(rng, (2, n), dtype)
    A = np.kron(paley_hadamard(m), sl.hadamard(n // m))
    for norm in ("backward", "ortho"):
        y = fwht(x, norm=norm)
        assert y.dtype == dtype
        assert_close_in_norm(y, x.astype(complex) @ A.T * scale_of(norm, n), fast_tol(dtype, n) * 2, axis=-1)
        assert_close_in_norm(ifwht(y, norm=norm), x, fast_tol(dtype, n) * 2, axis=-1)
    xi = rng.integers(-50, 50, (3, n))
    np.testing.assert_array_equal(fwht(xi), xi @ A.T)
    with pytest.raises(ValueError, match="Argument 'order' must be 'natural'"):
        fwht(x, order="sequency")


def test_ifwht_inverse_uses_transpose_for_paley():
    x = np.arange(12.0)
    H = paley_hadamard(12)
    np.testing.assert_allclose(ifwht(x), H.T @ x / 12, atol=1e-13)


# ---------------------------------------------------------------------------
# axes, layouts, dtypes
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("axis", [0, 1, 2, -1, -2, -3])
def test_any_axis_and_batch(axis):
    rng = np.random.default_rng(SEED)
    x = rng.standard_normal((8, 4, 16))
    y = fwht(x, axis=axis, order="dyadic", norm="ortho")
    ref = np.moveaxis(radix2(np.moveaxis(x, axis, -1)), -1, axis)
    n = x.shape[axis]
    ref = np.take(ref, perm_for("dyadic", n), axis=axis) / np.sqrt(n)
    assert_close_in_norm(y, ref, fast_tol(np.float64, n))


def test_strided_and_fortran_inputs():
    rng = np.random.default_rng(SEED)
    base = rng.standard_normal((32, 48))
    for x, axis in ((base[::2, ::3], 0), (base[::2, ::3], 1), (np.asfortranarray(base[:, :32]), 1),
                    (np.asfortranarray(base[:, :32]), 0), (base[::-1, 16:32], 1)):
        ref = np.moveaxis(radix2(np.moveaxis(np.ascontiguousarray(x), axis, -1)), -1, axis)
        y = fwht(x, axis=axis)
        assert_close_in_norm(y, ref, fast_tol(np.float64, x.shape[axis]))


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint64])
def test_integer_input_is_exact_int64(dtype):
    rng = np.random.default_rng(SEED)
    x = rng.integers(0, 100, (5, 64)).astype(dtype)
    y = fwht(x)
    assert y.dtype == np.int64
    np.testing.assert_array_equal(y, x.astype(np.int64) @ sl.hadamard(64))
    ys = fwht(x, order="sequency")
    np.testing.assert_array_equal(ys, (x.astype(np.int64) @ sl.hadamard(64))[:, perm_for("sequency", 64)])
    assert fwht(x, norm="ortho").dtype == np.float64
    assert fwht(x, norm="forward").dtype == np.float64
    inv = ifwht(y)
    assert inv.dtype == np.float64
    np.testing.assert_array_equal(inv, x.astype(np.float64))


def test_large_integers_exact_where_float64_is_not():
    x = np.zeros(16, dtype=np.int64)
    x[0] = 2 ** 58 + 1
    x[1] = 1
    y = fwht(x)
    assert y[0] == 2 ** 58 + 2 and y[1] == 2 ** 58
    assert int(fwht(x.astype(np.float64))[0]) != 2 ** 58 + 2      # float64 cannot hold it


def test_integer_overflow_refused_up_front():
    n = 16
    limit = np.iinfo(np.int64).max // n
    ok = np.zeros(n, dtype=np.int64)
    ok[:] = limit
    fwht(ok)                               # max|x| * n fits: accepted
    bad = ok.copy()
    bad[3] = limit + 1
    with pytest.raises(ValueError, match="Argument 'x' would overflow int64"):
        fwht(bad)
    big = np.array([2 ** 63 + 5, 0], dtype=np.uint64)
    with pytest.raises(ValueError, match="overflow"):
        fwht(big)
    with pytest.raises(ValueError, match="overflow"):
        fwhtn(np.full((16, 16), limit // 8, dtype=np.int64))
    assert fwht(bad, norm="ortho").dtype == np.float64      # float path is fine


def test_float16_computed_in_float32():
    x = np.arange(8, dtype=np.float16)
    y = fwht(x)
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y, sl.hadamard(8) @ np.arange(8.0))


@pytest.mark.parametrize("bad,exc,match", [
    (np.ones(8, dtype=bool), TypeError, "Argument 'x' must be an array of numbers"),
    (np.array(["a"] * 8), TypeError, "Argument 'x'"),
    (np.array([object()] * 8), TypeError, "Argument 'x'"),
    (np.ones(6), ValueError, r"Argument 'x' must have length 2\^k or m\*2\^k .* not 6; zero-pad to 8"),
    (np.ones(13), ValueError, "zero-pad to 16"),
    (np.ones((4, 0)), ValueError, "not 0"),
    (np.float64(3.0), ValueError, "at least 1 dimension"),
])
def test_bad_x(bad, exc, match):
    with pytest.raises(exc, match=match):
        fwht(bad)


@pytest.mark.skipif(np.dtype(np.longdouble).itemsize <= 8, reason="long double is float64 here")
def test_long_double_refused():
    with pytest.raises(TypeError, match="Argument 'x' must have dtype float32, float64"):
        fwht(np.ones(8, dtype=np.longdouble))


def test_bad_arguments():
    x = np.ones(8)
    with pytest.raises(ValueError, match=r"Argument 'axis' must be in \[-1, 1\)"):
        fwht(x, axis=1)
    with pytest.raises(TypeError, match="Argument 'axis' must be an integer"):
        fwht(x, axis=0.5)
    with pytest.raises(ValueError, match="Argument 'norm' must be one of 'backward', 'ortho', 'forward', not 'unitary'"):
        fwht(x, norm="unitary")
    with pytest.raises(ValueError, match="Argument 'order'"):
        ifwht(x, order="gray")
    with pytest.raises(ValueError, match="Argument 'workers' must be None, an integer >= 1, or an integer in"):
        fwht(x, workers=0)
    with pytest.raises(TypeError, match="Argument 'workers'"):
        fwht(x, workers="all")
    with pytest.raises(TypeError, match="Argument 'out' must be a numpy array"):
        fwht(x, out=[0] * 8)
    with pytest.raises(ValueError, match=r"Argument 'out' must have shape \(8,\)"):
        fwht(x, out=np.empty(4))
    with pytest.raises(ValueError, match="Argument 'out' must have dtype float64, not float32"):
        fwht(x, out=np.empty(8, np.float32))
    with pytest.raises(ValueError, match="Argument 'out' must have dtype int64"):
        fwht(np.arange(8), out=np.empty(8))
    ro = np.empty(8)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="Argument 'out' must be writeable"):
        fwht(x, out=ro)


def test_aliases_and_none_norm():
    x = np.arange(16.0)
    np.testing.assert_array_equal(fwht(x, order="walsh"), fwht(x, order="sequency"))
    np.testing.assert_array_equal(fwht(x, order="paley"), fwht(x, order="dyadic"))
    np.testing.assert_array_equal(fwht(x, order="hadamard"), fwht(x))
    np.testing.assert_array_equal(fwht(x, norm=None), fwht(x, norm="backward"))


# ---------------------------------------------------------------------------
# memory semantics
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("n", [8, 256, 24])
@pytest.mark.parametrize("dtype", DTYPES + [np.int32])
def test_input_untouched_unless_overwrite(n, dtype):
    rng = np.random.default_rng(SEED)
    x = rand(rng, (3, n), dtype) if np.dtype(dtype).kind != "i" else rng.integers(-9, 9, (3, n)).astype(dtype)
    keep = x.copy()
    for f in (fwht, ifwht):
        for order in ("natural",) if n == 24 else ("natural", "sequency"):
            f(x, order=order, norm="ortho")
            f(x, order=order)
            f(x.T, axis=0, order=order)
            np.testing.assert_array_equal(x, keep)
    y = fwht(x, overwrite_x=True)          # allowed to reuse x; result still right
    np.testing.assert_allclose(y, fwht(keep), rtol=fast_tol(dtype, n) if np.dtype(dtype).kind != "i" else 0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64, np.complex128])
@pytest.mark.parametrize("f", [fwht, ifwht])
def test_overwrite_x_transforms_in_place(dtype, f):
    # overwrite_x=True on a C-ordered, writeable native array: the result is x itself
    rng = np.random.default_rng(SEED)
    x = rng.standard_normal((5, 64)).astype(dtype)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * rng.standard_normal((5, 64)).astype(dtype)
    keep = x.copy()
    H = sl.hadamard(64)
    want = keep @ H.T / (64 if f is ifwht else 1)
    y = f(x, overwrite_x=True)
    assert y is x
    np.testing.assert_allclose(y, want, rtol=fast_tol(dtype, 64), atol=fast_tol(dtype, 64) * 8)
    x2 = keep.T.copy()                               # axis 0 of a C-ordered array
    y2 = f(x2, axis=0, overwrite_x=True, norm="ortho", order="sequency")
    assert y2 is x2
    np.testing.assert_allclose(y2, f(keep, norm="ortho", order="sequency").T,
                               rtol=fast_tol(dtype, 64), atol=fast_tol(dtype, 64))
    xs = np.array(keep[:, ::2])                      # not the array's own dtype: never reused
    y3 = f(xs.astype(np.float16 if np.dtype(dtype).kind == "f" else dtype), overwrite_x=True)
    assert y3.shape == xs.shape


def test_read_only_input():
    x = np.arange(32.0)
    x.flags.writeable = False
    y = fwht(x, overwrite_x=True)
    np.testing.assert_array_equal(y, sl.hadamard(32) @ np.arange(32.0))
    np.testing.assert_array_equal(x, np.arange(32.0))


def test_out_argument():
    rng = np.random.default_rng(SEED)
    x = rng.standard_normal((4, 64))
    out = np.empty((4, 64))
    r = fwht(x, out=out, order="sequency")
    assert r is out
    np.testing.assert_allclose(out, fwht(x, order="sequency"), rtol=1e-14)
    outF = np.empty((64, 4), order="F").T        # non-contiguous out view
    assert fwht(x, out=outF) is outF
    np.testing.assert_allclose(outF, fwht(x), rtol=1e-14)
    xi = rng.integers(-5, 5, (4, 16))
    outi = np.empty((4, 16), np.int64)
    fwht(xi, out=outi)
    np.testing.assert_array_equal(outi, xi @ sl.hadamard(16))
    y = x.copy()
    fwht(y, out=y)                                 # in place through out=
    np.testing.assert_allclose(y, fwht(x), rtol=1e-14)
    outn = np.empty((4, 64))
    assert fwhtn(x, out=outn) is outn


def test_nan_stays_in_its_row():
    rng = np.random.default_rng(SEED)
    for n in (16, 1024, 24):
        x = rng.standard_normal((5, n))
        x[2, 3] = np.nan
        y = fwht(x)
        assert np.all(np.isnan(y[2]))
        clean = np.delete(np.arange(5), 2)
        assert np.all(np.isfinite(y[clean]))
        assert_close_in_norm(y[clean], fwht(x[clean]), fast_tol(np.float64, n), axis=-1)


def test_empty_batch():
    y = fwht(np.zeros((0, 8)))
    assert y.shape == (0, 8) and y.dtype == np.float64


# ---------------------------------------------------------------------------
# plans and dispatch
# ---------------------------------------------------------------------------
def test_plan_argument():
    x = np.random.default_rng(SEED).standard_normal((3, 32)).astype(np.float32)
    p = plan(Problem("wht", 32, "float32", order="dyadic", norm="ortho"))
    np.testing.assert_array_equal(fwht(x, norm="ortho", order="dyadic", plan=p),
                                  fwht(x, norm="ortho", order="dyadic"))
    np.testing.assert_allclose(ifwht(fwht(x, norm="ortho", order="dyadic", plan=p), norm="ortho",
                                     order="dyadic", plan=p), x, atol=1e-5)
    with pytest.raises(ValueError, match=r"Argument 'plan' must be a plan for \(wht n=32 float32 norm=backward\)"):
        fwht(x, plan=p)
    with pytest.raises(ValueError, match="Argument 'plan'"):
        fwht(x.astype(np.float64), norm="ortho", order="dyadic", plan=p)
    with pytest.raises(TypeError, match="Argument 'plan' must be an algdiv.transforms.Plan"):
        fwht(x, plan="fast")


def test_backend_kernel_dispatch_point(monkeypatch):
    calls = []

    def kernel(x, scale, workers):
        calls.append((x.shape, scale, workers))
        assert x.flags.c_contiguous and x.ndim == 2
        return radix2(x).astype(x.dtype) * x.dtype.type(scale)

    monkeypatch.setattr(_wht, "_KERNELS", {"wht": kernel})
    x = np.random.default_rng(SEED).standard_normal((2, 3, 16))
    y = fwht(x, norm="ortho", workers=2)
    assert calls == [((6, 16), 0.25, 2)]
    assert_close_in_norm(y, radix2(x) / 4, fast_tol(np.float64, 16))
    ifwht(x)
    assert calls[-1][1] == 1 / 16
    n_calls = len(calls)
    fwht(np.zeros((16, 3)), axis=0)                 # not the last axis
    fwht(x, order="sequency")                       # ordered: planner path
    fwht(np.asfortranarray(x))                      # not C-contiguous
    fwht(x.astype(np.complex128))                   # complex
    fwht(x.astype(np.int64))                        # integer
    fwht(x, out=np.empty_like(x))                   # out=
    fwht(np.zeros((2, 24)))                         # m * 2^k
    assert len(calls) == n_calls


def test_workers_same_result():
    x = np.random.default_rng(SEED).standard_normal((8, 2 ** 13))
    np.testing.assert_array_equal(fwht(x, workers=2), fwht(x))
    np.testing.assert_array_equal(fwht(x, workers=-1), fwht(x))


# ---------------------------------------------------------------------------
# n-d
# ---------------------------------------------------------------------------
def test_fwhtn_is_kron():
    rng = np.random.default_rng(SEED)
    x = rng.standard_normal((4, 8, 2))
    A = np.kron(np.kron(sl.hadamard(4), sl.hadamard(8)), sl.hadamard(2))
    y = fwhtn(x)
    assert_close_in_norm(y.ravel(), A @ x.ravel(), fast_tol(np.float64, 64))
    assert_close_in_norm(ifwhtn(y), x, fast_tol(np.float64, 64))
    y01 = fwhtn(x, axes=(0, 1), norm="ortho", order="sequency")
    ref = fwht(fwht(x, axis=0, norm="ortho", order="sequency"), axis=1, norm="ortho", order="sequency")
    np.testing.assert_allclose(y01, ref, rtol=1e-13, atol=1e-13)
    xi = rng.integers(-3, 3, (4, 8))
    np.testing.assert_array_equal(fwhtn(xi), sl.hadamard(4) @ xi @ sl.hadamard(8))
    np.testing.assert_array_equal(fwhtn(xi, axes=()), xi)
    with pytest.raises(ValueError, match="Argument 'axes' must not repeat"):
        fwhtn(x, axes=(0, 0))
    with pytest.raises(ValueError, match="Argument 'axes'"):
        fwhtn(x, axes=(5,))
    with pytest.raises(ValueError, match="Argument 'x'"):
        fwhtn(np.ones((4, 6)))


# ---------------------------------------------------------------------------
# self-tests at a size too big for a dense matrix (FFTW's Ergun checks)
# ---------------------------------------------------------------------------
def test_large_linearity_impulse_parseval():
    n = 2 ** 22
    rng = np.random.default_rng(SEED)
    x = rng.standard_normal(n).astype(np.float32)
    z = rng.standard_normal(n).astype(np.float32)
    yx = fwht(x, norm="ortho")
    yz = fwht(z, norm="ortho")
    tol = fast_tol(np.float32, n)
    # Parseval (orthonormal)
    assert abs(np.linalg.norm(yx.astype(np.float64)) / np.linalg.norm(x.astype(np.float64)) - 1) < tol
    # linearity
    a, b = np.float32(0.75), np.float32(-1.5)
    assert_close_in_norm(fwht(a * x + b * z, norm="ortho"), a * yx + b * yz, tol)
    # impulse: e_j -> column j of H, (-1)^popcount(i & j) / sqrt(n)
    j = 0b1011001110001
    e = np.zeros(n, np.float32)
    e[j] = 1
    i = np.arange(n)
    pc = np.zeros(n, dtype=np.int64)
    v = i & j
    while v.any():
        pc += v & 1
        v >>= 1
    want = np.where(pc % 2 == 0, 1.0, -1.0) / math.sqrt(n)
    np.testing.assert_allclose(fwht(e, norm="ortho"), want, rtol=1e-6)
    # round trip
    assert_close_in_norm(ifwht(yx, norm="ortho"), x, tol)


# ---------------------------------------------------------------------------
# property-based
# ---------------------------------------------------------------------------
@given(
    k=st.integers(0, 9),
    batch=st.lists(st.integers(1, 3), min_size=0, max_size=2),
    data=st.data(),
    order=st.sampled_from(["natural", "sequency", "dyadic"]),
    norm=st.sampled_from(["backward", "ortho", "forward"]),
    dtype=st.sampled_from([np.float32, np.float64, np.complex128]),
)
def test_hypothesis_round_trip_and_reference(k, batch, data, order, norm, dtype):
    n = 2 ** k
    shape = tuple(batch) + (n,)
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    shape = list(shape)
    shape[-1], shape[axis] = shape[axis], shape[-1]
    x = data.draw(hnp.arrays(dtype, tuple(shape), elements=st.floats(-100, 100, width=32)))
    y = fwht(x, axis=axis, norm=norm, order=order)
    ref = np.moveaxis(radix2(np.moveaxis(x.astype(np.complex128), axis, -1))[..., perm_for(order, n)], -1, axis)
    ref = ref * scale_of(norm, n)
    tol = fast_tol(dtype, n)
    scale = max(np.linalg.norm(ref), 1.0)
    assert np.linalg.norm(y - ref) <= tol * scale * 4
    back = ifwht(y, axis=axis, norm=norm, order=order)
    assert np.linalg.norm(back - x) <= tol * max(np.linalg.norm(x), 1.0) * 4


@given(hnp.arrays(np.int64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=4).map(lambda s: s[:-1] + (8,)),
                  elements=st.integers(-10 ** 12, 10 ** 12)))
def test_hypothesis_integer_exact(x):
    np.testing.assert_array_equal(fwht(x), x @ sl.hadamard(8))
