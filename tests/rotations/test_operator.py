"""The structured rotation, the Monte Carlo sampler and its stream contract."""
import math

import numpy as np
import pytest
from scipy.linalg import hadamard

from algdiv.rotations import (
    chunk_rows,
    mc_stream,
    sample_structured,
    spread_input,
    structured_rotation,
)
from algdiv.testing import assert_close_in_norm, fast_tol
from algdiv.transforms import rademacher, rademacher_at


def _dense(d, signs):
    """d^{-b/2} (H D_b) ... (H D_1) from scipy's Hadamard matrix."""
    h = hadamard(d).astype(float)
    t = np.eye(d)
    for s in signs:
        t = h @ (s[:, None] * t)
    return t * d ** (-len(signs) / 2)


@pytest.mark.parametrize("d,blocks", [(2, 1), (8, 2), (32, 2), (64, 3)])
def test_operator_equals_dense_product(d, blocks):
    T = structured_rotation(d, blocks=blocks, seed=11)
    signs = [rademacher(11, d, stream=j) for j in range(blocks)]
    np.testing.assert_array_equal(T.signs, np.stack(signs))
    ref = _dense(d, signs)
    assert_close_in_norm(T.matrix(), ref, fast_tol(np.float64, d) * blocks)
    x = np.random.default_rng(0).standard_normal((3, 5, d))
    assert_close_in_norm(T(x), x @ ref.T, fast_tol(np.float64, d) * blocks, axis=-1)
    assert_close_in_norm(T.apply(x), T(x), 0.0)


def test_operator_orthogonal_and_inverse():
    T = structured_rotation(256, seed=5)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 256))
    x0 = x.copy()
    y = T(x)
    np.testing.assert_array_equal(x, x0)                      # input untouched
    np.testing.assert_allclose(np.linalg.norm(y, axis=-1), np.linalg.norm(x, axis=-1), rtol=1e-13)
    assert_close_in_norm(T.inverse(y), x, fast_tol(np.float64, 256) * 2, axis=-1)
    y32 = T(x.astype(np.float32))
    assert y32.dtype == np.float32
    assert_close_in_norm(y32, y, fast_tol(np.float32, 256) * 2, axis=-1)
    np.testing.assert_allclose(T(np.arange(256)), T(np.arange(256.0)))   # integers promoted


@pytest.mark.parametrize("d,blocks", [(2, 1), (4, 3), (8, 2), (64, 1), (256, 3)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128])
def test_inverse_equals_dense_transpose(d, blocks, dtype):
    """T^{-1} = T^T, from scipy's Hadamard matrix; the input is not modified and the
    dtype is kept (d < 8: int8 sign rows; from 8: packed rows)."""
    T = structured_rotation(d, blocks=blocks, seed=23)
    ref = _dense(d, [rademacher(23, d, stream=j) for j in range(blocks)])
    rng = np.random.default_rng(d)
    y = rng.standard_normal((3, d))
    if np.dtype(dtype).kind == "c":
        y = y + 1j * rng.standard_normal((3, d))
    y = y.astype(dtype)
    y0 = y.copy()
    x = T.inverse(y)
    np.testing.assert_array_equal(y, y0)
    assert x.dtype == dtype
    tol = fast_tol(np.dtype(dtype).type(0).real.dtype, d) * blocks
    assert_close_in_norm(x, y.astype(np.complex128) @ ref, tol, axis=-1)
    assert_close_in_norm(T.inverse(y), x, 0.0)                   # the cached rows again


@pytest.mark.parametrize("d,blocks", [(4, 2), (64, 3)])
def test_apply_and_inverse_outside_the_core_dtypes(d, blocks):
    """Byte-swapped float64 and float16 take the block-by-block path (packed rows unpacked
    when d >= 8): the same operator as the dense reference."""
    T = structured_rotation(d, blocks=blocks, seed=37)
    ref = _dense(d, [rademacher(37, d, stream=j) for j in range(blocks)])
    y = np.random.default_rng(d).standard_normal((2, d))
    swapped = y.astype(">f8")
    assert_close_in_norm(T.inverse(swapped), y @ ref, fast_tol(np.float64, d) * blocks, axis=-1)
    assert_close_in_norm(T(swapped), y @ ref.T, fast_tol(np.float64, d) * blocks, axis=-1)
    half = T.inverse(y.astype(np.float16))
    assert_close_in_norm(half.astype(np.float64), y @ ref, 3e-3 * blocks, axis=-1)


def test_inverse_of_long_rows_merged_chain():
    """Rows longer than the level-2 block: the inverse is one merged chain; T^{-1} T = I."""
    from algdiv import _core
    n = 8 * (_core.ext.L2_BLOCK_BYTES // 4) if _core.ext is not None else 1 << 16
    T = structured_rotation(n, blocks=3, seed=29)
    x = np.random.default_rng(2).standard_normal(n)
    assert_close_in_norm(T.inverse(T(x)), x, fast_tol(np.float64, n) * 6)
    x32 = x.astype(np.float32)
    assert_close_in_norm(T.inverse(T(x32)), x32, fast_tol(np.float32, n) * 6)


def test_operator_seed_and_signs():
    a, b, c = structured_rotation(64, seed=3), structured_rotation(64, seed=3), structured_rotation(64, seed=4)
    np.testing.assert_array_equal(a.signs, b.signs)
    assert not np.array_equal(a.signs, c.signs)
    assert a.signs.dtype == np.int8 and a.signs.shape == (2, 64)
    with pytest.raises(ValueError):
        a.signs[0, 0] = 1                                      # read-only
    r = structured_rotation(64)                                # drawn seed, readable
    np.testing.assert_array_equal(structured_rotation(64, seed=r.seed).signs, r.signs)
    assert "d=64" in repr(a)


def _reference_samples(u, start, count, seed, blocks, coordinate=None):
    """Samples from the documented stream layout and a dense matrix, one at a time."""
    d = u.size
    out = []
    for n in range(start, start + count):
        chunk, r = divmod(n, chunk_rows(d))
        signs = [rademacher_at(seed, r * d + np.arange(d), stream=mc_stream(j, chunk)) for j in range(blocks)]
        y = _dense(d, signs) @ u
        out.append(y if coordinate is None else y[coordinate])
    return np.array(out)


@pytest.mark.parametrize("blocks,coordinate", [(1, 0), (2, 0), (2, 5), (3, 2), (2, None)])
def test_sampler_follows_stream_contract(blocks, coordinate):
    u = np.random.default_rng(7).standard_normal(16)
    got = sample_structured(u, 20, blocks=blocks, coordinate=coordinate, seed=9, start=chunk_rows(16) - 6)
    want = _reference_samples(u, chunk_rows(16) - 6, 20, 9, blocks, coordinate)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


def test_sampler_same_numbers_for_any_split():
    u = spread_input(32, 2)
    whole = sample_structured(u, 700, seed=21)
    parts = [sample_structured(u, b - a, seed=21, start=a) for a, b in [(0, 1), (1, 300), (300, 513), (513, 700)]]
    np.testing.assert_array_equal(whole, np.concatenate(parts))
    assert not np.array_equal(whole, sample_structured(u, 700, seed=22))


def test_sampler_lattice_and_hypercube_structure():
    d = 64
    vec = sample_structured(spread_input(d, 1), 500, coordinate=None, seed=2)
    np.testing.assert_allclose(np.linalg.norm(vec, axis=1), 1.0, rtol=1e-13)
    # H T(e_0) is in {+-1}^d exactly (the hypercube test), and d T(e_0)_i is an
    # integer with the parity of d.
    hv = vec @ hadamard(d).T
    np.testing.assert_array_equal(np.abs(hv), 1.0)
    np.testing.assert_array_equal(np.mod(vec * d, 2), 0.0)
    x = sample_structured(spread_input(d, 2), 2000, seed=3) * d / math.sqrt(2)
    np.testing.assert_allclose(x, np.round(x), atol=1e-9)
    assert np.unique(np.round(x)).size <= d // 2 + 1


def test_sampler_missing_diagonal_gives_plus_minus_e0():
    x = sample_structured(spread_input(16, 1), 300, seed=4, omit_diagonal=(1,), coordinate=None)
    np.testing.assert_allclose(np.abs(x[:, 0]), 1.0, rtol=1e-14)
    np.testing.assert_allclose(x[:, 1:], 0.0, atol=1e-14)


@pytest.mark.parametrize(
    "call,exc,match",
    [
        (lambda: structured_rotation(12), ValueError, "Argument 'd' must be a power of 2"),
        (lambda: structured_rotation(16, blocks=0), ValueError, "Argument 'blocks' must be an integer >= 1"),
        (lambda: structured_rotation(16, seed=-1), ValueError, "Argument 'seed'"),
        (lambda: structured_rotation(16, seed=1.5), TypeError, "Argument 'seed'"),
        (lambda: structured_rotation(16, seed=1)(np.ones(8)), ValueError, "Argument 'x' must have last axis"),
        (lambda: structured_rotation(16, seed=1).inverse(np.ones(3)), ValueError, "Argument 'y'"),
        (lambda: sample_structured(np.zeros(16), 10, seed=1), ValueError, "Argument 'u' must be a nonzero"),
        (lambda: sample_structured(np.ones(12), 10, seed=1), ValueError, "Argument 'u' must have a power-of-2 length"),
        (lambda: sample_structured(np.ones(16), 0, seed=1), ValueError, "Argument 'samples' must be an integer >= 1"),
        (lambda: sample_structured(np.ones(16), 5, blocks=0), ValueError, "Argument 'blocks'"),
        (lambda: sample_structured(np.ones(16), 5, coordinate=16), ValueError, "Argument 'coordinate'"),
        (lambda: sample_structured(np.ones(16), 5, omit_diagonal=(2,)), ValueError, "Argument 'omit_diagonal'"),
        (lambda: sample_structured(np.ones((2, 16)), 5), ValueError, "Argument 'u' must be a 1-D"),
        (lambda: sample_structured(np.array([np.inf] + [1.0] * 15), 5), ValueError, "must be finite"),
    ],
)
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_chunk_layout_for_large_d():
    assert [chunk_rows(2**m) for m in (4, 14, 15, 20, 22, 24)] == [256, 256, 128, 4, 1, 1]
    u = spread_input(2**16, 4)
    whole = sample_structured(u, 70, seed=5)                    # chunks of 64 rows
    np.testing.assert_array_equal(whole[60:], sample_structured(u, 10, seed=5, start=60))
    law_atoms = set(np.round(whole * 2**16 * 2, 6))             # d sqrt(k) T(u_4)_0 is an integer
    assert all(float(a).is_integer() for a in law_atoms)
    with pytest.raises(ValueError, match="exceed the stream layout"):
        sample_structured(np.ones(16), 1, start=256 << 40)
