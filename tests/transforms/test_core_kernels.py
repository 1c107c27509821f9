"""The C core (algdiv._core._fwht) against independent references.

References: the dense ``scipy.linalg.hadamard`` matrix (with the sequency /
dyadic row permutations written out here from their definitions) for small n,
a radix-2 numpy butterfly written in this file for large n, and closed forms
(impulse rows, Parseval) at 2^22.  Every test runs on every kernel path the CPU
has (AVX-512, AVX2, portable).
"""
import threading

import numpy as np
import pytest
import scipy.linalg

from algdiv import _core
from algdiv.testing import fast_tol

pytestmark = pytest.mark.skipif(_core.ext is None, reason=f"C core not in use: {_core.reason}")

F = _core.ext
ORDERS = {"natural": 0, "sequency": 1, "dyadic": 2}
PATHS = (["portable"] + (["avx2"] if _core.has_avx2() else [])
         + (["avx512"] if _core.has_avx512() else []))


@pytest.fixture(params=PATHS)
def path(request):
    before = F.path()
    F.set_path(request.param)
    yield request.param
    F.set_path(before)


# --------------------------------------------------------------------------
# independent references
# --------------------------------------------------------------------------
def bitreverse(k, bits):
    r = np.zeros_like(k)
    for b in range(bits):
        r |= ((k >> b) & 1) << (bits - 1 - b)
    return r


def perm_of(n, order):
    """Row permutation: output k is natural output perm[k]."""
    k = np.arange(n)
    bits = n.bit_length() - 1
    if order == "sequency":
        return bitreverse(k ^ (k >> 1), bits)
    if order == "dyadic":
        return bitreverse(k, bits)
    return k


def sign_changes(row):
    return int(np.count_nonzero(np.diff(np.sign(row))))


def radix2(x, axis=-1):
    """Natural-order FWHT by the textbook radix-2 butterfly, in float64/complex128/int64."""
    x = np.moveaxis(np.asarray(x), axis, -1)
    wide = np.complex128 if x.dtype.kind == "c" else (np.int64 if x.dtype.kind in "iu" else np.float64)
    y = np.array(x, dtype=wide, copy=True)
    n = y.shape[-1]
    h = 1
    while h < n:
        v = y.reshape(y.shape[:-1] + (n // (2 * h), 2, h))
        a = v[..., 0, :].copy()
        b = v[..., 1, :].copy()
        v[..., 0, :] = a + b
        v[..., 1, :] = a - b
        h *= 2
    return np.moveaxis(y, -1, axis)


def rand(shape, dtype, rng):
    dtype = np.dtype(dtype)
    if dtype.kind == "i":
        return rng.integers(-1000, 1000, size=shape).astype(dtype)
    if dtype.kind == "c":
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def check(y, ref, dtype, n):
    if np.dtype(dtype).kind == "i":
        assert y.dtype == np.int64
        np.testing.assert_array_equal(y, ref)
    else:
        assert y.dtype == np.dtype(dtype)
        err = np.linalg.norm(y - ref) / max(np.linalg.norm(ref), 1e-300)
        assert err <= fast_tol(dtype, n), err


DTYPES = [np.float32, np.float64, np.complex64, np.complex128, np.int64]


# --------------------------------------------------------------------------
# dense truth, every order / dtype / scale
# --------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("order", list(ORDERS))
def test_dense_every_order(path, dtype, order):
    rng = np.random.default_rng(1)
    for n in [1, 2, 4, 8, 16, 32, 64, 256, 1024]:
        H = scipy.linalg.hadamard(n)[perm_of(n, order)]
        x = rand((3, n), dtype, rng)
        scale = 1.0 if np.dtype(dtype).kind == "i" else 1.0 / np.sqrt(n)
        y = F.execute(x, None, -1, scale, ORDERS[order], 1)
        ref = (x.astype(np.complex128 if np.dtype(dtype).kind == "c" else
                        (np.int64 if np.dtype(dtype).kind == "i" else np.float64)) @ H.T)
        if scale != 1.0:
            ref = ref * scale
        check(y, ref, dtype, n)


def test_sequency_rows_have_k_sign_changes(path):
    n = 64
    y = F.execute(np.eye(n), None, 0, 1.0, ORDERS["sequency"], 1)   # columns: H_seq e_j
    assert [sign_changes(row) for row in y] == list(range(n))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_norms_via_scale(path, dtype):
    rng = np.random.default_rng(2)
    x = rand((5, 128), dtype, rng)
    ref = radix2(x)
    for scale in (1.0, 1 / 128, 1 / np.sqrt(128)):
        check(F.execute(x, None, -1, scale), scale * ref, dtype, 128)


# --------------------------------------------------------------------------
# batches, axes, layouts
# --------------------------------------------------------------------------
LAYOUTS = [
    ((3, 8, 5), 1), ((4, 32, 2), 1), ((2, 3, 64), -1), ((64, 3), 0), ((16, 7), 0),
    ((5, 1), 1), ((7, 2), -1), ((9, 4), 1), ((33, 8), 1), ((2, 4096), -1), ((3, 512, 6), 1),
    ((2, 2, 2, 2), 2),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,axis", LAYOUTS)
def test_batches_and_axes(path, dtype, shape, axis):
    rng = np.random.default_rng(3)
    x = rand(shape, dtype, rng)
    n = shape[axis]
    for order, code in ORDERS.items():
        y = F.execute(x, None, axis, 1.0, code, 1)
        ref = np.take(radix2(x, axis), perm_of(n, order), axis=axis)
        check(y, ref, dtype, n)


@pytest.mark.parametrize("dtype", [np.float32, np.complex128, np.int64])
def test_strided_and_fortran_inputs(path, dtype):
    rng = np.random.default_rng(4)
    base = rand((64, 48), dtype, rng)
    views = [
        (np.asfortranarray(base), 0),
        (base[:, :32], 1),
        (base[::2], 0),
        (base[:, ::3], 1),
        (base[::-1], 0),
        (base.T[:32], 0),
    ]
    for v, axis in views:
        keep = v.copy()
        y = F.execute(v, None, axis, 1.0, 1, 1)
        ref = np.take(radix2(v, axis), perm_of(v.shape[axis], "sequency"), axis=axis)
        check(y, ref, dtype, v.shape[axis])
        np.testing.assert_array_equal(v, keep)          # never modified
        assert y.flags.c_contiguous


def test_unaligned_and_readonly_input(path):
    rng = np.random.default_rng(5)
    raw = np.zeros(8 * 256 + 1, dtype=np.uint8)
    x = np.frombuffer(raw.data, dtype=np.float64, count=256, offset=1)   # misaligned view
    assert not x.flags.aligned
    vals = rng.standard_normal(256)
    raw[1:].view(np.uint8)[:] = np.frombuffer(vals.tobytes(), dtype=np.uint8)
    check(F.execute(x), radix2(vals), np.float64, 256)
    ro = rng.standard_normal(512)
    ro.setflags(write=False)
    check(F.execute(ro), radix2(ro), np.float64, 512)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64, np.int64])
def test_in_place_and_out(path, dtype):
    rng = np.random.default_rng(6)
    x = rand((6, 1 << 12), dtype, rng)
    ref = radix2(x)
    keep = x.copy()
    out = np.empty_like(x)
    r = F.execute(x, out)
    assert r is out
    np.testing.assert_array_equal(x, keep)             # out of place: input untouched
    check(out, ref, dtype, 1 << 12)
    y = x.copy()
    r = F.execute(y, y)                                # in place
    assert r is y
    check(y, ref, dtype, 1 << 12)
    with pytest.raises(ValueError, match="out"):
        F.execute(x, np.empty((6, 10), dtype))
    with pytest.raises(ValueError, match="out"):
        F.execute(x, np.empty_like(x, order="F"))


def test_overlapping_out_is_never_misread(path):
    rng = np.random.default_rng(7)
    buf = rng.standard_normal(2048 + 16)
    x = buf[16:].copy()
    src = buf[16:]                     # partial overlap with out below
    out = buf[:2048]
    ref = radix2(x)
    F.execute(src, out)
    check(out, ref, np.float64, 2048)


# --------------------------------------------------------------------------
# long vectors, the blocked schedule, threads
# --------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64])
@pytest.mark.parametrize("shape", [(1 << 17,), (3, 1 << 15), (1 << 16, 2), (2, 1 << 14, 3)])
def test_blocked_schedule(path, dtype, shape):
    rng = np.random.default_rng(8)
    x = rand(shape, dtype, rng)
    axis = 1 if len(shape) == 3 else (0 if shape[-1] <= 3 else -1)
    n = shape[axis]
    for order in ("natural", "dyadic"):
        y1 = F.execute(x, None, axis, 1.0, ORDERS[order], 1)
        y2 = F.execute(x, None, axis, 1.0, ORDERS[order], 2)
        ref = np.take(radix2(x, axis), perm_of(n, order), axis=axis)
        check(y1, ref, dtype, n)
        np.testing.assert_array_equal(y1, y2)          # threads change no arithmetic


def test_long_vector_2_22(path):
    """2^22 float32: radix-2 reference, impulses (closed form), linearity, Parseval."""
    n = 1 << 22
    rng = np.random.default_rng(9)
    x = rng.standard_normal(n).astype(np.float32)
    ref = radix2(x)
    for w in (1, 2):
        check(F.execute(x, None, -1, 1.0, 0, w), ref, np.float32, n)
    # impulse e_j -> column j of H: (-1)^popcount(i & j)
    j = 0b1011001110001011001
    e = np.zeros(n, dtype=np.float32)
    e[j] = 1
    i = np.arange(n)
    par = np.zeros(n, dtype=np.int64)
    v = i & j
    while v.any():
        par ^= v & 1
        v >>= 1
    np.testing.assert_array_equal(F.execute(e, None, -1, 1.0, 0, 2), 1 - 2 * par)
    # Parseval (orthonormal scale) and linearity in float64
    xd = rng.standard_normal(n)
    yd = F.execute(xd, None, -1, 1 / np.sqrt(n), 0, 2)
    assert abs(np.linalg.norm(yd) / np.linalg.norm(xd) - 1) < 1e-13
    zd = rng.standard_normal(n)
    lin = F.execute(2 * xd - 3 * zd, None, -1, 1 / np.sqrt(n), 0, 2)
    ref = 2 * yd - 3 * F.execute(zd, None, -1, 1 / np.sqrt(n), 0, 1)
    assert np.linalg.norm(lin - ref) <= fast_tol(np.float64, n) * np.linalg.norm(ref)


def test_workers_argument(path):
    x = np.random.default_rng(10).standard_normal((4, 1 << 16))
    y = F.execute(x, None, -1, 1.0, 0, -1)
    np.testing.assert_array_equal(y, F.execute(x, None, -1, 1.0, 0, 1))
    np.testing.assert_array_equal(y, F.wht(x, 1.0, None))
    np.testing.assert_array_equal(y, F.wht(x, 1.0, 2))
    with pytest.raises(ValueError, match="workers"):
        F.wht(x, 1.0, 0)
    with pytest.raises(TypeError, match="workers"):
        F.wht(x, 1.0, "two")


def test_concurrent_calls_are_thread_safe(path):
    rng = np.random.default_rng(11)
    xs = [rng.standard_normal((2, 1 << 17)).astype(np.float32) for _ in range(4)]
    refs = [F.execute(x, None, -1, 1.0, 2, 1) for x in xs]
    got = [None] * 4

    def work(k):
        for _ in range(3):
            got[k] = F.execute(xs[k], None, -1, 1.0, 2, 2)

    th = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in th:
        t.start()
    for t in th:
        t.join()
    for g, r in zip(got, refs):
        np.testing.assert_array_equal(g, r)


# --------------------------------------------------------------------------
# lengths m 2^k
# --------------------------------------------------------------------------
@pytest.mark.parametrize("m", [12, 20, 28])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex128, np.int64])
def test_m_times_power_of_two(path, m, dtype):
    from algdiv.transforms import paley_hadamard

    Hm = paley_hadamard(m)
    rng = np.random.default_rng(12)
    for K, batch in [(1, 3), (4, 2), (64, 2), (1 << 15, 1)]:
        x = rand((batch, m * K), dtype, rng)
        y = F.execute(x, None, -1, 1.0, 0, 2, None, None, 0, Hm.astype(np.int8))
        z = radix2(x.reshape(batch, m, K), -1)                  # H_K on the 2^k axis
        ref = np.einsum("ab,rbk->rak", Hm, z).reshape(batch, m * K)
        check(y, ref, dtype, m * K)
        if K <= 4:                                               # dense Kronecker product
            dense = np.kron(Hm, scipy.linalg.hadamard(K))
            wide = np.int64 if np.dtype(dtype).kind == "i" else np.complex128
            check(y, x.astype(wide) @ dense.T, dtype, m * K)
    xt = rand((2, 5, m * 4), np.float64, rng)
    y = F.execute(xt, None, 2, 0.5, 0, 1, None, None, 0, Hm.T.astype(np.int8))
    ref = 0.5 * np.einsum("ba,rsbk->rsak", Hm, radix2(xt.reshape(2, 5, m, 4), -1)).reshape(xt.shape)
    check(y, ref, np.float64, m * 4)


# --------------------------------------------------------------------------
# hd: the sign diagonal, given or generated in the kernel
# --------------------------------------------------------------------------
def test_kernel_generator_matches_rademacher_bit_for_bit():
    from algdiv.transforms import rademacher, rademacher_at

    np.testing.assert_array_equal(
        F.rademacher(3, 0, 0, 16), [-1, -1, -1, -1, -1, -1, -1, -1, 1, -1, 1, 1, -1, 1, 1, -1])
    np.testing.assert_array_equal(F.rademacher(0, 0, 0, 8), [-1, -1, 1, -1, -1, 1, -1, 1])
    for seed, stream in [(0, 0), (1, 7), (2**64 - 1, 2**64 - 1), (123456789, 3)]:
        np.testing.assert_array_equal(F.rademacher(seed, stream, 0, 4096),
                                      rademacher(seed, 4096, stream))
        idx = np.array([0, 1, 2**40, 2**63, 2**64 - 2], dtype=np.uint64)
        got = np.array([F.rademacher(seed, stream, int(i), 1)[0] for i in idx])
        np.testing.assert_array_equal(got, rademacher_at(seed, idx, stream))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64, np.int64])
def test_hd_seeded_and_given_signs(path, dtype):
    from algdiv.transforms import rademacher

    rng = np.random.default_rng(13)
    for shape in [(3, 8), (2, 1 << 12), (1 << 16,), (2, 1 << 15)]:
        n = shape[-1]
        x = rand(shape, dtype, rng)
        d = rademacher(42, n, 5)
        scale = 1.0 if np.dtype(dtype).kind == "i" else 1 / np.sqrt(n)
        ref = radix2(x * d) * scale
        check(F.execute(x, None, -1, scale, 0, 2, None, 42, 5), ref, dtype, n)
        check(F.execute(x, None, -1, scale, 0, 1, d), ref, dtype, n)
        check(F.hd(x, d, scale, None), ref, dtype, n)
        # one row of signs per row: flat C-order index row * n + i
        D = rademacher(9, shape, 0)
        refr = radix2(x * D) * scale
        check(F.execute(x, None, -1, scale, 0, 2, None, 9, 0, None, True), refr, dtype, n)
        check(F.hd(x, D, scale, 1), refr, dtype, n)


def test_hd_along_middle_axis_and_m_lengths(path):
    from algdiv.transforms import paley_hadamard, rademacher

    rng = np.random.default_rng(14)
    x = rng.standard_normal((3, 16, 5))
    d = rademacher(1, 16)
    ref = radix2(x * d[:, None], 1)
    check(F.execute(x, None, 1, 1.0, 0, 1, None, 1, 0), ref, np.float64, 16)
    m, K = 12, 8
    x = rng.standard_normal((2, m * K))
    d = rademacher(4, m * K)
    y = F.execute(x, None, -1, 1.0, 0, 1, None, 4, 0, paley_hadamard(m).astype(np.int8))
    ref = (x * d) @ np.kron(paley_hadamard(m), scipy.linalg.hadamard(K)).T
    check(y, ref, np.float64, m * K)


# --------------------------------------------------------------------------
# exactness, NaN, errors
# --------------------------------------------------------------------------
def test_int64_exact_near_the_limit(path):
    n = 1 << 16
    rng = np.random.default_rng(15)
    x = rng.integers(-(2**46), 2**46, size=(2, n), dtype=np.int64)   # |y| < 2^62
    y = F.execute(x, None, -1, 1.0, 1, 2)
    ref = np.take(radix2(x), perm_of(n, "sequency"), axis=-1)
    np.testing.assert_array_equal(y, ref)
    assert int(y[0, 0]) == sum(int(v) for v in x[0])                 # exact python-int sum


def test_nan_stays_in_its_row(path):
    x = np.random.default_rng(16).standard_normal((4, 1 << 15)).astype(np.float32)
    x[2, 12345] = np.nan
    y = F.execute(x, None, -1, 1.0, 0, 2)
    assert np.isnan(y[2]).all()
    assert np.isfinite(np.delete(y, 2, axis=0)).all()


def test_errors_name_the_argument():
    x = np.ones(12)
    with pytest.raises(ValueError, match="power of 2"):
        F.execute(x)
    with pytest.raises(ValueError, match="'hm'"):
        F.execute(x, None, -1, 1.0, 0, 1, None, None, 0, np.ones((5, 5), np.int8))
    with pytest.raises(ValueError, match="'axis'"):
        F.execute(np.ones((4, 4)), None, 2)
    with pytest.raises(TypeError, match="'x'"):
        F.execute(np.ones(4, dtype=np.int32))
    with pytest.raises(TypeError, match="'x'"):
        F.wht([1.0, 2.0], 1.0, None)
    with pytest.raises(ValueError, match="'scale'"):
        F.execute(np.ones(4, dtype=np.int64), None, -1, 0.5)
    with pytest.raises(ValueError, match="'signs'"):
        F.execute(np.ones(8), None, -1, 1.0, 0, 1, np.ones(3, np.int8))
    with pytest.raises(ValueError, match="'seed'"):
        F.execute(np.ones(8), None, -1, 1.0, 0, 1, None, -1)
    with pytest.raises(ValueError, match="'order'"):
        F.execute(np.ones(8), None, -1, 1.0, 7)
    with pytest.raises(ValueError, match="set_path|available"):
        F.set_path("sse9")


def test_empty_and_length_one(path):
    assert F.wht(np.zeros((0, 8), np.float32), 1.0, None).shape == (0, 8)
    np.testing.assert_array_equal(F.wht(np.array([[3.0], [4.0]]), 0.5, None), [[1.5], [2.0]])


def test_pass_2_runs_of_strips_any_worker_count(path):
    """A batch of long rows (pass 2 split into runs of strips that cross row boundaries),
    16 bytes off a 64-byte boundary as numpy's large arrays are: every worker count gives
    the radix-2 reference, bit-identical to one worker."""
    rows, n = 3, 1 << 21
    buf = np.random.default_rng(23).standard_normal(rows * n + 16).astype(np.float32)
    off = ((16 - buf.ctypes.data % 64) % 64) // 4
    x = buf[off:off + rows * n].reshape(rows, n)
    assert x.ctypes.data % 64 == 16
    ref = radix2(x)
    y1 = F.execute(x, None, -1, 1.0, 0, 1)
    check(y1, ref, np.float32, n)
    for w in (2, 3, 5):
        np.testing.assert_array_equal(F.execute(x, None, -1, 1.0, 0, w), y1)
        z = x.copy()
        F.execute(z, z, -1, 1.0, 0, w)                 # in place
        np.testing.assert_array_equal(z, y1)


def _at_offset(values, off):
    """A copy of ``values`` whose data start ``off`` bytes past a 64-byte boundary."""
    it = values.dtype.itemsize
    buf = np.empty(values.size + 128 // it, values.dtype)
    start = ((off - buf.ctypes.data % 64) % 64) // it
    x = buf[start:start + values.size].reshape(values.shape)
    x[...] = values
    assert x.ctypes.data % 64 == off
    return x


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("blocks_per_row", [4, 16])     # pass 2 with R = 4 rows in place, R = 16 gathered
def test_pass_2_strips_at_every_misalignment(path, dtype, blocks_per_row):
    """Pass 2 starts its strips on the rows' 64-byte boundaries, after a partial strip of
    the columns before it: for every offset an array can have, in place, the result is bit
    for bit that of an aligned array (the same butterflies per column), which matches the
    radix-2 reference; one and two workers, the seeded hd and a two-block chain too."""
    it = np.dtype(dtype).itemsize
    n = blocks_per_row * _core.ext.L2_BLOCK_BYTES // it
    v = np.random.default_rng(blocks_per_row).standard_normal(n).astype(dtype)
    aligned = _at_offset(v, 0)
    want = F.execute(aligned, None, -1, 1.0, 0, 1)
    check(want, radix2(v), dtype, n)
    want_hd = F.execute(aligned, None, -1, 0.5, 0, 1, None, 3, 1)
    want_chain = F.execute(aligned, None, -1, 0.5, 0, 1, None, 3, 1, None, False, 0, 2)
    for off in range(it, 64, it):
        for workers in (1, 2):
            x = _at_offset(v, off)
            F.execute(x, x, -1, 1.0, 0, workers)
            np.testing.assert_array_equal(x, want, err_msg=f"offset {off}, {workers} workers")
        x = _at_offset(v, off)
        F.execute(x, x, -1, 0.5, 0, 2, None, 3, 1)
        np.testing.assert_array_equal(x, want_hd, err_msg=f"hd, offset {off}")
        x = _at_offset(v, off)
        F.execute(x, x, -1, 0.5, 0, 2, None, 3, 1, None, False, 0, 2)
        np.testing.assert_array_equal(x, want_chain, err_msg=f"chain, offset {off}")


def test_streaming_store_pass_2_24(path):
    """2^24 float32 (64 MiB: the pass with streaming stores) against the Kronecker
    identity H_{2^24} = H_{2^12} (x) H_{2^12}: rows, then columns, of the 4096 x 4096 view."""
    n = 1 << 24
    x = np.random.default_rng(17).standard_normal(n).astype(np.float32)
    X = x.reshape(4096, 4096).astype(np.float64)
    ref = F.execute(F.execute(X, None, 1), None, 0).reshape(-1)    # short rows, then columns
    y = F.execute(x, None, -1, 1.0, 0, 2)
    assert np.linalg.norm(y - ref) <= fast_tol(np.float32, n) * np.linalg.norm(ref)
    F.execute(x, x, -1, 1.0, 0, 1)                                 # in place
    np.testing.assert_array_equal(x, y)
