"""The C core behind the public API: dispatch, plans, fallback, configuration."""
import inspect
import io
import json
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest
import scipy.linalg

import algdiv
from algdiv import _core
from algdiv.testing import fast_tol

needs_core = pytest.mark.skipif(_core.ext is None, reason=f"C core not in use: {_core.reason}")
# The folder holding the algdiv package this test process imported (the source tree
# during development, site-packages after `pip install .`), so subprocesses see the same one.
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(algdiv.__file__)))


def _run_python(code, **env):
    e = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""), **env)
    # cwd=ROOT too: `python -c` puts the working directory first on sys.path.
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=e,
                       timeout=120, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    return r


def test_numpy_fallback_when_the_extension_is_missing():
    code = (
        "import warnings, json\n"
        "warnings.simplefilter('always')\n"
        "with warnings.catch_warnings(record=True) as w:\n"
        "    from algdiv import _core\n"
        "import numpy as np, scipy.linalg\n"
        "from algdiv.transforms import fwht, plan, Problem\n"
        "from algdiv.transforms._wht import _KERNELS\n"
        "x = np.arange(16.0)\n"
        "ok = bool(np.allclose(fwht(x), scipy.linalg.hadamard(16) @ x))\n"
        "print(json.dumps(dict(path=_core.path(), warned=[str(m.message) for m in w\n"
        "     if issubclass(m.category, RuntimeWarning)], ok=ok, kernels=sorted(_KERNELS),\n"
        "     solver=plan(Problem('wht', 16, 'float64', 'natural', 'backward')).solver)))\n"
    )
    r = _run_python(code, ALGDIV_DISABLE_CORE="1")
    info = json.loads(r.stdout.strip().splitlines()[-1])
    assert info["path"] == "numpy"
    assert any("numpy kernels" in m for m in info["warned"])
    assert info["ok"] and info["kernels"] == [] and info["solver"] != "wht-c"


@needs_core
def test_forced_portable_path_by_environment():
    r = _run_python("from algdiv import _core; print(_core.path())", ALGDIV_CORE_PATH="portable")
    assert r.stdout.strip().splitlines()[-1] == "portable"


@needs_core
def test_fast_path_and_planner_use_the_c_core():
    from algdiv.transforms import Problem, plan
    from algdiv.transforms._wht import _KERNELS

    assert _KERNELS["wht"] is _core.ext.wht and _KERNELS["hd_signs"] is not None
    for order in ("natural", "sequency", "dyadic"):
        for dt in ("float32", "float64", "complex64", "complex128"):
            assert plan(Problem("wht", 64, dt, order, "ortho")).solver == "wht-c"
    assert plan(Problem("wht", 64, "int64", "natural", "backward")).solver == "wht-c"
    assert plan(Problem("wht", 12 * 64, "float64", "natural", "ortho")).solver == "wht-c"
    p = plan(Problem("wht", 32, "float32", "sequency", "ortho"))
    q = pickle.loads(pickle.dumps(p))
    x = np.random.default_rng(0).standard_normal((3, 32)).astype(np.float32)
    np.testing.assert_array_equal(p.apply(x), q.apply(x))


@needs_core
@pytest.mark.parametrize("order", ["natural", "sequency", "dyadic"])
@pytest.mark.parametrize("norm", ["backward", "ortho", "forward"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64, np.complex128])
def test_public_fwht_against_dense(order, norm, dtype):
    from algdiv.transforms import fwht, ifwht
    from algdiv.transforms._hadamard import order_permutation

    rng = np.random.default_rng(1)
    n = 64
    x = rng.standard_normal((5, n, 3)).astype(dtype)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * rng.standard_normal(x.shape).astype(dtype)
    H = scipy.linalg.hadamard(n).astype(np.float64)
    p = order_permutation(n, order)
    if p is not None:
        H = H[p]
    s = {"backward": 1.0, "ortho": n ** -0.5, "forward": 1.0 / n}[norm]
    keep = x.copy()
    y = fwht(x, axis=1, norm=norm, order=order)
    ref = s * np.einsum("kn,bnc->bkc", H, x.astype(np.complex128))
    assert y.dtype == x.dtype
    assert np.linalg.norm(y - ref) <= fast_tol(dtype, n) * np.linalg.norm(ref)
    np.testing.assert_array_equal(x, keep)
    z = ifwht(y, axis=1, norm=norm, order=order)
    assert np.linalg.norm(z - x) <= fast_tol(dtype, n) * np.linalg.norm(x)


@needs_core
def test_public_out_overwrite_int_and_hd():
    from algdiv.transforms import fwht, hd, ifwht, rademacher

    rng = np.random.default_rng(2)
    x = rng.standard_normal((4, 1 << 12)).astype(np.float32)
    ref = fwht(x)
    out = np.empty_like(x)
    assert fwht(x, out=out) is out
    np.testing.assert_array_equal(out, ref)
    y = x.copy()
    r = fwht(y, overwrite_x=True, order="dyadic")
    np.testing.assert_array_equal(r, fwht(x, order="dyadic"))
    xi = rng.integers(-50, 50, size=(3, 256))
    yi = fwht(xi)
    assert yi.dtype == np.int64
    np.testing.assert_array_equal(yi, xi @ scipy.linalg.hadamard(256).T)
    np.testing.assert_allclose(ifwht(yi), xi, atol=1e-12)
    d = rademacher(5, x.shape[-1])
    np.testing.assert_allclose(hd(x, seed=5), fwht(x * d, norm="ortho"), rtol=1e-5, atol=1e-5)


def test_show_config_and_info_command(capsys):
    buf = io.StringIO()
    algdiv.show_config(file=buf)
    text = buf.getvalue()
    assert f"kernel path : {_core.path()}" in text
    assert "GPU" in text and "numpy" in text
    from algdiv.cli import main

    assert main(["info", "--json", "--no-gpu"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["kernels"]["path"] == _core.path()
    assert info["threads"]["cpus"] >= 1
    assert main(["info"]) == 0
    assert "kernel path" in capsys.readouterr().out


def _radix2(x):
    """Textbook radix-2 butterflies along the last axis, float64, natural order."""
    a = np.array(x, dtype=np.float64)
    n, h = a.shape[-1], 1
    while h < n:
        v = a.reshape(a.shape[:-1] + (n // (2 * h), 2, h))
        lo, hi = v[..., 0, :].copy(), v[..., 1, :].copy()
        v[..., 0, :], v[..., 1, :] = lo + hi, lo - hi
        h *= 2
    return a


@pytest.mark.parametrize("l2", [262144, 524288, 1048576])
def test_every_level2_block_size_matches_the_reference(l2):
    # The level-2 block follows the CPU's L2 size (256 KiB .. 1 MiB); ALGDIV_L2_BYTES pins it so
    # each schedule is checked on any machine: lengths around and above the block, both passes,
    # every order, float32/float64, batches, against the float64 radix-2 reference butterfly.
    code = f"""
import numpy as np
from algdiv._core import _fwht
from algdiv.transforms import fwht, ifwht
assert _fwht.L2_BLOCK_BYTES == {l2}, _fwht.L2_BLOCK_BYTES

{inspect.getsource(_radix2)}
def perm(order, bits):              # y_order = y_natural[perm]
    i = np.arange(1 << bits)
    rev = sum(((i >> b) & 1) << (bits - 1 - b) for b in range(bits))
    if order == "natural":
        return np.arange(1 << bits)
    if order == "dyadic":
        return rev
    return rev[np.arange(1 << bits) ^ (np.arange(1 << bits) >> 1)]

rng = np.random.default_rng(0)
worst = 0.0
for k in (15, 17, 20):
    for dt in (np.float32, np.float64):
        for shape in ((1 << k,), (3, 1 << k)) if k <= 17 else ((1 << k,),):
            x = rng.standard_normal(shape)
            ref = _radix2(x) / np.sqrt(1 << k)
            for order in ("natural", "sequency", "dyadic"):
                y = fwht(x.astype(dt), order=order, norm="ortho").astype(np.float64)
                r = ref[..., perm(order, k)]
                worst = max(worst, np.linalg.norm(y - r) / np.linalg.norm(r) / np.finfo(dt).eps / k)
            z = ifwht(fwht(x.astype(dt), overwrite_x=True), overwrite_x=True).astype(np.float64)
            worst = max(worst, np.linalg.norm(z - x) / np.linalg.norm(x) / np.finfo(dt).eps / k)
print(worst)
"""
    r = _run_python(code, ALGDIV_L2_BYTES=str(l2))
    assert float(r.stdout.strip().splitlines()[-1]) < 8.0


def test_narrow_strips_of_many_rows_match_the_reference():
    # Pass 2 keeps its strip buffer within 32 KiB, so with many level-2 rows (a 256 KiB block
    # pinned: 128 rows at float64 2^22 and float32 2^23) its strips are 256 bytes wide or
    # less.  fwht in place and out, one and two workers, at an offset from a cache line, and
    # the two-block rotation (its diagonal fused into the merged pass 2, read from packed
    # rows), against the float64 radix-2 reference butterfly, on every kernel path the CPU has.
    code = f"""
import numpy as np
from algdiv._core import _fwht
from algdiv.transforms import fwht, rademacher
from algdiv.rotations import structured_rotation
assert _fwht.L2_BLOCK_BYTES == 262144, _fwht.L2_BLOCK_BYTES

{inspect.getsource(_radix2)}
rng = np.random.default_rng(3)
worst = 0.0
paths = ["portable"] + (["avx2"] if _fwht.has_avx2() else []) + (["avx512"] if _fwht.has_avx512() else [])
for k, dt in ((22, np.float64), (23, np.float32)):
    n = 1 << k
    it = np.dtype(dt).itemsize
    x = rng.standard_normal(n)
    ref = _radix2(x) / np.sqrt(n)
    rot = structured_rotation(n, 2, seed=4)
    s0, s1 = (rademacher(4, n, stream=j) for j in range(2))
    ref_rot = _radix2(s1 * _radix2(s0 * x)) / n
    buf = np.empty(n + 64 // it, dt)
    off = ((16 - buf.ctypes.data % 64) % 64) // it
    for path in paths:
        _fwht.set_path(path)
        got = [fwht(x.astype(dt), norm="ortho", workers=w) for w in (1, 2)]
        y = buf[off:off + n]
        y[:] = x
        fwht(y, norm="ortho", out=y, workers=2)
        got.append(y)
        for g in got:
            worst = max(worst, np.linalg.norm(g - ref) / np.linalg.norm(ref) / np.finfo(dt).eps / k)
        r = rot.apply(x.astype(dt)).astype(np.float64)
        worst = max(worst, np.linalg.norm(r - ref_rot) / np.linalg.norm(ref_rot) / np.finfo(dt).eps / (2 * k))
print(worst)
"""
    r = _run_python(code, ALGDIV_L2_BYTES="262144")
    assert float(r.stdout.strip().splitlines()[-1]) < 8.0


@pytest.mark.parametrize("path", ["avx512", "avx2", "portable"])
def test_fused_and_unfused_first_sweep_match_dense(path):
    # The first read of an L1 block fuses the in-register stages with a radix-8 across
    # eight vectors (contiguous rows of >= 8 vectors); the unfused schedule serves the
    # other layouts. Both, on both kernel paths, against dense Sylvester Hadamard
    # matrices: row lengths around the fusion's threshold, batches, scaling, signs, int64.
    from algdiv.transforms import fwht, hd
    fw = _core._fwht
    if path == "avx2" and not fw.has_avx2():
        pytest.skip("no AVX2 on this CPU")
    if path == "avx512" and not fw.has_avx512():
        pytest.skip("no AVX-512 (or its OS state) on this CPU")
    old = fw.path()
    rng = np.random.default_rng(7)
    try:
        fw.set_path(path)
        for fuse in (0, 1):
            fw._set_fuse_first8(fuse)
            for k in (4, 5, 6, 7, 8, 11, 12, 13):
                # dense up to 2^11; above, the textbook radix-2 butterflies (float64)
                H = scipy.linalg.hadamard(1 << k).astype(np.float64) if k <= 11 else None
                ref = (lambda a: a @ H.T) if H is not None else _radix2
                for dt in (np.float32, np.float64, np.int64, np.complex64):
                    x = (rng.integers(-9, 10, (5, 1 << k)).astype(dt) if dt == np.int64
                         else rng.standard_normal((5, 1 << k)).astype(dt))
                    if dt == np.complex64:
                        want = ref(x.real.astype(np.float64)) + 1j * ref(x.imag.astype(np.float64))
                    else:
                        want = ref(x.astype(np.float64))
                    got = fwht(x)
                    if dt == np.int64:
                        assert got.dtype == np.int64 and np.array_equal(got, want), (fuse, k)
                    else:
                        tol = 8 * np.finfo(dt).eps * k * np.linalg.norm(want)
                        assert np.linalg.norm(got - want) <= tol, (fuse, k, dt)
                        y = fwht(x, norm="ortho")
                        assert np.linalg.norm(y - want / 2 ** (k / 2)) <= tol / 2 ** (k / 2)
                x = rng.standard_normal((3, 1 << k))
                s = rng.choice(np.array([-1, 1], dtype=np.int8), 1 << k)
                got = hd(x, signs=s, norm="ortho")
                want = ref(x * s) / 2 ** (k / 2)
                assert np.allclose(got, want, rtol=0, atol=1e-13 * k * np.abs(want).max()), (fuse, k)
    finally:
        fw._set_fuse_first8(1)
        fw.set_path(old)
