"""empty_aligned: alignment, shape, dtype, writes, and its argument checks."""
import numpy as np
import pytest

from algdiv.transforms import empty_aligned, fwht


@pytest.mark.parametrize("shape", [0, 1, 7, (3, 5), (2, 0, 4), [4, 1024], (1 << 16,)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex128, np.int8, "f2"])
@pytest.mark.parametrize("align", [1, 16, 64, 4096])
def test_aligned_shape_dtype(shape, dtype, align):
    a = empty_aligned(shape, dtype, align=align)
    want = (shape,) if isinstance(shape, int) else tuple(shape)
    assert a.shape == want and a.dtype == np.dtype(dtype)
    assert a.flags.c_contiguous and a.flags.writeable and a.flags.aligned
    assert a.ctypes.data % align == 0 or a.size == 0
    a[...] = 3                              # every byte is ours to write
    assert (a == 3).all()


def test_in_place_fwht_on_an_aligned_array_matches_scipy():
    import scipy.linalg as sl
    x = empty_aligned((3, 256), np.float32)
    x[...] = np.random.default_rng(0).standard_normal((3, 256))
    want = x.astype(np.float64) @ sl.hadamard(256)
    y = fwht(x, out=x)
    assert y is x
    assert np.abs(x - want).max() <= 1e-4 * np.abs(want).max()


def test_arrays_do_not_share_memory():
    a, b = empty_aligned(1000), empty_aligned(1000)
    assert not np.may_share_memory(a, b)


@pytest.mark.parametrize("kw, err, msg", [
    (dict(shape=-1), ValueError, "Argument 'shape' must hold non-negative sizes"),
    (dict(shape=(2, -3)), ValueError, "Argument 'shape' must hold non-negative sizes"),
    (dict(shape=2.0), TypeError, "Argument 'shape' must be an int or a tuple of ints, not float"),
    (dict(shape=True), TypeError, "Argument 'shape' must be an int or a tuple of ints, not bool"),
    (dict(shape=(2, "3")), TypeError, "Argument 'shape' must hold only ints"),
    (dict(shape=(2, True)), TypeError, "Argument 'shape' must hold only ints"),
    (dict(shape=4, dtype="no such type"), TypeError, "Argument 'dtype' must be a numpy data type"),
    (dict(shape=4, dtype=object), TypeError, "Argument 'dtype' must be a fixed-size type"),
    (dict(shape=4, dtype="U"), TypeError, "Argument 'dtype' must be a fixed-size type"),
    (dict(shape=4, align=48), ValueError, "Argument 'align' must be a power of 2 from 1 to 4096, not 48"),
    (dict(shape=4, align=0), ValueError, "Argument 'align' must be a power of 2"),
    (dict(shape=4, align=8192), ValueError, "Argument 'align' must be a power of 2"),
    (dict(shape=4, align=64.0), TypeError, "Argument 'align' must be an int, not float"),
    (dict(shape=4, align=True), TypeError, "Argument 'align' must be an int, not bool"),
])
def test_bad_arguments(kw, err, msg):
    with pytest.raises(err, match=msg):
        empty_aligned(**kw)
