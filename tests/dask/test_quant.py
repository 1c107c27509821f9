"""Quantizers on dask arrays: lazy, block by block, equal to the in-memory path bit for bit."""
import numpy as np
import pytest

da = pytest.importorskip("dask.array", reason="dask is not installed (pip install 'algdiv[dask]')")

from algdiv.quant import (  # noqa: E402
    HadamardRotation, itq3s_decode, itq3s_encode, kv_quantize, rotated_rtn, rtn,
)


def _heavy(shape, seed=0):
    """Heavy-tailed weights (Student t, 3 dof): where rotation matters."""
    return np.random.default_rng(seed).standard_t(3, size=shape)


@pytest.mark.parametrize("axis", [-1, 0])
@pytest.mark.parametrize("kw", [dict(bits=3, group_size=32), dict(bits=4, group_size=16, symmetric=True),
                                dict(bits=2, group_size=64, clip="mse")])
def test_rtn_equal_numpy(axis, kw):
    w = _heavy((64, 64), 1)
    d = da.from_array(w, chunks=(16, 24))           # the group axis is split: rechunked whole
    got = rtn(d, axis=axis, **kw)
    assert isinstance(got, da.Array)
    assert len(got.chunks[axis % 2]) == 1
    assert np.array_equal(got.compute(), rtn(w, axis=axis, **kw))


def test_rtn_grid_closed_form():
    # independent truth: 2-bit min-max grid of 0..3 is exact, the range [0, 6] has step 2
    w = np.array([[0.0, 1.0, 2.0, 3.0], [0.0, 2.9, 3.1, 6.0]])
    got = rtn(da.from_array(w, chunks=1), bits=2, group_size=4).compute()
    np.testing.assert_array_equal(got, [[0, 1, 2, 3], [0, 2, 4, 6]])


def test_rotated_rtn_and_rotation_equal_numpy():
    w = _heavy((24, 384), 2)
    d = da.from_array(w, chunks=(8, 128))
    assert np.array_equal(rotated_rtn(d, 3, 64).compute(), rotated_rtn(w, 3, 64))
    r = HadamardRotation(384)
    y = r.forward(d)
    assert isinstance(y, da.Array)
    assert np.array_equal(y.compute(), r.forward(w))
    back = r.inverse(y).compute()
    np.testing.assert_allclose(back, w, rtol=0, atol=1e-12 * np.abs(w).max())
    np.testing.assert_allclose(r.forward(d[:, :384].T, axis=0).compute(), r.matrix() @ w.T, atol=1e-10)


def test_itq3s_encode_same_bytes():
    w = _heavy((10, 333), 3)                       # 3330 weights: 14 blocks, the last one padded
    for chunks in ((3, 333), (4, 100), (10, 333)):
        p = itq3s_encode(da.from_array(w, chunks=chunks))
        assert p.to_bytes() == itq3s_encode(w).to_bytes()
    np.testing.assert_array_equal(itq3s_decode(p), itq3s_decode(itq3s_encode(w)))


@pytest.mark.parametrize("kw", [
    dict(bits=2, group_size=64, head_dim=64, group_heads=2),
    dict(bits=3, group_size=64, head_dim=64, key_axis="channel", group_size_tokens=None),
    dict(bits=2, group_size=32, head_dim=64, pre_rope=False, rotate=True),
    dict(bits=4, group_size=64, head_dim=64, rotate=False, reorder=False),
])
def test_kv_quantize_equal_numpy(kw):
    kw = {k: v for k, v in kw.items() if k != "group_size_tokens"}
    rng = np.random.default_rng(5)
    t, c = 96, 128
    k = rng.standard_normal((t, c)) * np.linspace(0.2, 3.0, c)
    v = rng.standard_normal((t, c))
    hidden = rng.standard_normal((t, 32))
    hidden[[3, 50]] *= 40.0                          # two attention-sink tokens
    ref = kv_quantize(k, v, hidden=hidden, n_sink=4, **kw)
    kw_fixed = dict(kw, reorder=ref.perm if ref.perm is not None else False)
    got = kv_quantize(da.from_array(k, chunks=(40, 64)), da.from_array(v, chunks=(40, 64)),
                      hidden=da.from_array(hidden, chunks=(40, 32)), n_sink=4, **kw_fixed)
    assert isinstance(got.k, da.Array) and isinstance(got.v, da.Array)
    np.testing.assert_array_equal(got.sink_tokens, ref.sink_tokens)
    assert {3, 50} <= set(got.sink_tokens.tolist())
    assert np.array_equal(got.k.compute(), ref.k)
    assert np.array_equal(got.v.compute(), ref.v)
    if kw.get("reorder", True) is not False:        # the calibrated order is found from dask sums
        auto = kv_quantize(da.from_array(k, chunks=(40, 64)), None, **kw)
        np.testing.assert_array_equal(auto.perm, ref.perm)
        assert auto.v is None


def test_errors():
    d = da.from_array(_heavy((8, 64)), chunks=4)
    with pytest.raises(ValueError, match="group_size"):
        rtn(d, bits=3, group_size=48)
    with pytest.raises(ValueError, match="bits"):
        rtn(d, bits=0, group_size=32)
    with pytest.raises(ValueError, match="axis"):
        rtn(d, bits=3, group_size=8, axis=2)
    with pytest.raises(TypeError, match="real numeric"):
        rtn(da.zeros((4, 8), dtype=complex), bits=3, group_size=8)
    bad = _heavy((8, 64))
    bad[5, 3] = np.nan
    lazy = rtn(da.from_array(bad, chunks=4), bits=3, group_size=32)
    with pytest.raises(ValueError, match="finite"):
        lazy.compute()
    with pytest.raises(ValueError, match="finite"):
        itq3s_encode(da.from_array(bad, chunks=4))
    with pytest.raises(ValueError, match="length 384"):
        HadamardRotation(384).forward(d)
    with pytest.raises(TypeError, match="mixed"):
        kv_quantize(da.from_array(np.ones((8, 64)), chunks=4), np.ones((8, 64)), head_dim=64, group_size=64)
