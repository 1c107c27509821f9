"""Transforms on dask arrays: block by block, equal to the in-memory path bit for bit."""
import numpy as np
import pytest

da = pytest.importorskip("dask.array", reason="dask is not installed (pip install 'algdiv[dask]')")
import dask  # noqa: E402

from algdiv.bases import matched_transform  # noqa: E402
from algdiv.groups import cyclic, dihedral  # noqa: E402
from algdiv.transforms import fwht, fwhtn, haar, hd, ifwht, ifwhtn, ihaar  # noqa: E402
from scipy.linalg import hadamard  # noqa: E402


def _data(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


@pytest.mark.parametrize("func", [fwht, ifwht, haar, ihaar])
@pytest.mark.parametrize("axis", [-1, 0, 1])
def test_wht_haar_equal_numpy(func, axis):
    shape = [6, 5, 7]
    shape[axis] = 16
    X = _data(shape, 1)
    D = da.from_array(X, chunks=(2, 3, 4))          # the transform axis is split: rechunked
    Y = func(D, axis=axis)
    assert isinstance(Y, da.Array)
    assert len(Y.chunks[axis]) == 1
    assert np.array_equal(Y.compute(), func(X, axis=axis))


def test_fwht_against_dense_matrix_and_options():
    X = _data((9, 32), 2)
    D = da.from_array(X, chunks=(4, 8))
    H = hadamard(32).astype(float)                  # independent truth: the dense Sylvester matrix
    np.testing.assert_allclose(fwht(D).compute(), X @ H.T, rtol=1e-12, atol=1e-12)
    for kw in (dict(norm="ortho"), dict(order="sequency"), dict(norm="forward", order="dyadic")):
        assert np.array_equal(fwht(D, **kw).compute(), fwht(X, **kw))
    Xi = np.arange(64, dtype=np.int64).reshape(4, 16)
    Yi = fwht(da.from_array(Xi, chunks=2))
    assert Yi.dtype == fwht(Xi).dtype and np.array_equal(Yi.compute(), fwht(Xi))


def test_fwhtn_equal_numpy():
    X = _data((8, 16, 3), 3)
    D = da.from_array(X, chunks=(4, 4, 2))
    Y = fwhtn(D, axes=(0, 1))
    assert Y.chunks[:2] == ((8,), (16,))
    assert np.array_equal(Y.compute(), fwhtn(X, axes=(0, 1)))
    assert np.array_equal(ifwhtn(D, axes=(0, 1)).compute(), ifwhtn(X, axes=(0, 1)))


@pytest.mark.parametrize("per_row", [False, True])
@pytest.mark.parametrize("axis", [-1, 1])
def test_hd_seeded_equal_numpy(per_row, axis):
    shape = [7, 5, 6]
    shape[axis] = 32
    X = _data(shape, 4)
    D = da.from_array(X, chunks=(2, 2, 3))
    for stream, offset in ((0, 0), (3, 12345)):
        got = hd(D, seed=11, stream=stream, per_row=per_row, offset=offset, axis=axis).compute()
        want = hd(X, seed=11, stream=stream, per_row=per_row, offset=offset, axis=axis)
        assert np.array_equal(got, want)


def test_hd_per_row_signs_are_the_whole_arrays():
    # Independent truth: D = rademacher(seed, shape, stream) applied row by row, then the dense H.
    from algdiv.transforms import rademacher
    X = _data((10, 16), 5)
    eps = rademacher(9, X.shape, 2).astype(float)
    H = hadamard(16).astype(float) / 4.0
    got = hd(da.from_array(X, chunks=(3, 16)), seed=9, stream=2, per_row=True).compute()
    np.testing.assert_allclose(got, (eps * X) @ H.T, rtol=1e-12, atol=1e-12)


def test_hd_with_dask_signs():
    X = _data((6, 5, 16), 6)
    D = da.from_array(X, chunks=(2, 3, 4))
    s = np.sign(_data(16, 7))
    assert np.array_equal(hd(D, signs=da.from_array(s, chunks=4)).compute(), hd(X, signs=s))
    S = np.sign(_data(X.shape, 8))
    assert np.array_equal(hd(D, signs=da.from_array(S, chunks=3)).compute(), hd(X, signs=S))


@pytest.mark.parametrize("G,field", [(cyclic(12), "real"), (cyclic(12), "complex"), (dihedral(8), "real")])
def test_matched_transform_forward_inverse(G, field):
    T = matched_transform(G, field=field)
    X = _data((10, T.n), 9)
    D = da.from_array(X, chunks=(3, 5))
    Y = T.forward(D)
    assert isinstance(Y, da.Array)
    want = T.forward(X)
    assert np.array_equal(Y.compute(), want)
    np.testing.assert_allclose(Y.compute(), X @ T.matrix.conj(), rtol=1e-10, atol=1e-10)   # y = B^H x
    assert np.array_equal(T.inverse(Y).compute(), T.inverse(want))
    Xt = _data((T.n, 4), 10)
    assert np.array_equal(T.forward(da.from_array(Xt, chunks=2), axis=0).compute(), T.forward(Xt, axis=0))


def test_laziness_kept():
    calls = []

    def spy(block):
        calls.append(block.shape)
        return block

    D = da.from_array(_data((8, 16), 11), chunks=(2, 8)).map_blocks(spy, dtype=float, meta=np.empty((0, 0)))
    Y = hd(fwht(D, norm="ortho"), seed=1, per_row=True)
    Z = haar(Y)
    assert calls == [] and isinstance(Z, da.Array)      # nothing ran
    with dask.config.set(scheduler="sync"):
        Z.compute()
    assert len(calls) == 8                              # each input block once


def test_errors():
    X = _data((4, 16), 12)
    D = da.from_array(X, chunks=2)
    with pytest.raises(TypeError, match="'out' is not supported"):
        fwht(D, out=da.zeros(X.shape))
    with pytest.raises(TypeError, match="cannot be mixed"):
        fwht(D, out=np.empty(X.shape))
    with pytest.raises(TypeError, match="cannot be mixed"):
        hd(D, signs=np.ones(16))
    with pytest.raises(TypeError, match="'plan' is not supported"):
        haar(D, plan=object())
    with pytest.raises(ValueError, match="along axis -1, not 6"):
        fwht(da.zeros((4, 6), chunks=2))             # raised when the graph is built, not at compute
    with pytest.raises(ValueError, match="'axis'"):
        fwht(D, axis=3)
    with pytest.raises(ValueError, match="'signs' must have shape"):
        hd(D, signs=da.ones(8, chunks=4))
    T = matched_transform(cyclic(12))
    with pytest.raises(ValueError, match="length 12"):
        T.forward(D)


@pytest.mark.gpu
def test_cupy_blocks_run_on_the_gpu():
    cp = pytest.importorskip("cupy", reason="cupy is not installed")
    try:
        if cp.cuda.runtime.getDeviceCount() < 1:
            pytest.skip("no CUDA device")
    except cp.cuda.runtime.CUDARuntimeError:
        pytest.skip("no CUDA device")
    X = _data((8, 64), 13)
    D = da.from_array(cp.asarray(X), chunks=(2, 16))
    Y = fwht(D, norm="ortho")
    assert isinstance(Y._meta, cp.ndarray)
    got = Y.compute()
    assert isinstance(got, cp.ndarray)
    np.testing.assert_allclose(cp.asnumpy(got), X @ hadamard(64).T / 8.0, rtol=1e-12, atol=1e-12)
    with pytest.raises(TypeError, match="cannot be mixed"):
        fwht(D, out=cp.empty(X.shape))
    T = matched_transform(cyclic(16))
    np.testing.assert_allclose(cp.asnumpy(T.forward(cp.asarray(X[:, :16]))), T.forward(X[:, :16]),
                               rtol=1e-12, atol=1e-12)
