"""The GPU path on a CUDA device against the CPU engine (skipped without a usable device).

Tolerances are issue 6's: float32/float64 equal the CPU engine to ``fast_tol`` (<= 1e-6)
relative, norm-wise per row; float16/bfloat16 equal the CPU float32 transform of the upcast
input to 1e-2; round trips to the same tolerances; every size 2^1..2^15, 12/20/28 * 2^k,
order and norm.  TF32 plays no part (no matrix products).
"""
import numpy as np
import pytest

import algdiv.gpu
from algdiv.testing import assert_close_in_norm, fast_tol
from algdiv.transforms import fwht, fwhtn, hd, ifwht, ifwhtn

pytestmark = [pytest.mark.gpu,
              pytest.mark.skipif(not algdiv.gpu.available(), reason=algdiv.gpu.available().reason)]

if algdiv.gpu.available():
    import cupy as cp
else:
    cp = None

NORMS = ["backward", "ortho", "forward"]
POW2 = [1 << k for k in range(1, 16)]
PALEY = [m << k for m in (12, 20, 28) for k in (0, 2, 5, 8, 10)]
HALF_TOL = 1e-2


def _rows(n):
    return max(2, min(16, (1 << 17) // n))


def _x(shape, seed, dtype=np.float64):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _tol(dtype, n):
    return min(1e-6, fast_tol(np.dtype(dtype), n)) if np.dtype(dtype) == np.float64 else 1e-6


def _half_err(y, ref):
    y = np.asarray(y, dtype=np.float64)
    return (np.linalg.norm(y - ref, axis=-1) / np.linalg.norm(ref, axis=-1)).max()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", POW2 + PALEY)
def test_fwht_matches_cpu(dtype, n):
    x = _x((_rows(n), n), n, dtype)
    for norm in NORMS:
        y = fwht(cp.asarray(x), norm=norm)
        assert isinstance(y, cp.ndarray) and y.dtype == dtype and y.shape == x.shape
        assert_close_in_norm(cp.asnumpy(y), fwht(x.astype(np.float64), norm=norm), _tol(dtype, n), axis=-1)
        back = ifwht(y, norm=norm)
        assert_close_in_norm(cp.asnumpy(back), x, _tol(dtype, n), axis=-1)


@pytest.mark.parametrize("n", [2, 64, 1024, 4096, 1 << 15])
@pytest.mark.parametrize("order", ["sequency", "dyadic"])
def test_orders(n, order):
    x = _x((4, n), 3)
    y = fwht(cp.asarray(x), norm="ortho", order=order)
    assert_close_in_norm(cp.asnumpy(y), fwht(x, norm="ortho", order=order), _tol(np.float64, n), axis=-1)
    assert_close_in_norm(cp.asnumpy(ifwht(y, norm="ortho", order=order)), x, _tol(np.float64, n), axis=-1)


@pytest.mark.parametrize("n", [8, 256, 4096, 1 << 14, 1 << 15, 28 << 10])
def test_half_types(n):
    x = _x((8, n), 5, np.float32)
    x16 = x.astype(np.float16)
    y = fwht(cp.asarray(x16), norm="ortho")
    assert y.dtype == np.float16
    ref = fwht(x16.astype(np.float32), norm="ortho").astype(np.float64)
    assert _half_err(cp.asnumpy(y), ref) <= HALF_TOL
    assert _half_err(cp.asnumpy(ifwht(y, norm="ortho")), x16.astype(np.float64)) <= HALF_TOL


@pytest.mark.parametrize("n", [256, 4096, 1 << 15])
def test_bfloat16_through_torch(n):
    torch = pytest.importorskip("torch")
    x = torch.from_numpy(_x((4, n), 6, np.float32)).cuda().to(torch.bfloat16)
    y = fwht(x, norm="ortho")
    assert isinstance(y, torch.Tensor) and y.dtype == torch.bfloat16 and y.is_cuda
    ref = fwht(x.float().cpu().numpy(), norm="ortho").astype(np.float64)
    assert _half_err(y.float().cpu().numpy(), ref) <= HALF_TOL


def test_torch_float32_zero_copy_and_out():
    torch = pytest.importorskip("torch")
    x = torch.from_numpy(_x((3, 1024), 7, np.float32)).cuda()
    y = fwht(x)
    assert isinstance(y, torch.Tensor) and y.is_cuda
    assert_close_in_norm(y.cpu().numpy(), fwht(x.cpu().numpy().astype(np.float64)), 1e-6, axis=-1)
    out = torch.empty_like(x)
    r = fwht(x, norm="ortho", out=out)
    assert r is out
    assert_close_in_norm(out.cpu().numpy(), fwht(x.cpu().numpy().astype(np.float64), norm="ortho"), 1e-6, axis=-1)


def test_multipass_sizes():
    for n, dtype in [(1 << 16, np.float32), (1 << 15, np.float64), (1 << 18, np.float64), (1 << 22, np.float32),
                     (28 << 11, np.float32), (12 << 14, np.float64)]:
        x = _x((2, n), n, dtype)
        y = fwht(cp.asarray(x), norm="ortho")
        assert_close_in_norm(cp.asnumpy(y), fwht(x.astype(np.float64), norm="ortho"), _tol(dtype, n), axis=-1)
    x = _x((2, 1 << 17), 9)
    y = fwht(cp.asarray(x), order="sequency")
    assert_close_in_norm(cp.asnumpy(y), fwht(x, order="sequency"), 1e-6, axis=-1)
    x16 = _x((2, 1 << 17), 10, np.float16)
    y = fwht(cp.asarray(x16), norm="ortho")
    assert _half_err(cp.asnumpy(y), fwht(x16.astype(np.float32), norm="ortho").astype(np.float64)) <= HALF_TOL


def test_axes_views_out_and_no_mutation():
    x = _x((8, 32, 5), 11)
    xd = cp.asarray(x)
    keep = xd.copy()
    y = fwht(xd, axis=1, norm="ortho")
    assert_close_in_norm(cp.asnumpy(y), fwht(x, axis=1, norm="ortho"), 1e-12)
    assert bool((xd == keep).all())
    v = cp.asarray(_x((64, 64), 12))[::2, ::2]           # non-contiguous view: copied, never misread
    assert_close_in_norm(cp.asnumpy(fwht(v)), fwht(cp.asnumpy(v)), 1e-12)
    out = cp.empty_like(xd)
    assert fwht(xd, axis=1, out=out) is out
    assert_close_in_norm(cp.asnumpy(out), fwht(x, axis=1), 1e-12)
    z = cp.asarray(_x((4, 16), 13))
    r = fwht(z, overwrite_x=True)
    assert_close_in_norm(cp.asnumpy(r), fwht(cp.asnumpy(cp.asarray(_x((4, 16), 13)))), 1e-12)
    assert_close_in_norm(cp.asnumpy(fwhtn(xd[:, :, :4])), fwhtn(x[:, :, :4]), 1e-12)
    assert_close_in_norm(cp.asnumpy(ifwhtn(fwhtn(xd[:, :, :4]))), x[:, :, :4], 1e-12)


def test_integer_and_complex():
    xi = np.arange(32).reshape(2, 16)
    y = fwht(cp.asarray(xi))
    assert y.dtype == np.int64 and np.array_equal(cp.asnumpy(y), fwht(xi))
    xc = _x((3, 64), 14) + 1j * _x((3, 64), 15)
    assert_close_in_norm(cp.asnumpy(fwht(cp.asarray(xc), norm="ortho")), fwht(xc, norm="ortho"), 1e-12, axis=-1)


@pytest.mark.parametrize("n", [4, 1024, 48, 1 << 15])
@pytest.mark.parametrize("per_row", [False, True])
def test_hd_seeded_sign_for_sign(n, per_row):
    x = _x((5, n), 16)
    for dtype in (np.float32, np.float64):
        y = hd(cp.asarray(x.astype(dtype)), seed=123, stream=4, per_row=per_row, offset=3 * n)
        ref = hd(x, seed=123, stream=4, per_row=per_row, offset=3 * n)
        assert_close_in_norm(cp.asnumpy(y), ref, _tol(dtype, n), axis=-1)


def test_hd_given_signs_and_chunks():
    n = 512
    x = _x((4, n), 17)
    d = np.random.default_rng(18).choice([-1, 1], n).astype(np.int8)
    assert_close_in_norm(cp.asnumpy(hd(cp.asarray(x), signs=cp.asarray(d))), hd(x, signs=d), 1e-12, axis=-1)
    full = _x((4, n), 19)
    assert_close_in_norm(cp.asnumpy(hd(cp.asarray(x), signs=cp.asarray(full))), hd(x, signs=full), 1e-12, axis=-1)
    whole = hd(cp.asarray(x), seed=1, per_row=True)
    part = hd(cp.asarray(x[2:]), seed=1, per_row=True, offset=2 * n)
    assert bool(cp.array_equal(whole[2:], part))


@pytest.mark.parametrize("d", [2, 256, 4096, 1 << 15, 1 << 16])
@pytest.mark.parametrize("blocks", [1, 2, 3])
def test_structured_rotation(d, blocks):
    from algdiv.rotations import structured_rotation
    T = structured_rotation(d, blocks=blocks, seed=99)
    x = _x((3, d), 20)
    y = T(cp.asarray(x))
    assert isinstance(y, cp.ndarray)
    assert_close_in_norm(cp.asnumpy(y), T(x), 1e-6, axis=-1)
    assert_close_in_norm(cp.asnumpy(T.inverse(y)), x, 1e-6, axis=-1)
    y32 = T(cp.asarray(x.astype(np.float32)))
    assert y32.dtype == np.float32
    assert_close_in_norm(cp.asnumpy(y32), T(x), 1e-6, axis=-1)


def test_matched_transform_forward_on_gpu():
    import algdiv
    from algdiv.groups import elementary_abelian
    T = algdiv.matched_transform(elementary_abelian(6))
    x = _x((5, 64), 21)
    y = T.forward(cp.asarray(x))
    assert isinstance(y, cp.ndarray)
    assert_close_in_norm(cp.asnumpy(y), T.forward(x), 1e-12, axis=-1)
    assert_close_in_norm(cp.asnumpy(T.inverse(y)), x, 1e-12, axis=-1)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_itq3s_fused_dequant(dtype):
    from algdiv.quant import itq3s_decode, itq3s_encode
    w = _x((37, 300), 22)
    p = itq3s_encode(w)
    got = cp.asnumpy(algdiv.gpu.itq3s_decode(p, dtype=dtype)).astype(np.float64)
    ref = itq3s_decode(p)
    if dtype == "float16":
        assert np.abs(got - ref).max() <= HALF_TOL * np.abs(ref).max()
    else:
        assert_close_in_norm(got, ref, _tol(dtype, 256))


def test_errors():
    x = cp.ones((2, 8))
    with pytest.raises(TypeError, match="mixed"):
        fwht(x, out=np.empty((2, 8)))
    with pytest.raises(TypeError, match="Argument 'plan'"):
        from algdiv.transforms import Problem, plan
        fwht(x, plan=plan(Problem("wht", 8)))
    with pytest.raises(ValueError, match="Argument 'out'"):
        fwht(x, out=cp.empty((2, 4)))
    with pytest.raises(ValueError):
        fwht(cp.ones(12), order="sequency")
    with pytest.raises(ValueError):
        fwht(cp.ones(6))
    with pytest.raises(NotImplementedError, match="haar"):
        from algdiv.transforms import haar
        haar(x)
