"""The seeded chain y = (H D_{b-1}/sqrt(n)) ... (H D_0/sqrt(n)) x of one C call.

Rows longer than the level-2 block run the merged schedule ([D_0 P1] [P2 D_1 P2]
[P1 D_2 P1] ... : the halves of neighbouring blocks share a pass); everything
else runs block after block.  Both are checked against a float64 numpy radix-2
butterfly with the signs of ``rademacher`` (no C code on the reference side),
on every kernel path the CPU has, and against the public ``hd`` composed.
"""
import numpy as np
import pytest
import scipy.linalg

from algdiv import _core
from algdiv.rotations import structured_rotation
from algdiv.transforms import hd, rademacher
from algdiv.transforms._random import hd_chain

pytestmark = pytest.mark.skipif(_core.ext is None, reason=f"C core not in use: {_core.reason}")

F = _core.ext
PATHS = ["portable"] + (["avx2"] if _core.has_avx2() else []) + (["avx512"] if _core.has_avx512() else [])


def np_fwht(a, axis=-1):
    """Unnormalised Sylvester FWHT along ``axis`` in float64 / complex128: H_n = H_a kron H_b
    kron ..., factors of order <= 256 as dense ``scipy.linalg.hadamard`` matrices."""
    a = np.moveaxis(np.asarray(a, dtype=np.result_type(a.dtype, np.float64)), axis, -1)
    n = a.shape[-1]
    k = n.bit_length() - 1
    sizes = [8] * (k // 8) + ([k % 8] if k % 8 else [])
    t = a.reshape(a.shape[:-1] + tuple(1 << s for s in sizes))
    for i, s in enumerate(sizes):
        ax = a.ndim - 1 + i
        t = np.moveaxis(np.tensordot(t, scipy.linalg.hadamard(1 << s).astype(np.float64), axes=([ax], [0])),
                        -1, ax)
    return np.moveaxis(t.reshape(a.shape), -1, axis)


def chain_reference(x, seed, blocks, stream=0, axis=-1, scale=None):
    n = x.shape[axis]
    s = n ** -0.5 if scale is None else scale
    shape = [1] * x.ndim
    shape[axis] = n
    y = np.asarray(x, dtype=np.result_type(x.dtype, np.float64))
    for j in range(blocks):
        y = np_fwht(y * rademacher(seed, n, stream=stream + j).reshape(shape), axis) * s
    return y


def _execute(path, x, blocks, seed=5, stream=0, axis=-1, scale=None, workers=2, explicit=False):
    """The chain on kernel ``path``: signs generated from (seed, stream + j), or read from
    the (blocks, n) int8 array of those same signs (``explicit=True``), or from them packed
    8 to a byte (``explicit="bits"``)."""
    before = F.path()
    F.set_path(path)
    try:
        n = x.shape[axis]
        s = n ** -0.5 if scale is None else scale
        if explicit:
            signs = np.stack([rademacher(seed, n, stream=stream + j) for j in range(blocks)])
            if explicit == "bits":
                bits = np.packbits(signs < 0, axis=1, bitorder="little")
                return F.execute(x, None, axis, s, 0, workers, None, None, 0, None, False, 0,
                                 blocks, bits)
            return F.execute(x, None, axis, s, 0, workers, signs, None, 0, None, False, 0, blocks)
        return F.execute(x, None, axis, s, 0, workers, None, seed, stream, None, False, 0, blocks)
    finally:
        F.set_path(before)


def _tol(dtype, n, blocks):
    eps = np.finfo(np.dtype(dtype).type(0).real.dtype).eps
    return 8 * eps * np.log2(n) * blocks


L2E32 = _core.ext.L2_BLOCK_BYTES // 4      # float32 elements of a level-2 block on this host


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64])
@pytest.mark.parametrize("rows_per_block", [4, 16])        # pass 2 with R <= 8 rows, and R > 8
@pytest.mark.parametrize("blocks", [2, 3, 4])
def test_long_rows_merged_schedule(dtype, rows_per_block, blocks):
    itemsize = np.dtype(dtype).itemsize // (2 if np.dtype(dtype).kind == "c" else 1)
    n = rows_per_block * _core.ext.L2_BLOCK_BYTES // itemsize
    rng = np.random.default_rng(blocks)
    x = rng.standard_normal(n)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * rng.standard_normal(n)
    x = x.astype(dtype)
    before = x.copy()
    ref = chain_reference(x, 11, blocks, stream=2)
    got = {}
    for path in PATHS:
        got[path] = y = _execute(path, x, blocks, seed=11, stream=2)
        assert y.dtype == x.dtype and np.array_equal(x, before)
        err = np.linalg.norm(y - ref) / np.linalg.norm(ref)
        assert err < _tol(dtype, n, blocks), (path, err)
    if "avx512" in got:     # the same butterflies in the same order as AVX2
        assert np.array_equal(got["avx512"], got["avx2"])
    # the same signs read from an int8 array or packed bits: the same multipliers, the same bits
    for explicit in (True, "bits"):
        assert np.array_equal(_execute(PATHS[-1], x, blocks, seed=11, stream=2, explicit=explicit),
                              got[PATHS[-1]])


@pytest.mark.parametrize("shape,axis", [((2, 8 * L2E32), -1),       # a batch of long rows, merged
                                        ((3, 1 << 12), -1),         # short rows, block after block
                                        ((4, 1 << 17), -1),
                                        ((8, 2 * L2E32), 0),        # columns c = 2 L2E > L2E, merged
                                        ((1 << 10, 1 << 9), 0),     # c = 512 columns, merged
                                        ((5, 1 << 10, 3), 1)])      # c = 3: the general kernel
def test_batches_and_axes(shape, axis):
    x = np.random.default_rng(7).standard_normal(shape).astype(np.float32)
    ref = chain_reference(x, 3, 3, axis=axis)
    for path in PATHS:
        y = _execute(path, x, 3, seed=3, axis=axis)
        err = np.linalg.norm(y - ref) / np.linalg.norm(ref)
        assert err < _tol(np.float32, shape[axis], 3), (path, err)
        assert np.array_equal(_execute(path, x, 3, seed=3, axis=axis, explicit=True), y)
        if shape[axis] % 8 == 0:
            assert np.array_equal(_execute(path, x, 3, seed=3, axis=axis, explicit="bits"), y)


@pytest.mark.parametrize("shape,axis", [((8 * L2E32,), -1),            # long rows: merged passes
                                        ((2, 4 * L2E32), -1),
                                        ((3, 1 << 12), -1),             # short rows
                                        ((1 << 9, 8), 0),               # columns c = 8
                                        ((5, 1 << 6, 3), 1)])           # c = 3: the general kernel
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64])
@pytest.mark.parametrize("blocks", [1, 2, 3])
def test_trailing_diagonal(shape, axis, dtype, blocks):
    """``trailing``: the chain of b blocks, then the unscaled diagonal of row b of the
    signs (b + 1 rows given), against the float64 reference; int8 and packed rows give the
    same bits, and so do the kernel paths (AVX-512 and AVX2 bit for bit)."""
    n = shape[axis]
    rng = np.random.default_rng(n + blocks)
    x = rng.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * rng.standard_normal(shape)
    x = x.astype(dtype)
    before = x.copy()
    signs = np.where(rng.random((blocks + 1, n)) < 0.5, -1, 1).astype(np.int8)
    bits = np.packbits(signs < 0, axis=1, bitorder="little")
    bshape = [1] * x.ndim
    bshape[axis] = n
    ref = np.asarray(x, dtype=np.result_type(x.dtype, np.float64))
    for j in range(blocks):
        ref = np_fwht(ref * signs[j].reshape(bshape), axis) * n ** -0.5
    ref = ref * signs[blocks].reshape(bshape)
    got = {}
    for path in PATHS:
        before_path = F.path()
        F.set_path(path)
        try:
            got[path] = y = F.execute(x, None, axis, n ** -0.5, 0, 2, signs, None, 0, None, False, 0,
                                      blocks, None, True)
            if n % 8 == 0:
                yb = F.execute(x, None, axis, n ** -0.5, 0, 2, None, None, 0, None, False, 0, blocks,
                               bits, True)
                assert np.array_equal(yb, y), path
        finally:
            F.set_path(before_path)
        assert y.dtype == x.dtype and np.array_equal(x, before)
        err = np.linalg.norm(y - ref) / np.linalg.norm(ref)
        assert err < _tol(dtype, n, blocks + 1), (path, err)
    if "avx512" in got:
        assert np.array_equal(got["avx512"], got["avx2"])


@pytest.mark.parametrize("path", PATHS)
def test_int64_packed_rows_are_exact(path):
    """int64 input with packed rows (the sign flip is a negation there): exactly the int8
    rows' result and the exact integer reference, for one block, a batch and a chain of
    long rows with its trailing row."""
    rng = np.random.default_rng(41)
    l2e = _core.ext.L2_BLOCK_BYTES // 8
    for shape, blocks in (((1 << 12,), 1), ((3, 1 << 10), 1), ((4 * l2e,), 2)):
        n = shape[-1]
        signs = np.where(rng.random((blocks + 1, n)) < 0.5, -1, 1).astype(np.int8)
        bits = np.packbits(signs < 0, axis=1, bitorder="little")
        x = rng.integers(-3, 4, size=shape).astype(np.int64)
        ref = x.astype(np.float64)
        for j in range(blocks):
            ref = np_fwht(ref * signs[j])
        ref = (ref * signs[blocks]).astype(np.int64)       # exact: |values| < 2^53
        before = F.path()
        F.set_path(path)
        try:
            want = F.execute(x, None, -1, 1.0, 0, 2, signs, None, 0, None, False, 0, blocks, None, True)
            got = F.execute(x, None, -1, 1.0, 0, 2, None, None, 0, None, False, 0, blocks, bits, True)
        finally:
            F.set_path(before)
        np.testing.assert_array_equal(want, ref, err_msg=f"{shape} int8 rows")
        np.testing.assert_array_equal(got, ref, err_msg=f"{shape} packed rows")


def test_block_by_block_path_reads_the_given_rows():
    """Dtypes the core does not take (byte-swapped, float16) run block after block with
    ``hd``: the given rows, int8 or packed (unpacked there), and the trailing row."""
    n = 64
    rng = np.random.default_rng(5)
    signs = np.where(rng.random((3, n)) < 0.5, -1, 1).astype(np.int8)
    bits = np.packbits(signs < 0, axis=1, bitorder="little")
    x = rng.standard_normal((2, n))
    ref = x
    for j in range(2):
        ref = np_fwht(ref * signs[j]) * n ** -0.5
    for rows, packed in ((signs, None), (None, bits)):
        y = hd_chain(x.astype(">f8"), 0, 2, signs=rows, sign_bits=packed, trailing=True)
        np.testing.assert_allclose(y, ref * signs[2], atol=1e-12)
        y = hd_chain(x.astype(">f8"), 0, 2, signs=None if rows is None else rows[:2],
                     sign_bits=None if packed is None else packed[:2])
        np.testing.assert_allclose(y, ref, atol=1e-12)


def test_trailing_needs_its_row():
    x = np.ones(16)
    with pytest.raises(ValueError, match="'trailing' needs the rows"):
        F.execute(x, None, -1, 1.0, 0, 1, None, 3, 0, None, False, 0, 2, None, True)
    with pytest.raises(ValueError, match=r"'signs' must hold \(blocks \+ 1\) \* n = 3 \* 16"):
        F.execute(x, None, -1, 1.0, 0, 1, np.ones(32, np.int8), None, 0, None, False, 0, 2, None, True)
    with pytest.raises(ValueError, match="'sign_bits' must hold 3 rows of n / 8 = 2 bytes"):
        F.execute(x, None, -1, 1.0, 0, 1, None, None, 0, None, False, 0, 2, np.zeros(4, np.uint8), True)
    with pytest.raises(ValueError, match="'trailing' needs the rows"):
        hd_chain(x, 3, 2, trailing=True)


def test_one_worker_equals_two_bit_for_bit():
    x = np.random.default_rng(8).standard_normal(16 * L2E32).astype(np.float32)
    one = F.execute(x, None, -1, 0.5, 0, 1, None, 9, 0, None, False, 0, 2)
    two = F.execute(x, None, -1, 0.5, 0, 2, None, 9, 0, None, False, 0, 2)
    assert np.array_equal(one, two)


def test_hd_chain_equals_hd_composed_and_the_rotation():
    n = 8 * L2E32
    x = np.random.default_rng(9).standard_normal((2, n))
    y = hd_chain(x, 13, 2)
    composed = hd(hd(x, seed=13, stream=0), seed=13, stream=1)
    assert np.linalg.norm(y - composed) / np.linalg.norm(x) < 1e-13
    r = structured_rotation(n, 2, seed=13)
    assert np.array_equal(r.apply(x), y)
    assert np.linalg.norm(r.inverse(y) - x) / np.linalg.norm(x) < 1e-13


@pytest.mark.parametrize("path", PATHS)
def test_packed_sign_rows_at_every_bit_offset(path):
    """Packed signs equal the int8 signs bit for bit, one block (hd) and two (the chain),
    in place on arrays at several offsets from a cache line: the strips of pass 2 then start
    at element offsets that are not multiples of 8, so their runs of signs start inside a
    byte.  float32 and float64, short and long rows, batches (one period of multipliers
    shared by the rows) and single rows (the first read takes whole words of signs)."""
    for n, rows in ((1 << 6, 5), (1 << 12, 3), (1 << 6, 1), (1 << 12, 1), (1 << 16, 1),
                    (8 * L2E32, 1)):
        for blocks in (1, 2):
            signs = np.stack([rademacher(21, n, stream=j) for j in range(blocks)]).astype(np.int8)
            bits = np.packbits(signs < 0, axis=1, bitorder="little")
            for dtype in (np.float32, np.float64):
                it = np.dtype(dtype).itemsize
                v = np.random.default_rng(n).standard_normal((rows, n)).astype(dtype)
                want = F.execute(v, None, -1, 0.25, 0, 2, signs, None, 0, None, False, 0, blocks)
                for off in (0, it, 3 * it, 5 * it):
                    buf = np.empty(v.size + 64 // it, dtype)
                    start = ((off - buf.ctypes.data % 64) % 64) // it
                    x = buf[start:start + v.size].reshape(v.shape)
                    x[...] = v
                    before = F.path()
                    F.set_path(path)
                    try:
                        F.execute(x, x, -1, 0.25, 0, 2, None, None, 0, None, False, 0, blocks, bits)
                    finally:
                        F.set_path(before)
                    np.testing.assert_array_equal(
                        x, want, err_msg=f"n={n} blocks={blocks} {dtype.__name__} off {off}")


@pytest.mark.parametrize("path", PATHS)
def test_packed_rows_at_any_address(path):
    """The packed rows may start at any byte address (a view into a larger buffer): the
    first read takes them as whole words wherever they lie, the same bits as an aligned
    copy and as the int8 rows."""
    for n in (1 << 12, 8 * L2E32):
        signs = np.stack([rademacher(31, n, stream=j) for j in range(3)]).astype(np.int8)
        bits = np.packbits(signs < 0, axis=1, bitorder="little")
        x = np.random.default_rng(n).standard_normal(n).astype(np.float32)
        before = F.path()
        F.set_path(path)
        try:
            want = F.execute(x, None, -1, 0.5, 0, 2, signs, None, 0, None, False, 0, 2, None, True)
            for off in (1, 3, 5):
                raw = np.zeros(bits.size + 8, np.uint8)
                odd = raw[off:off + bits.size]
                odd[:] = bits.ravel()
                got = F.execute(x, None, -1, 0.5, 0, 2, None, None, 0, None, False, 0, 2, odd, True)
                np.testing.assert_array_equal(got, want, err_msg=f"n={n} offset {off}")
        finally:
            F.set_path(before)


@pytest.mark.parametrize("n", [8, 1 << 12, 1 << 22])
def test_rotation_with_packed_rows_equals_the_seeded_chain(n):
    """From d = 8 the rotation hands the kernel its packed sign rows."""
    r = structured_rotation(n, 3, seed=17)
    assert r._sign_bits is not None and r._sign_bits.shape == (3, n // 8)
    x = np.random.default_rng(10).standard_normal(n).astype(np.float32)
    assert np.array_equal(r.apply(x), hd_chain(x, 17, 3))


def test_blocks_needs_signs_and_is_positive():
    x = np.ones(8)
    with pytest.raises(ValueError, match="'blocks'"):
        F.execute(x, None, -1, 1.0, 0, 1, None, None, 0, None, False, 0, 2)
    with pytest.raises(ValueError, match="'blocks'"):
        F.execute(x, None, -1, 1.0, 0, 1, None, 1, 0, None, False, 0, 0)
    with pytest.raises(ValueError, match="'signs' must hold blocks \\* n = 2 \\* 8"):
        F.execute(x, None, -1, 1.0, 0, 1, np.ones(8, np.int8), None, 0, None, False, 0, 2)
    with pytest.raises(ValueError, match="'sign_bits' must hold 2 rows of n / 8 = 1 bytes"):
        F.execute(x, None, -1, 1.0, 0, 1, None, None, 0, None, False, 0, 2, np.zeros(1, np.uint8))
    with pytest.raises(ValueError, match="'sign_bits' needs n a multiple of 8"):
        F.execute(np.ones(4), None, -1, 1.0, 0, 1, None, None, 0, None, False, 0, 1,
                  np.zeros(1, np.uint8))
