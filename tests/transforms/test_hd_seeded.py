"""hd(seed=...) with signs generated in the C kernel, and the ``offset`` keyword."""
import numpy as np
import pytest
import scipy.linalg as sl

from algdiv.testing import assert_close_in_norm, fast_tol
from algdiv.transforms import fwht, hd, rademacher, rademacher_at
from algdiv.transforms import _wht

PATHS = ["kernel", "numpy"]


@pytest.fixture(params=PATHS)
def path(request, monkeypatch):
    """'kernel': whatever the build has (C: signs in the kernel); 'numpy': no compiled kernels."""
    if request.param == "numpy":
        monkeypatch.setattr(_wht, "_KERNELS", {})
    return request.param


def dense_hd(x, d, n, norm="ortho"):
    scale = {"ortho": n ** -0.5, "backward": 1.0, "forward": 1.0 / n}[norm]
    return (x * d) @ sl.hadamard(n) * scale


@pytest.mark.parametrize("per_row", [False, True])
@pytest.mark.parametrize("offset", [0, 5, 2 ** 40 + 3, 2 ** 64 - 7])
def test_signs_match_rademacher_at_bit_for_bit(path, per_row, offset):
    rng = np.random.default_rng(1)
    m, n = 6, 64
    x = rng.standard_normal((m, n))
    count = m * n if per_row else n
    idx = (np.arange(count, dtype=np.uint64) + np.uint64(offset)).reshape((m, n) if per_row else (n,))
    d = rademacher_at(11, idx, stream=4)
    got = hd(x, seed=11, stream=4, per_row=per_row, offset=offset, norm="backward")
    # norm="backward" with +-1 signs: every output is a sum of +-x_i, so both sides
    # are the same float operations only up to order; an impulse isolates each sign exactly.
    assert_close_in_norm(got, dense_hd(x, d, n, "backward"), fast_tol(np.float64, n))
    e = np.zeros((m, n))
    e[:, 0] = 1.0
    imp = hd(e, seed=11, stream=4, per_row=per_row, offset=offset, norm="backward")
    d2 = np.broadcast_to(d, (m, n))
    assert np.array_equal(imp, np.repeat(d2[:, :1].astype(np.float64), n, axis=1))
    # every sign exactly: hd of the all-ones row is H d, and ifwht(H d) = d exactly in float64
    ones = np.ones((m, n))
    back = fwht(hd(ones, seed=11, stream=4, per_row=per_row, offset=offset, norm="backward")) / n
    assert np.array_equal(back, d2.astype(np.float64))


def test_offset_zero_is_the_documented_definition(path):
    x = np.random.default_rng(2).standard_normal((5, 32)).astype(np.float32)
    assert_close_in_norm(hd(x, seed=3, per_row=True), dense_hd(x, rademacher(3, (5, 32)), 32),
                         fast_tol(np.float32, 32))
    assert_close_in_norm(hd(x, seed=3), dense_hd(x, rademacher(3, 32), 32), fast_tol(np.float32, 32))


def test_row_chunks_reproduce_the_whole_batch(path):
    x = np.random.default_rng(4).standard_normal((10, 128))
    whole = hd(x, seed=9, stream=2, per_row=True)
    parts = [hd(x[r0:r1], seed=9, stream=2, per_row=True, offset=r0 * 128)
             for r0, r1 in [(0, 3), (3, 4), (4, 10)]]
    assert np.array_equal(np.concatenate(parts), whole)


def test_kernel_and_numpy_paths_agree(monkeypatch):
    x = np.random.default_rng(5).standard_normal((3, 4, 256))
    kw = dict(seed=2 ** 63 + 1, stream=7, per_row=True, offset=999)
    a = hd(x, **kw)
    monkeypatch.setattr(_wht, "_KERNELS", {})
    b = hd(x, **kw)
    assert_close_in_norm(a, b, fast_tol(np.float64, 256))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64, np.complex128, np.int32])
@pytest.mark.parametrize("order", ["natural", "sequency", "dyadic"])
def test_axes_orders_dtypes(path, dtype, order):
    rng = np.random.default_rng(6)
    x = (rng.standard_normal((16, 3)) * 4).astype(dtype)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * rng.standard_normal((16, 3)).astype(dtype)
    d = rademacher_at(8, np.arange(16, dtype=np.uint64) + np.uint64(3))
    got = hd(x, seed=8, offset=3, axis=0, order=order)
    want = fwht(d[:, None] * x.astype(np.result_type(dtype, np.float32) if np.dtype(dtype).kind != "i"
                                      else np.float64), axis=0, norm="ortho", order=order)
    tol_dt = np.float64 if np.dtype(dtype).kind == "i" else np.dtype(dtype)
    assert_close_in_norm(got, want, fast_tol(tol_dt, 16))


def test_per_row_along_another_axis(path):
    x = np.random.default_rng(7).standard_normal((8, 5))
    got = hd(x, seed=1, per_row=True, offset=16, axis=0)
    idx = np.arange(40, dtype=np.uint64).reshape(5, 8) + np.uint64(16)
    d = rademacher_at(1, idx).T
    assert_close_in_norm(got, (sl.hadamard(8) @ (d * x)) / 8 ** 0.5, fast_tol(np.float64, 8))


def test_input_untouched_and_out(path):
    x = np.random.default_rng(8).standard_normal((2, 32))
    x0 = x.copy()
    out = np.empty_like(x)
    y = hd(x, seed=4, offset=1, out=out)
    assert y is out and np.array_equal(x, x0)
    assert_close_in_norm(out, hd(x, seed=4, offset=1), fast_tol(np.float64, 32))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex128])
def test_out_in_place_overlapping_and_strided(path, dtype):
    """out= is x itself, a view overlapping x, a strided array: every one equals H D x."""
    rng = np.random.default_rng(9)
    x0 = rng.standard_normal((3, 64)).astype(dtype)
    if np.dtype(dtype).kind == "c":
        x0 = x0 + 1j * rng.standard_normal((3, 64))
    d = rademacher_at(6, np.arange(3 * 64, dtype=np.uint64).reshape(3, 64) + np.uint64(2))
    want = (d * x0) @ sl.hadamard(64).T / 8.0
    tol = fast_tol(np.dtype(dtype) if np.dtype(dtype).kind == "f" else np.float64, 64)
    x = x0.copy()                                            # in place: out is x
    assert hd(x, seed=6, per_row=True, offset=2, out=x) is x
    assert_close_in_norm(x, want, tol)
    buf = np.zeros((4, 64), dtype)                           # out overlaps x, shifted by a row
    buf[:3] = x0
    src, dst = buf[:3], buf[1:]
    assert hd(src, seed=6, per_row=True, offset=2, out=dst) is dst
    assert_close_in_norm(dst, want, tol)
    big = np.zeros((3, 128), dtype)                          # strided out
    strided = big[:, ::2]
    assert hd(x0, seed=6, per_row=True, offset=2, out=strided) is strided
    assert_close_in_norm(strided, want, tol)
    with pytest.raises((TypeError, ValueError), match="out"):
        hd(x0, seed=6, out=np.empty((3, 64), np.int16))


def test_offset_errors(path):
    x = np.ones(8)
    with pytest.raises(ValueError, match=r"Argument 'offset' must be in \[0, 2\^64\), not -1"):
        hd(x, seed=1, offset=-1)
    with pytest.raises(TypeError, match="Argument 'offset' must be an integer"):
        hd(x, seed=1, offset=1.5)
    with pytest.raises(ValueError, match="Argument 'offset' applies to seed= only"):
        hd(x, signs=np.ones(8), offset=3)
    with pytest.raises(ValueError, match="Argument 'seed' must be in"):
        hd(x, seed=2 ** 64)


@pytest.mark.parametrize("shape, axis", [((5, 48), -1), ((48, 5), 0), ((6, 8, 3), 1), ((3, 1024), -1),
                                         ((1024, 4), 0), ((4, 3, 16), 0), ((64, 4096), -1)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex128])
def test_one_sign_vector_for_every_row(path, shape, axis, dtype):
    """One D shared by all rows (the C kernel computes its multiplier once per call and
    reuses it per row): seeded and explicit signs agree bit for bit with each other and
    with a dense reference, along every axis, with the H_12 mix and with interleaved columns."""
    rng = np.random.default_rng(13)
    x = rng.standard_normal(shape).astype(dtype)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * rng.standard_normal(shape)
    n = shape[axis]
    d = rademacher(7, n, stream=2)
    got = hd(x, seed=7, stream=2, axis=axis)
    np.testing.assert_array_equal(got, hd(x, signs=d, axis=axis))
    if n & (n - 1) == 0:                      # row vectors: fwht(v) = v @ M
        M = sl.hadamard(n) / np.sqrt(n)
    else:                                     # n = 48: H_12 (x) H_4, checked elsewhere
        M = fwht(np.eye(n), norm="ortho")
    xm = np.moveaxis(x, axis, -1).astype(np.complex128)
    want = np.moveaxis((xm * d) @ M, -1, axis)
    tol = fast_tol(np.float64 if np.dtype(dtype).itemsize >= 8 else np.float32, n)
    assert_close_in_norm(got, want, tol)


@pytest.mark.parametrize("dtype, n", [(np.float32, 1 << 21), (np.float64, 1 << 20)])
@pytest.mark.parametrize("workers", [1, 2])
def test_arrays_beyond_the_caches_get_every_sign(dtype, n, workers):
    """From 8 MiB the kernel's generator also prefetches the next block for the first
    read; the result is still the bare transform of x times the documented signs, bit for
    bit (a sign flip is exact, so both runs make the same float operations)."""
    x = np.random.default_rng(21).standard_normal(n).astype(dtype)
    want = fwht(x * rademacher(5, n, stream=1).astype(dtype), norm="ortho", workers=workers)
    assert np.array_equal(hd(x, seed=5, stream=1, norm="ortho", workers=workers), want)
    y = x.copy()
    hd(y, seed=5, stream=1, norm="ortho", workers=workers, out=y)
    assert np.array_equal(y, want)
