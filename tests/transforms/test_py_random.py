"""rademacher / rademacher_at (counter-based generator) and hd = H D x."""
import numpy as np
import pytest
import scipy.linalg as sl

from algdiv.testing import assert_close_in_norm, fast_tol
from algdiv.transforms import fwht, hd, rademacher, rademacher_at
from algdiv.transforms import _wht

MASK = (1 << 64) - 1


def spec_sign(seed, stream, i):
    """The generator exactly as docs/transforms.md states it, in Python integers."""
    def mix(z):
        z &= MASK
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)
    gamma = 0x9E3779B97F4A7C15
    key = mix(seed + gamma * (stream + 1))
    word = mix(key + gamma * (i + 1))
    return 1 if word >> 63 == 0 else -1


@pytest.mark.parametrize("seed,stream", [(0, 0), (1, 0), (42, 3), (2 ** 64 - 1, 2 ** 64 - 1), (123456789, 7)])
def test_matches_written_definition(seed, stream):
    idx = [0, 1, 2, 3, 100, 2 ** 20 + 5, 2 ** 40, 2 ** 64 - 1]
    got = rademacher_at(seed, np.array(idx, dtype=np.uint64), stream=stream)
    assert got.dtype == np.int8
    assert got.tolist() == [spec_sign(seed, stream, i) for i in idx]
    s = rademacher(seed, 16, stream=stream)
    assert s.tolist() == [spec_sign(seed, stream, i) for i in range(16)]


def test_regression_values():
    # pinned: a CUDA or dask implementation must reproduce these
    assert rademacher(0, 8).tolist() == [-1, -1, 1, -1, -1, 1, -1, 1]
    assert rademacher(3, 16).tolist() == [-1, -1, -1, -1, -1, -1, -1, -1, 1, -1, 1, 1, -1, 1, 1, -1]


def test_rows_and_slices_reproducible():
    m, n = 5, 12
    S = rademacher(9, (m, n), stream=2)
    for r in range(m):
        np.testing.assert_array_equal(S[r], rademacher_at(9, r * n + np.arange(n), stream=2))
    np.testing.assert_array_equal(rademacher_at(9, np.arange(60).reshape(6, 10), stream=2), S.reshape(6, 10))
    np.testing.assert_array_equal(rademacher(9, 1000)[500:700], rademacher_at(9, range(500, 700)))


def test_statistics():
    s = rademacher(2026, 10 ** 6).astype(np.float64)
    assert set(np.unique(s)) == {-1.0, 1.0}
    assert abs(s.mean()) < 5e-3                       # 5 sigma
    assert abs(np.mean(s[1:] * s[:-1])) < 5e-3        # neighbours uncorrelated
    t = rademacher(2026, 10 ** 6, stream=1).astype(np.float64)
    assert abs(np.mean(s * t)) < 5e-3                 # streams uncorrelated
    u = rademacher(2027, 10 ** 6).astype(np.float64)
    assert abs(np.mean(s * u)) < 5e-3                 # seeds uncorrelated


def test_generator_errors():
    with pytest.raises(ValueError, match=r"Argument 'seed' must be in \[0, 2\^64\)"):
        rademacher(-1, 4)
    with pytest.raises(ValueError, match="Argument 'seed'"):
        rademacher(2 ** 64, 4)
    with pytest.raises(TypeError, match="Argument 'seed' must be an integer"):
        rademacher(1.5, 4)
    with pytest.raises(ValueError, match="Argument 'stream'"):
        rademacher(1, 4, stream=-2)
    with pytest.raises(ValueError, match="Argument 'shape'"):
        rademacher(1, (2, -1))
    with pytest.raises(TypeError, match="Argument 'shape'"):
        rademacher(1, 2.5)
    with pytest.raises(ValueError, match="Argument 'index' must be non-negative"):
        rademacher_at(1, [-1, 2])
    with pytest.raises(TypeError, match="Argument 'index'"):
        rademacher_at(1, [0.5])
    assert rademacher(1, (0, 3)).shape == (0, 3)


# ---------------------------------------------------------------------------
# hd
# ---------------------------------------------------------------------------
def test_hd_shared_signs_and_orthogonality():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 64))
    d = rademacher(5, 64)
    y = hd(x, seed=5)
    H = sl.hadamard(64) / 8
    assert_close_in_norm(y, (x * d) @ H.T, fast_tol(np.float64, 64), axis=-1)
    np.testing.assert_allclose(np.linalg.norm(y, axis=1), np.linalg.norm(x, axis=1), rtol=1e-13)
    np.testing.assert_array_equal(hd(x, signs=d), y)


def test_hd_per_row_uses_flat_indices():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 16))
    y = hd(x, seed=11, per_row=True, stream=4, norm="backward")
    for r, (i, j) in enumerate(np.ndindex(2, 3)):
        d = rademacher_at(11, r * 16 + np.arange(16), stream=4)
        assert_close_in_norm(y[i, j], sl.hadamard(16) @ (d * x[i, j]), fast_tol(np.float64, 16))
    # along axis 0: row r is the r-th row of the batch after moving the axis last
    xt = np.ascontiguousarray(np.moveaxis(x, -1, 0))
    yt = hd(xt, seed=11, per_row=True, stream=4, norm="backward", axis=0)
    assert_close_in_norm(np.moveaxis(yt, 0, -1), y, fast_tol(np.float64, 16))


def test_hd_axis_order_dtypes_and_out():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((32, 3)).astype(np.float32)
    d = rademacher(1, 32)
    y = hd(x, seed=1, axis=0, order="sequency")
    assert y.dtype == np.float32
    assert_close_in_norm(y, fwht(d[:, None] * x, axis=0, norm="ortho", order="sequency"), fast_tol(np.float32, 32))
    out = np.empty((32, 3), np.float32)
    assert hd(x, signs=d, axis=0, out=out) is out
    xi = np.arange(8)
    np.testing.assert_allclose(hd(xi, seed=2), fwht(rademacher(2, 8) * np.arange(8.0), norm="ortho"))
    full = rademacher(4, (32, 3))
    assert_close_in_norm(hd(x, signs=full, axis=0), fwht(full * x, axis=0, norm="ortho"), fast_tol(np.float32, 32))


def test_hd_errors():
    x = np.ones(8)
    with pytest.raises(ValueError, match="give exactly one of them, not both"):
        hd(x, signs=np.ones(8), seed=1)
    with pytest.raises(ValueError, match="not neither"):
        hd(x)
    with pytest.raises(ValueError, match=r"Argument 'signs' must have shape \(8,\)"):
        hd(x, signs=np.ones(4))
    with pytest.raises(ValueError, match="Argument 'x'"):
        hd(np.ones(6), seed=1)


def test_hd_kernel_dispatch_point(monkeypatch):
    calls = []

    def kernel(x, signs, scale, workers, out=None):
        calls.append((x.shape, signs.shape, scale))
        y = ((x * signs) @ sl.hadamard(x.shape[1]) * scale).astype(x.dtype)
        if out is None:
            return y
        out[...] = y
        return out

    monkeypatch.setattr(_wht, "_KERNELS", {"hd_signs": kernel})
    x = np.random.default_rng(0).standard_normal((3, 16))
    y = hd(x, seed=7)
    assert calls == [((3, 16), (16,), 0.25)]
    assert_close_in_norm(y, (x * rademacher(7, 16)) @ sl.hadamard(16) / 4, fast_tol(np.float64, 16))
    hd(x, seed=7, per_row=True)
    assert calls[-1][1] == (3, 16)
    hd(x, seed=7, order="dyadic")
    hd(np.asfortranarray(x), seed=7)
    assert len(calls) == 2
