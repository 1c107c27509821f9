"""The CUDA kernels' logic run on the CPU (tests/gpu/host_harness.cpp) against the numpy engine.

No device is needed: the per-block code of the kernels (algdiv/gpu/kernels/wht_cta.cuh) is
``__host__ __device__``; the harness runs the launch records that algdiv.gpu._plan makes for
a call, block by block and phase by phase, through that same code.  What this does not
check: the device-only lines (PTX conversions, __brev, the thread loop and __syncthreads in
wht.cu) and anything about speed; tests/gpu/test_gpu.py checks those on a device.
"""
import os
import subprocess
import tempfile

import numpy as np
import pytest

from algdiv.gpu import _plan
from algdiv.testing import assert_close_in_norm, fast_tol
from algdiv.transforms import fwht, hd, ifwht, paley_hadamard, rademacher
from algdiv.transforms._random import _key

import sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _algdiv_gpu_host as _host  # noqa: E402

pytestmark = pytest.mark.skipif(_host.compiler() is None, reason="no C++ compiler on PATH")

H100_SMEM = 227 * 1024
NP = {"float16": np.float16, "float32": np.float32, "float64": np.float64}


def _encode(x, dtype):
    if dtype == "bfloat16":
        return _host.to_bf16(x)
    return np.ascontiguousarray(x, dtype=NP[dtype])


def _decode(raw, dtype, count):
    if dtype == "bfloat16":
        return _host.from_bf16(raw[:2 * count].view(np.uint16))
    return raw[:np.dtype(NP[dtype]).itemsize * count].view(NP[dtype])


def gpu_on_host(x, dtype, *, order="natural", inverse=False, scale=1.0, pre=None, mid=None,
                post=None, ntrans=1, smem_limit=H100_SMEM, inplace=False, **split):
    """What algdiv.gpu computes for the rows of the 2-D ``x``, run on the host.

    Diagonal specs: ("vector", array) / ("full", array) / ("seed", seed, stream, offset, per_row).
    """
    rows, n = x.shape
    specs, bufs = {}, {}
    for role, d in (("pre", pre), ("mid", mid), ("post", post)):
        if d is None:
            specs[role] = None
        elif d[0] in ("vector", "full"):
            specs[role] = (d[0],)
            bufs[role] = d[1]
        else:
            specs[role] = ("seed", _key(d[1], d[2]), d[3], d[4])
    launches, cdt = _plan.plan_wht(rows, n, dtype, smem_limit=smem_limit, order=order, inverse=inverse,
                                   scale=scale, ntrans=ntrans, **specs, **split)
    acc = np.float64 if cdt == "float64" else np.float32
    for role in list(bufs):
        bufs[role] = np.ascontiguousarray(bufs[role], dtype=acc)
    data = _encode(x, dtype)
    if cdt != dtype:                       # half types on the multi-pass path: float32 inside
        data = _decode(data.view(np.uint8), dtype, x.size).astype(np.float32)
    bufs["in"] = data
    bufs["out"] = np.zeros_like(data)
    bufs["tmp"] = np.zeros_like(data)
    if inplace:
        for L in launches:
            for k, v in L.args.items():
                if v == _plan.Buf("out"):
                    L.args[k] = _plan.Buf("in")
    res = _host.run(launches, bufs, ["in" if inplace else "out"])
    raw = res["in" if inplace else "out"]
    y = _decode(raw, cdt, x.size).reshape(rows, n)
    if cdt != dtype:
        y = _decode(_encode(y, dtype).view(np.uint8), dtype, x.size).reshape(rows, n)
    return y, launches


def _x(rows, n, seed=0, dtype=np.float64):
    return np.random.default_rng(seed).standard_normal((rows, n)).astype(dtype)


def _check(y, ref, dtype, n):
    if dtype in ("float32", "float64"):
        assert_close_in_norm(y, ref, fast_tol(np.dtype(dtype), n), axis=-1)
    else:   # one rounding to 16 bits at the end: the half-type tolerance of issue 6
        err = np.linalg.norm(y.astype(np.float64) - ref, axis=-1) / np.linalg.norm(ref, axis=-1)
        assert err.max() <= 1e-2, err.max()


# ---------------------------------------------------------------------------- primitives
def test_half_conversions_match_numpy():
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.standard_normal(2000) * 10.0 ** rng.integers(-9, 6, 2000),
                        [0.0, -0.0, 65504.0, 65519.99, 65520.0, 1e6, -1e6, 2.0 ** -24, 2.0 ** -25,
                         1.5 * 2.0 ** -25, 2.0 ** -14, np.inf, -np.inf, 3.0e38]]).astype(np.float32)
    with tempfile.TemporaryDirectory() as d:
        src, dst = os.path.join(d, "x"), os.path.join(d, "y")
        x.tofile(src)
        script = os.path.join(d, "s")
        with open(script, "w") as f:
            f.write(f"CVT {x.size} {src} {dst}\n")
        subprocess.run([str(_host.harness()), script], check=True, timeout=60)
        rec = np.fromfile(dst, dtype=np.dtype([("h", "<u2"), ("hf", "<f4"), ("b", "<u2"), ("bf", "<f4")]))
    with np.errstate(over="ignore"):
        h = x.astype(np.float16)
    np.testing.assert_array_equal(rec["h"], h.view(np.uint16))
    np.testing.assert_array_equal(rec["hf"], h.astype(np.float32))
    np.testing.assert_array_equal(rec["b"], _host.to_bf16(x))
    np.testing.assert_array_equal(rec["bf"], _host.from_bf16(_host.to_bf16(x)))


def test_paley_tables_match_python():
    src = (_plan_dir() / "wht_core.cuh").read_text()
    for m in (12, 20, 28):
        for name, H in ((f"algdiv_h{m}", paley_hadamard(m)), (f"algdiv_h{m}t", paley_hadamard(m).T)):
            if name == "algdiv_h28t":
                assert np.array_equal(H, H.T)
                continue
            body = src.split(f"{name}[{m}] = {{")[1].split("}")[0]
            masks = [int(t.strip().rstrip("u"), 16) for t in body.split(",")]
            want = [sum(1 << b for b in range(m) if H[a, b] < 0) for a in range(m)]
            assert masks == want, name


def test_itq_constants_match_python():
    from algdiv.quant import _itq3s as q
    src = (_plan_dir() / "wht_cta.cuh").read_text()
    assert f"#define ALGDIV_ITQ_BLOCK {q.BLOCK}" in src
    assert f"#define ALGDIV_ITQ_SUB {q.SUB}" in src
    assert f"#define ALGDIV_ITQ_BYTES {q.BLOCK_BYTES}" in src
    assert f"#define ALGDIV_ITQ_STRIDE {q.BLOCK_STRIDE[q.VERSION]}" in src
    assert f"#define ALGDIV_ITQ_QS {2 + q.NSUB // 2}" in src
    assert (_plan.ITQ_BLOCK, _plan.ITQ_BLOCK_BYTES, _plan.ITQ_BLOCK_STRIDE) == (q.BLOCK, q.BLOCK_BYTES, q.BLOCK_STRIDE[2])


def _plan_dir():
    from algdiv.gpu import KERNEL_DIR
    return KERNEL_DIR


# ---------------------------------------------------------------------------- single kernel
@pytest.mark.parametrize("k", range(1, 16))
def test_fwht_every_power_of_two_float64(k):
    n = 1 << k
    rows = max(1, min(5, (1 << 15) // n))
    x = _x(rows, n, k)
    y, launches = gpu_on_host(x, "float64", smem_limit=160 * 1024)
    assert_close_in_norm(y, fwht(x), fast_tol(np.float64, n), axis=-1)
    if k == 15:     # float64 at 2^15 does not fit: the multi-pass path
        assert [L.kernel for L in launches] == ["rows", "cols"]


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5, 7, 9, 10, 12, 13, 15])
@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16"])
def test_fwht_float_types(k, dtype):
    n = 1 << k
    rows = max(3, min(9, (1 << 15) // n))
    x = _x(rows, n, 100 + k, np.float32)
    xin = _decode(_encode(x, dtype).view(np.uint8), dtype, x.size).reshape(x.shape)   # upcast input
    y, launches = gpu_on_host(x, dtype, scale=1 / np.sqrt(n))
    assert len(launches) == 1
    _check(y, fwht(xin.astype(np.float64), norm="ortho"), dtype, n)


@pytest.mark.parametrize("order", ["sequency", "dyadic"])
@pytest.mark.parametrize("k", [1, 3, 4, 6, 11])
@pytest.mark.parametrize("inverse", [False, True])
def test_orders(order, k, inverse):
    n = 1 << k
    x = _x(3, n, k)
    y, _ = gpu_on_host(x, "float64", order=order, inverse=inverse, scale=1.0 / n if inverse else 1.0)
    ref = (ifwht if inverse else fwht)(x, order=order)
    assert_close_in_norm(y, ref, fast_tol(np.float64, n), axis=-1)


@pytest.mark.parametrize("m", [12, 20, 28])
@pytest.mark.parametrize("k", [0, 1, 3, 6, 10])
@pytest.mark.parametrize("inverse", [False, True])
def test_paley_lengths(m, k, inverse):
    n = m << k
    x = _x(3, n, m + k)
    scale = 1 / np.sqrt(n)
    y, launches = gpu_on_host(x, "float64", inverse=inverse, scale=scale, smem_limit=H100_SMEM)
    ref = (ifwht if inverse else fwht)(x, norm="ortho")
    assert_close_in_norm(y, ref, fast_tol(np.float64, n), axis=-1)


def test_paley_length_float32_large():
    n = 28 << 10              # Dao's largest 28N size, one kernel in float32
    x = _x(2, n, 5, np.float32)
    y, launches = gpu_on_host(x, "float32", smem_limit=H100_SMEM)
    assert len(launches) == 1
    assert_close_in_norm(y, fwht(x), fast_tol(np.float32, n), axis=-1)


def test_tail_rows_and_unaligned_counts():
    # 7 rows of 12: rows_per_cta * n must be a multiple of E, the last block is partial
    for n, rows in ((12, 7), (2, 5), (4, 3), (20, 1), (256, 9)):
        x = _x(rows, n, n)
        y, _ = gpu_on_host(x, "float64")
        assert_close_in_norm(y, fwht(x), fast_tol(np.float64, n), axis=-1)


@pytest.mark.parametrize("n", [8, 1024, 24])
def test_in_place(n):
    x = _x(6, n, 3)
    y, _ = gpu_on_host(x, "float64", inplace=True)
    assert_close_in_norm(y, fwht(x), fast_tol(np.float64, n), axis=-1)


# ---------------------------------------------------------------------------- diagonals
@pytest.mark.parametrize("n", [16, 4096, 48])
def test_hd_given_signs(n):
    x = _x(4, n, 7)
    d = np.random.default_rng(8).choice([-1.0, 1.0], n)
    y, _ = gpu_on_host(x, "float64", pre=("vector", d), scale=1 / np.sqrt(n))
    assert_close_in_norm(y, hd(x, signs=d), fast_tol(np.float64, n), axis=-1)
    D = np.random.default_rng(9).standard_normal((4, n))          # any diagonal, per row
    y, _ = gpu_on_host(x, "float64", pre=("full", D), scale=1 / np.sqrt(n))
    assert_close_in_norm(y, fwht(D * x, norm="ortho"), fast_tol(np.float64, n), axis=-1)


@pytest.mark.parametrize("per_row", [False, True])
@pytest.mark.parametrize("n,order", [(8, "natural"), (512, "sequency"), (2048, "dyadic"), (40, "natural")])
def test_hd_seeded(per_row, n, order):
    x = _x(5, n, 11)
    seed, stream, offset = 2**64 - 5, 3, 2**64 - 7          # offsets wrap mod 2^64, as on the CPU
    y, _ = gpu_on_host(x, "float64", pre=("seed", seed, stream, offset, per_row), order=order,
                       scale=1 / np.sqrt(n))
    ref = hd(x, seed=seed, stream=stream, per_row=per_row, offset=offset, order=order)
    assert_close_in_norm(y, ref, fast_tol(np.float64, n), axis=-1)


@pytest.mark.parametrize("n", [2, 64, 8192, 32768])
def test_fused_two_block_rotation(n):
    x = _x(3, n, n, np.float32)
    c = 1.0 / n
    y, launches = gpu_on_host(x, "float32", ntrans=2, scale=c, pre=("seed", 42, 0, 0, False),
                              mid=("seed", 42, 1, 0, False))
    assert len(launches) == 1
    ref = hd(hd(x.astype(np.float64), seed=42, stream=0), seed=42, stream=1)
    assert_close_in_norm(y, ref, fast_tol(np.float32, n), axis=-1)
    # inverse: x = D1 H D2 H y / n
    back, _ = gpu_on_host(ref.astype(np.float32), "float32", ntrans=2, scale=c,
                          mid=("seed", 42, 1, 0, False), post=("seed", 42, 0, 0, False))
    assert_close_in_norm(back, x, fast_tol(np.float32, n), axis=-1)
    d1 = rademacher(42, n, 0)
    assert_close_in_norm(back, (fwht(fwht(ref) * rademacher(42, n, 1)) * d1) / n,
                         fast_tol(np.float32, n), axis=-1)


# ---------------------------------------------------------------------------- multi-pass
SMALL = dict(smem_limit=64, inner_log=4, col_max_log=2)     # force the path on small n


@pytest.mark.parametrize("k", [4, 5, 9, 10])
@pytest.mark.parametrize("order", ["natural", "sequency", "dyadic"])
@pytest.mark.parametrize("inverse", [False, True])
def test_multipass_power_of_two(k, order, inverse):
    n = 1 << k
    x = _x(3, n, k)
    y, launches = gpu_on_host(x, "float64", order=order, inverse=inverse, scale=1 / np.sqrt(n), **SMALL)
    assert [L.kernel for L in launches].count("cols") == -(-(k - 4) // 2)
    ref = (ifwht if inverse else fwht)(x, order=order, norm="ortho")
    assert_close_in_norm(y, ref, fast_tol(np.float64, n), axis=-1)


@pytest.mark.parametrize("m", [12, 20, 28])
@pytest.mark.parametrize("inverse", [False, True])
def test_multipass_paley(m, inverse):
    n = m << 6
    x = _x(2, n, m)
    y, launches = gpu_on_host(x, "float64", inverse=inverse, scale=1 / n if inverse else 1.0, **SMALL)
    assert launches[-1].kernel == "cols" and launches[-1].args["L"] == m
    ref = (ifwht if inverse else fwht)(x)
    assert_close_in_norm(y, ref, fast_tol(np.float64, n), axis=-1)


@pytest.mark.parametrize("per_row", [False, True])
def test_multipass_seeded_signs(per_row):
    n = 1 << 9
    x = _x(3, n, 1)
    y, _ = gpu_on_host(x, "float64", pre=("seed", 5, 2, 17, per_row), scale=1 / np.sqrt(n), **SMALL)
    ref = hd(x, seed=5, stream=2, offset=17, per_row=per_row)
    assert_close_in_norm(y, ref, fast_tol(np.float64, n), axis=-1)


def test_multipass_real_split_and_half_in_float32():
    n = 1 << 16
    x = _x(1, n, 2, np.float32)
    y, launches = gpu_on_host(x, "float16", scale=1 / np.sqrt(n))
    assert [L.kernel for L in launches] == ["rows", "cols"] and launches[0].T == "float"
    xin = x.astype(np.float16).astype(np.float64)
    _check(y, fwht(xin, norm="ortho"), "float16", n)


def test_plan_split_for_2_to_the_30():
    launches, cdt = _plan.plan_wht(1, 1 << 30, "float32", smem_limit=H100_SMEM)
    assert [L.kernel for L in launches] == ["rows", "cols", "cols"]
    assert [L.args["L"] for L in launches[1:]] == [1 << 9, 1 << 9]
    assert [L.args["S"] for L in launches[1:]] == [1 << 12, 1 << 21]
    assert launches[-1].args["scale"] == 1.0 and cdt == "float32"
    launches, _ = _plan.plan_wht(4, 1 << 15, "float64", smem_limit=H100_SMEM)
    assert [L.kernel for L in launches] == ["rows", "cols"]


# ---------------------------------------------------------------------------- ITQ3_S
@pytest.mark.parametrize("dtype", ["float64", "float32", "float16"])
def test_itq3s_fused_dequant(dtype):
    from algdiv.quant import itq3s_decode, itq3s_encode
    w = np.random.default_rng(4).standard_normal((5, 300))          # 1500 weights: 6 blocks, last partial
    p = itq3s_encode(w)
    ref = itq3s_decode(p)
    launches = _plan.plan_itq3s(p.nblocks, p.size, dtype)
    assert p.stored_blocks().shape == (p.nblocks, 113)      # format version 2: codes + CRC-32
    raw = _host.run(launches, {"itq": np.ascontiguousarray(p.stored_blocks()),
                               "out": np.zeros(p.nblocks * 256, dtype=NP[dtype])}, ["out"])["out"]
    got = _decode(raw, dtype, p.size).reshape(p.shape)
    if dtype == "float16":
        assert np.abs(got - ref).max() <= 1e-2 * np.abs(ref).max()
    else:
        assert_close_in_norm(got, ref, fast_tol(np.dtype(dtype), 256))
