"""algdiv.gpu._dispatch end to end on the CPU: numpy stands in for cupy, the host harness for
the device.

Everything of the GPU path except the device itself runs: argument validation, axis moves,
copies of views, ``out=``/``overwrite_x``, complex and integer handling, the diagonal specs of
``hd``, the rotation's block pairing, the launch plans (single kernel and multi-pass) and
the CTA code of the kernels (via tests/gpu/host_harness.cpp).  tests/gpu/test_gpu.py runs
the same checks on a device.
"""
import os
import sys

import numpy as np
import pytest

from algdiv.gpu import _dispatch
from algdiv.testing import assert_close_in_norm, fast_tol
from algdiv.transforms import fwht, fwhtn, hd, ifwhtn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _algdiv_gpu_host as _host  # noqa: E402

pytestmark = pytest.mark.skipif(_host.compiler() is None, reason="no C++ compiler on PATH")


def _host_execute(cp, launches, bufs):
    arrays = {k: v for k, v in bufs.items() if v is not None}
    written = [k for k in ("out", "tmp") if k in arrays]
    res = _host.run(launches, arrays, written)
    for k in written:
        a = arrays[k]
        a.reshape(-1).view(np.uint8)[:] = res[k][:a.nbytes]


@pytest.fixture
def emulated(monkeypatch):
    """Route algdiv.gpu's launches to the host harness, with numpy as the array module."""
    state = {"smem": 227 * 1024}
    monkeypatch.setattr(_dispatch, "_cupy", lambda: np)
    monkeypatch.setattr(_dispatch, "_execute", _host_execute)
    monkeypatch.setattr(_dispatch, "_smem_limit", lambda cp: state["smem"])
    return state


def gpu(name, x, **kw):
    return _dispatch.call(name, x, **kw)


def _x(shape, seed, dtype=np.float64):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _tol(dtype, n):
    return fast_tol(np.dtype(dtype), n)


@pytest.mark.parametrize("n", [2, 16, 1024, 12, 40, 28 << 4])
@pytest.mark.parametrize("norm", ["backward", "ortho", "forward"])
def test_fwht_ifwht_norms(emulated, n, norm):
    x = _x((3, n), n)
    y = gpu("fwht", x, norm=norm)
    assert y.dtype == x.dtype and y.shape == x.shape
    assert_close_in_norm(y, fwht(x, norm=norm), _tol(np.float64, n), axis=-1)
    assert_close_in_norm(gpu("ifwht", y, norm=norm), x, _tol(np.float64, n), axis=-1)


@pytest.mark.parametrize("order", ["sequency", "dyadic"])
def test_orders_and_axis(emulated, order):
    x = _x((8, 3, 5), 1)
    keep = x.copy()
    y = gpu("fwht", x, axis=0, order=order, norm="ortho")
    assert_close_in_norm(y, fwht(x, axis=0, order=order, norm="ortho"), _tol(np.float64, 8))
    assert_close_in_norm(gpu("ifwht", y, axis=0, order=order, norm="ortho"), x, _tol(np.float64, 8))
    assert np.array_equal(x, keep)


def test_views_out_overwrite(emulated):
    big = _x((32, 64), 2)
    v = big[::2, ::4]                              # strided view: copied, never misread
    assert_close_in_norm(gpu("fwht", v), fwht(np.ascontiguousarray(v)), _tol(np.float64, 16))
    out = np.empty((32, 64))
    assert gpu("fwht", big, out=out) is out
    assert_close_in_norm(out, fwht(big), _tol(np.float64, 64))
    out3 = np.empty((4, 8, 2))
    x3 = _x((4, 8, 2), 3)
    assert gpu("fwht", x3, axis=1, out=out3) is out3
    assert_close_in_norm(out3, fwht(x3, axis=1), _tol(np.float64, 8))
    z = big.copy()
    r = gpu("fwht", z, overwrite_x=True)
    assert_close_in_norm(r, fwht(big), _tol(np.float64, 64))
    with pytest.raises(ValueError, match="Argument 'out'"):
        gpu("fwht", big, out=np.empty((32, 32)))


def test_half_and_bfloat16_storage(emulated):
    x = _x((4, 4096), 4, np.float32)
    y = gpu("fwht", x.astype(np.float16), norm="ortho")
    assert y.dtype == np.float16
    ref = fwht(x.astype(np.float16).astype(np.float64), norm="ortho")
    err = np.linalg.norm(y.astype(np.float64) - ref, axis=-1) / np.linalg.norm(ref, axis=-1)
    assert err.max() <= 1e-2
    bits = _host.to_bf16(x)
    yb = _dispatch._dispatch_cupy("fwht", np, bits, {"norm": "ortho"}, "bfloat16")
    assert yb.dtype == np.uint16
    ref = fwht(_host.from_bf16(bits).astype(np.float64), norm="ortho")
    err = np.linalg.norm(_host.from_bf16(yb) - ref, axis=-1) / np.linalg.norm(ref, axis=-1)
    assert err.max() <= 1e-2


def test_half_multipass_converts_once(emulated):
    emulated["smem"] = 4096                      # 2^12 half rows no longer fit: multi-pass in float32
    x = _x((2, 1 << 12), 5, np.float32).astype(np.float16)
    y = gpu("fwht", x, norm="ortho")
    ref = fwht(x.astype(np.float64), norm="ortho")
    err = np.linalg.norm(y.astype(np.float64) - ref, axis=-1) / np.linalg.norm(ref, axis=-1)
    assert y.dtype == np.float16 and err.max() <= 1e-2


def test_integer_and_complex(emulated):
    xi = np.arange(48).reshape(3, 16) - 20
    y = gpu("fwht", xi)
    assert y.dtype == np.int64 and np.array_equal(y, fwht(xi))
    yf = gpu("fwht", xi, norm="ortho")
    assert yf.dtype == np.float64
    assert_close_in_norm(yf, fwht(xi, norm="ortho"), _tol(np.float64, 16))
    xc = _x((2, 32), 6) + 1j * _x((2, 32), 7)
    assert_close_in_norm(gpu("fwht", xc), fwht(xc), _tol(np.float64, 32))
    assert_close_in_norm(gpu("fwhtn", _x((4, 8), 8)), fwhtn(_x((4, 8), 8)), _tol(np.float64, 32))
    assert_close_in_norm(gpu("ifwhtn", _x((4, 8), 8), axes=(0,)), ifwhtn(_x((4, 8), 8), axes=(0,)),
                         _tol(np.float64, 4))


@pytest.mark.parametrize("per_row", [False, True])
def test_hd_seeded(emulated, per_row):
    x = _x((3, 4, 64), 9)
    for axis in (-1, 1):
        if per_row and axis != -1:
            continue
        n = x.shape[axis]
        y = gpu("hd", x, seed=77, stream=2, per_row=per_row, offset=9, axis=axis)
        ref = hd(x, seed=77, stream=2, per_row=per_row, offset=9, axis=axis)
        assert_close_in_norm(y, ref, _tol(np.float64, n))


def test_hd_given_signs(emulated):
    x = _x((4, 8, 32), 10)
    d = np.random.default_rng(11).choice([-1, 1], 8).astype(np.int8)
    assert_close_in_norm(gpu("hd", x, signs=d, axis=1, norm="backward"), hd(x, signs=d, axis=1, norm="backward"),
                         _tol(np.float64, 8))
    full = np.where(_x(x.shape, 12) < 0, -1.0, 1.0)
    assert_close_in_norm(gpu("hd", x, signs=full, axis=1), hd(x, signs=full, axis=1), _tol(np.float64, 32))
    with pytest.raises(ValueError, match="Argument 'signs'"):
        gpu("hd", x, signs=np.ones(5))
    for bad, err in ((np.full(8, 0.5), ValueError), (np.zeros(8), ValueError),
                     (np.ones(8, bool), TypeError), (np.ones(8, complex), TypeError)):
        with pytest.raises(err, match="Argument 'signs'"):        # the CPU's checks, the same errors
            gpu("hd", x, signs=bad, axis=1)
        with pytest.raises(err, match="Argument 'signs'"):
            hd(x, signs=bad, axis=1)
    with pytest.raises(ValueError, match="exactly one"):
        gpu("hd", x)


@pytest.mark.parametrize("blocks", [1, 2, 3, 4])
@pytest.mark.parametrize("d,smem", [(64, 227 * 1024), (4096, 227 * 1024), (4096, 1024)])
def test_rotation_matches_structured_rotation(emulated, blocks, d, smem):
    from algdiv.gpu import rotation
    from algdiv.rotations import structured_rotation
    emulated["smem"] = smem                      # 1024: no fused kernel, the chained path
    T = structured_rotation(d, blocks=blocks, seed=31)
    x = _x((3, d), 13)
    y = rotation(x, 31, blocks)
    assert_close_in_norm(y, T(x), _tol(np.float64, d) * blocks, axis=-1)
    assert_close_in_norm(rotation(y, 31, blocks, inverse=True), x, _tol(np.float64, d) * blocks, axis=-1)
    y32 = rotation(x.astype(np.float32), 31, blocks)
    assert y32.dtype == np.float32
    assert_close_in_norm(y32, T(x), _tol(np.float32, d) * blocks, axis=-1)


def test_itq3s(emulated):
    from algdiv.gpu import itq3s_decode, itq3s_decode_blocks
    from algdiv.quant import itq3s_decode as cpu_decode, itq3s_encode
    w = _x((7, 100), 14)
    p = itq3s_encode(w)
    ref = cpu_decode(p)
    got = itq3s_decode(p, dtype="float64")
    assert got.shape == w.shape
    assert_close_in_norm(got, ref, _tol(np.float64, 256))
    assert_close_in_norm(itq3s_decode(p.to_bytes(), dtype="float32"), ref, _tol(np.float32, 256))
    with pytest.raises(TypeError, match="Argument 'blocks'"):
        itq3s_decode_blocks(np.zeros((2, 100), dtype=np.uint8), 10)
    with pytest.raises(ValueError, match="Argument 'size'"):
        itq3s_decode_blocks(np.zeros((2, 109), dtype=np.uint8), 600)
    # device blocks: version 2 (with CRC-32) and version 1 payloads decode alike
    stored = np.ascontiguousarray(p.stored_blocks())
    assert_close_in_norm(itq3s_decode_blocks(stored, p.size, "float64").reshape(w.shape), ref,
                         _tol(np.float64, 256))
    payload = np.ascontiguousarray(p.blocks())
    assert_close_in_norm(itq3s_decode_blocks(payload, p.size, "float64").reshape(w.shape), ref,
                         _tol(np.float64, 256))
    # the same checks as the CPU reader, on the device arrays
    bad = stored.copy()
    bad[2, 50] ^= 0x10
    with pytest.raises(ValueError, match="ITQ3 block 2: CRC-32 mismatch"):
        itq3s_decode_blocks(bad, p.size, "float64")
    bad = payload.copy()
    bad[1, 7] = 250
    with pytest.raises(ValueError, match="ITQ3 block 1: trit byte 1 is 250"):
        itq3s_decode_blocks(bad, p.size, "float64")


def test_errors(emulated):
    from algdiv.transforms import Problem, plan
    x = _x((2, 8), 15)
    with pytest.raises(TypeError, match="Argument 'plan'"):
        gpu("fwht", x, plan=plan(Problem("wht", 8)))
    with pytest.raises(NotImplementedError, match="haar"):
        gpu("haar", x)
    with pytest.raises(TypeError, match="Argument 'x'"):
        gpu("fwht", np.ones((2, 8), dtype=bool))
    with pytest.raises(ValueError):
        gpu("fwht", np.ones(6))
    with pytest.raises(ValueError):
        gpu("fwht", np.ones(12), order="sequency")
